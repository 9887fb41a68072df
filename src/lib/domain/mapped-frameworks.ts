import { FUSION_SKILLS, type FrameworkData, type FrameworkItemData } from './frameworks';

/**
 * Frameworks schools already track, shipped as shared reference data so a profile, a class or the
 * school can be read in them: the Skills Builder Universal Framework and the OECD Learning Compass
 * 2030's transformative competencies. Names and structure only, attributed to their publishers:
 * neither publisher's descriptor text is shipped (it is theirs to license), so every item's
 * description is our own one-line note. Identifiers are stable like the Fusion Skills' (never
 * regenerate them: exported CASE packages and other schools' copies point at them).
 *
 * Each is mapped onto the 12 Fusion Skills by a weighted crosswalk (DEFAULT_MAPPINGS below,
 * reasoning in docs/CROSSWALK.md): a mapped item's level is worked out from the Fusion Skills it
 * draws on (domain/framework-conversion.ts).
 */

/** The eight essential skills, each with its steps 0–15 as child items (names only). */
const SKILLS_BUILDER_SKILLS: {
	code: string;
	title: string;
	identifier: string;
	steps: string[];
}[] = [
	{
		code: 'SB-LI',
		title: 'Listening',
		identifier: '0f696900-a67a-4416-a40f-bd8c318e1e4f',
		steps: [
			'01ccbe37-7a87-412d-8544-128051e56ff0',
			'0152ace0-8daa-4cc9-948f-c21259d57b14',
			'43082cd1-c868-4d55-b7ac-8369a6079bb2',
			'3b663621-0bf2-47ff-864b-c80f63d1c2b7',
			'0d684430-b50c-4891-95ad-248e6adc9d03',
			'8e117dc6-130a-4b78-9ceb-822ce3db37c5',
			'5ea817ad-f5f4-4899-ab01-436b2dba974c',
			'c84a228e-0d7f-468a-94f5-95586bdc84d7',
			'd9955d34-9fca-4acd-b13c-2ad5a4b197df',
			'522d16f9-783d-44c2-8f65-b4b6bf72d61d',
			'b575879d-54e3-4a31-8677-a31a50089add',
			'd073b4db-7f64-44cb-bbc7-f77f1bea4489',
			'd289bac4-f5db-4f99-a2f8-612338ea4ccb',
			'215e9ee6-242e-4c1b-859d-046ce0b0483b',
			'c59005e0-94a9-4433-85c5-011d33d52c24',
			'f544e49a-416f-421c-83d3-65b933785d33'
		]
	},
	{
		code: 'SB-SP',
		title: 'Speaking',
		identifier: '928ed750-fe69-425a-89b0-d298023c91cc',
		steps: [
			'48e96146-8937-43b4-a679-4341d0d7c44b',
			'4ddacb98-a93f-4dcd-ba2e-b48d9416c3ce',
			'0be48002-ca9e-4c1f-995c-b86da0930dee',
			'd8834bd7-5fae-4245-bcd4-be8939d39885',
			'4439c887-a897-4c8c-aff7-c1358799637a',
			'18cebbf6-7f1b-4756-9a55-eae289e5d00c',
			'31f98b19-7ab5-476e-9693-fe3aae9928e1',
			'449402b1-f8b6-488c-b70f-6dfbe3fee034',
			'3c6c9cf5-cd95-4078-8aba-ff91f0903f8e',
			'e11808ee-60db-4d0e-9f42-ddc30d75477a',
			'b5ab0442-c342-4840-a0cd-8d6191dfb11c',
			'744f629e-0dc9-45ca-a1c7-241134db459f',
			'42230c3f-1e31-4224-a037-15da9c4009c2',
			'35088e57-673f-4ca7-ad53-20a767a0a093',
			'bd47e896-b93b-452b-9333-435331f09495',
			'92fcafd2-80ba-4476-957e-80694b595197'
		]
	},
	{
		code: 'SB-PS',
		title: 'Problem Solving',
		identifier: 'b64e0977-2918-4e2b-a1d2-519df705bb37',
		steps: [
			'a5ed01e6-cb18-42ce-885c-e38c8163091c',
			'456c3c7f-7a10-4ba9-a8eb-1d1203084dd3',
			'556437a4-c876-435e-b103-2b30303aaf4c',
			'97baa0ee-2b45-4055-8605-8034a9239adc',
			'1ff0ca7a-eaa1-4df9-b832-110166d527e3',
			'37ce1261-81f1-4fb9-bb5e-c4f78c9acb74',
			'5ead97f6-8190-473c-b0fe-291d2cd9a4c4',
			'5800bb3c-0897-4152-b8b3-1587c1838500',
			'e3811476-fced-4b79-a3b1-4f733c86b4c1',
			'aa9790fa-b528-470f-b72b-3e2d65016e36',
			'9c62b1f4-714f-4273-a24f-e09f16b7702f',
			'7078ae6c-7df0-40c2-bcea-68e647542a54',
			'6be5d134-d27b-4f24-8e8c-f25357a7dabd',
			'119e4302-f0e3-48f5-9356-65270bc05f29',
			'eb9eb810-d07f-438f-acd1-410d6bbc21a7',
			'157d0a0c-5c12-44f5-ac6a-c48562dc09b6'
		]
	},
	{
		code: 'SB-CR',
		title: 'Creativity',
		identifier: '87583b2e-6b4e-4532-9b2c-9c11ffa3cf84',
		steps: [
			'9b5eb2b6-596c-4775-86e5-5e8786cafff5',
			'6b5f00f7-7408-45b0-84cb-28e194805535',
			'57e03887-f7b2-4f1b-837a-a72e1b38de89',
			'c3ab3076-24df-47ea-8111-258df8879d96',
			'c25f839b-0ccc-4d3f-87e9-06b1f95583f1',
			'a558dea7-160c-4f59-b4cb-11ee1ae9f542',
			'b5752c3b-afc2-47bf-969f-16fb13469638',
			'9cd822c8-8e3c-4fa6-a5b4-4db4e34d9c9b',
			'86134668-bad3-4507-aa6b-63da3f10bab4',
			'7d1627d3-c663-4491-b38f-167b10d78837',
			'2d16863e-e34c-476d-ab50-25652e9fd3e5',
			'b48ca4e0-bb9c-4c43-b691-86ce7656b460',
			'492311cc-bdc0-4892-8707-971fb0754bc2',
			'4843aef3-6eb0-4879-99ce-4bb4f9f38499',
			'f3d4de2f-d376-43b3-b752-e9d06c103947',
			'8f91978f-5df1-4d99-8ea0-81fcc0d8bdd1'
		]
	},
	{
		code: 'SB-SPO',
		title: 'Staying Positive',
		identifier: '14e49886-ee11-4992-9b81-3ba404aaf46b',
		steps: [
			'fde21f1c-6e66-4aad-841e-1a26ed7e00c5',
			'f542e584-b569-4d7c-a1f1-53606604b587',
			'12f0f442-669b-4e31-a547-ffa5b1dd7884',
			'79007e8a-e8fd-42ce-b8d2-c56baccc5dcc',
			'9576861c-f86b-4420-b276-8473ab9882fb',
			'92912418-52f6-454b-a5f2-e983011df95f',
			'4349a4a3-8354-43b3-a80d-10afb91271fe',
			'e28f9870-688d-4b59-ab9a-5b5e0a6eec9b',
			'6dab16d8-ff04-4c00-b8e1-c741421a26f8',
			'77f41cc5-8fba-4e38-8308-691670817f71',
			'fffd0ded-73a9-4933-adbb-367769d3a375',
			'4f1711d0-0009-4dc8-a80d-68f0f4f27113',
			'df414609-b855-42af-8fdc-e5990036154e',
			'da225361-e054-43d7-885b-fb6328a8c536',
			'eee3867c-8e48-430d-9cc3-9e95f471807c',
			'9325f020-30b6-48f6-bdae-369fa64a8b4b'
		]
	},
	{
		code: 'SB-AH',
		title: 'Aiming High',
		identifier: 'cf358462-8ac2-4498-a496-0af909fefb27',
		steps: [
			'b5c8ed4b-34a4-469d-9806-c23fa71b7110',
			'54b2fc79-95df-463a-a052-abfc78199e3c',
			'c2ce778d-bc81-45fc-9ed7-d76ff4837a5b',
			'54d07046-00db-48fe-b301-f86c90b5ef5d',
			'01d79dc0-2253-4967-84cb-b05dce858496',
			'086da53e-54de-452e-8cce-727ad33b8e9b',
			'dee15fbb-108c-4036-b1ea-b4e68db840f1',
			'7aa7f666-d43b-497f-987f-8ea4782df0cb',
			'89108459-808f-4d17-b0ac-95d56d60fb7a',
			'74d15754-700b-4868-ba39-a5fbdf21e44c',
			'7bd2a42a-4cae-451d-a6ff-744146609b9a',
			'06e035e2-b330-4c7e-b7e0-d38581a29874',
			'9df91a94-64fb-4b41-965e-05b1788876eb',
			'0f1317dd-9c57-41b2-b434-1fec509e475f',
			'b06e6163-991d-4b34-82fe-a3c2be95a129',
			'a76e34bd-1af2-46cb-82f7-f03cec874049'
		]
	},
	{
		code: 'SB-LE',
		title: 'Leadership',
		identifier: 'aed99aa0-ec78-4c9d-9faf-088b4ca68813',
		steps: [
			'b4e33e52-ae25-41a2-bf5d-868085758543',
			'0fb2808e-c1b7-4f40-9c76-796c2b3716c1',
			'43b8477b-fda8-4d95-b3a0-10735f79f7d1',
			'b1b4aa61-e33d-439e-809e-5718f2186253',
			'6904e68c-51bb-4038-bf85-2139642d8654',
			'67391922-3225-42c0-811a-81f6a4958ae4',
			'8563e783-8c1f-4519-9a99-7ba60ac4efb7',
			'f4c7055b-422b-4427-8dda-a7584931bc37',
			'4a26f8ab-2fb7-46b2-aee2-dc2d60a8ece3',
			'745c7079-228b-4277-8094-305154098ef6',
			'3a807936-d8ba-4cd7-873c-2cb60d69b5a0',
			'90372e0b-8532-4f06-9404-60e26803de65',
			'f629f262-3417-4d35-987c-66877ca22441',
			'b4857b92-765c-4964-b5bd-39f61589a3eb',
			'119e62d6-06a9-442b-8a4e-6057512aed4a',
			'ae5cc6ae-7860-4a89-aee3-80df1d3f1af3'
		]
	},
	{
		code: 'SB-TW',
		title: 'Teamwork',
		identifier: '44fe6721-e925-4456-9d70-a858318915a4',
		steps: [
			'0467941b-2658-431f-a9f6-78e6522b3cda',
			'8e81a6f2-f72a-4191-8564-c5ad2966309a',
			'4608cd00-246b-46ca-97a0-df741a191d2e',
			'96a51746-c478-4489-bba6-625811d76fdf',
			'767e8695-84e6-4102-9faa-7c492076f406',
			'7d697a8e-18ac-4a06-b3fd-d7e7c090ad19',
			'657fb8b1-597f-48ad-bb7f-e4bf2e68d177',
			'b41424d9-1afc-439f-8fcf-81a5349bda19',
			'dfe93e93-4333-4c67-a9e3-9ed4790b7647',
			'7ea7b3ad-ab9b-403f-adc8-3ce50241c6d1',
			'57cdd76a-d080-41e3-b16e-e4843cafa563',
			'9fbc7894-503e-4506-9c52-5643a1b51c26',
			'db5dfb25-cbe4-434d-945e-3bbf881a38f8',
			'faf10d99-154b-4a07-a86c-929057450325',
			'6f0e4fe0-e9d4-4462-aef0-7a371294620d',
			'c554fa57-59c9-47f5-82a8-8dc97fc9587b'
		]
	}
];

/** Skills Builder's steps run from 0 to 15: sixteen per skill. */
export const SKILLS_BUILDER_STEPS = 16;

export const SKILLS_BUILDER: FrameworkData = {
	identifier: '4a2f5176-9e11-478d-9cf2-2f14df422bfe',
	kind: 'other',
	title: 'Skills Builder Universal Framework',
	description:
		'The eight essential skills of the Skills Builder Universal Framework, each in steps 0–15. Names and structure only, for mapping onto the Fusion Skills; the framework, its step descriptors and its guidance are the work of the Skills Builder Partnership (skillsbuilder.org), used and licensed under its own terms, and are not reproduced here.',
	creator: 'Skills Builder Partnership',
	version: '1.0',
	lastChangeAt: '2026-12-01T00:00:00.000Z',
	items: SKILLS_BUILDER_SKILLS.map((skill): FrameworkItemData => ({
		identifier: skill.identifier,
		code: skill.code,
		title: skill.title,
		description: `One of the eight essential skills of the Skills Builder Universal Framework (Skills Builder Partnership).`,
		children: skill.steps.map((identifier, step) => ({
			identifier,
			code: `${skill.code}.${step}`,
			title: `${skill.title}: Step ${step}`,
			description: `Step ${step} of ${SKILLS_BUILDER_STEPS - 1} in ${skill.title}; the step's descriptor is the Skills Builder Partnership's and is not reproduced here.`
		}))
	}))
};

export const OECD_LEARNING_COMPASS: FrameworkData = {
	identifier: '4dc5834d-777a-4306-b829-6013584a0198',
	kind: 'other',
	title: 'OECD Learning Compass 2030: transformative competencies',
	description:
		'The three transformative competencies named by the OECD Future of Education and Skills 2030 project’s Learning Compass 2030. Names only, for mapping onto the Fusion Skills; the Learning Compass and its concept notes are the OECD’s (oecd.org/education/2030-project), used under the OECD’s terms, and are not reproduced here.',
	creator: 'OECD (Organisation for Economic Co-operation and Development)',
	version: '2030',
	lastChangeAt: '2026-12-01T00:00:00.000Z',
	items: [
		{
			identifier: '2eb33fc1-db5d-40c2-b3de-eaadee9d438e',
			code: 'TC-1',
			title: 'Creating new value',
			description: 'A transformative competency of the OECD Learning Compass 2030.'
		},
		{
			identifier: 'e5fcf19e-0cbc-470c-908e-65c15a2589c2',
			code: 'TC-2',
			title: 'Reconciling tensions and dilemmas',
			description: 'A transformative competency of the OECD Learning Compass 2030.'
		},
		{
			identifier: '121c76bf-4d23-4489-b90e-8308bde59bce',
			code: 'TC-3',
			title: 'Taking responsibility',
			description: 'A transformative competency of the OECD Learning Compass 2030.'
		}
	]
};

/**
 * The default crosswalks, by code: each item of the other framework → the Fusion Skills it draws
 * on, with relative weights (normalised before use). Stored as crosswalk rows whose source is the
 * other framework's item and whose target is the Fusion Skill, so CASE exports of the other
 * framework carry them as associations like CAPRI's. Reasoning per row in docs/CROSSWALK.md.
 * Skills Builder's steps are structure only and map to nothing: only its eight skills are mapped.
 */
export const DEFAULT_MAPPINGS: Record<string, Record<string, Record<string, number>>> = {
	[SKILLS_BUILDER.identifier]: {
		'SB-LI': { 'FS-02': 0.5, 'FS-01': 0.3, 'FS-09': 0.2 },
		'SB-SP': { 'FS-01': 1 },
		'SB-PS': { 'FS-04': 0.6, 'FS-09': 0.2, 'FS-12': 0.2 },
		'SB-CR': { 'FS-11': 1 },
		'SB-SPO': { 'FS-10': 0.7, 'FS-06': 0.3 },
		'SB-AH': { 'FS-05': 0.5, 'FS-03': 0.3, 'FS-08': 0.2 },
		'SB-LE': { 'FS-03': 0.4, 'FS-02': 0.4, 'FS-01': 0.2 },
		'SB-TW': { 'FS-02': 1 }
	},
	[OECD_LEARNING_COMPASS.identifier]: {
		'TC-1': { 'FS-11': 0.4, 'FS-04': 0.2, 'FS-03': 0.2, 'FS-06': 0.2 },
		'TC-2': { 'FS-09': 0.4, 'FS-12': 0.3, 'FS-06': 0.3 },
		'TC-3': { 'FS-08': 0.6, 'FS-05': 0.2, 'FS-03': 0.2 }
	}
};

/**
 * The frameworks a profile, class overview or school report can be read in, by the short name the
 * URL carries (`?framework=skills-builder`). Fusion Skills is the app's own and needs no mapping.
 */
export const FRAMEWORK_VIEWS = [
	{ slug: 'fusion-skills', framework: FUSION_SKILLS, shortTitle: 'Fusion Skills' },
	{ slug: 'skills-builder', framework: SKILLS_BUILDER, shortTitle: 'Skills Builder' },
	{
		slug: 'oecd-learning-compass',
		framework: OECD_LEARNING_COMPASS,
		shortTitle: 'OECD Learning Compass'
	}
] as const;

export type FrameworkViewSlug = (typeof FRAMEWORK_VIEWS)[number]['slug'];
export type MappedFrameworkSlug = Exclude<FrameworkViewSlug, 'fusion-skills'>;

export const MAPPED_FRAMEWORKS = FRAMEWORK_VIEWS.filter(
	(v): v is Extract<(typeof FRAMEWORK_VIEWS)[number], { slug: MappedFrameworkSlug }> =>
		v.slug !== 'fusion-skills'
);

export function frameworkView(slug: FrameworkViewSlug) {
	return FRAMEWORK_VIEWS.find((v) => v.slug === slug)!;
}
