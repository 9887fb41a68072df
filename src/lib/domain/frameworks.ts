/**
 * The two frameworks the product ships, as data with stable identifiers (never regenerate them:
 * exported credentials and other schools' copies align to these UUIDs).
 */

export interface FrameworkItemData {
	identifier: string;
	code: string;
	title: string;
	description: string;
	colour?: string;
	children?: FrameworkItemData[];
}

/**
 * The colour of a criterion or category without a CAPRI colour of its own. It is the muted text
 * colour of tokens.css (--colour-text-muted, 7.0:1 on white), so a neutral code reads like a hint.
 */
export const NEUTRAL_COLOUR = '#4f5661';

/**
 * A skill's name without its parenthesised examples, for menus, chips and chart labels where the
 * full name does not fit: "Organisational skills (planning, time management, …)" → "Organisational
 * skills".
 */
export function shortSkillTitle(title: string): string {
	return title.split(' (')[0]!;
}

/** Narrower still, for column headings: the first of a name's alternatives ("Adaptability"). */
export function shortestSkillTitle(title: string): string {
	return shortSkillTitle(title).split(' / ')[0]!;
}

/** Where a long word may break, before its suffix: "communi-cation", "Organ-isational". */
const BREAK_BEFORE_SUFFIX =
	/(?<=\p{L}{4})(cation|isational|isation|ational|ability|ibility|ation)$/u;
const SOFT_HYPHEN = '\u00ad';

/**
 * The shortest name for a narrow column heading, with a soft hyphen in each word of 13 letters or
 * more: twelve skill columns at 1366 px leave about 85 px each, less than "communication" needs,
 * and browsers hyphenate by themselves (CSS `hyphens: auto`) only with a dictionary they may not
 * have. A soft hyphen is invisible unless the word breaks there.
 */
export function columnSkillTitle(title: string): string {
	return shortestSkillTitle(title).replace(/\p{L}{13,}/gu, (word) =>
		word.replace(BREAK_BEFORE_SUFFIX, `${SOFT_HYPHEN}$1`)
	);
}

export interface FrameworkData {
	identifier: string;
	kind: 'fusion' | 'capri' | 'other';
	title: string;
	description: string;
	creator: string;
	version: string;
	lastChangeAt: string;
	items: FrameworkItemData[];
}

export const FUSION_SKILLS: FrameworkData = {
	identifier: '999d5e3b-0023-4b21-9564-5da5d91e8988',
	kind: 'fusion',
	title: 'Fusion Skills',
	description:
		'The twelve transferable skills UK employers ranked highest in a 2019 Nesta survey commissioned by the City of London Corporation.',
	creator: 'Fusion Skills project (after City of London Corporation / Nesta, 2019)',
	version: '1.0',
	lastChangeAt: '2026-11-24T00:00:00.000Z',
	items: [
		{
			identifier: 'ac6b095c-aec9-49ff-89eb-c64f7ce09702',
			code: 'FS-01',
			title: 'Oral communication / presentation skills',
			description:
				'Speaking clearly and persuasively to an audience, and adapting what you say to who is listening.'
		},
		{
			identifier: '7b0fc8de-6261-4186-9a29-014fd1d12cd5',
			code: 'FS-02',
			title: 'Collaboration and teamwork',
			description:
				'Working with others towards a shared goal: sharing work fairly, listening and building on ideas.'
		},
		{
			identifier: '39430593-a38a-4dc3-a172-9d068432eade',
			code: 'FS-03',
			title: 'Initiative',
			description: 'Seeing what needs doing and starting it without being asked.'
		},
		{
			identifier: '1c14238e-42e0-438d-905b-c3abbe93f6c9',
			code: 'FS-04',
			title: 'Problem solving',
			description: 'Understanding a problem, trying approaches and finding a solution that works.'
		},
		{
			identifier: '09c8da53-15e1-4034-b20a-1de6e5d3a5f3',
			code: 'FS-05',
			title:
				'Organisational skills (planning, time management, deadlines, prioritisation, multi-tasking)',
			description: 'Planning work, managing time, meeting deadlines and deciding what matters most.'
		},
		{
			identifier: '235eb866-ede0-4991-819f-264ed3caade3',
			code: 'FS-06',
			title: 'Adaptability / flexibility',
			description: 'Adjusting when plans, roles or circumstances change.'
		},
		{
			identifier: '341de90a-5814-42ab-b2ea-8dec02fd9de5',
			code: 'FS-07',
			title: 'Written communication',
			description: 'Writing clearly, accurately and appropriately for the reader and purpose.'
		},
		{
			identifier: '40e9a238-d5e9-416f-b661-b4f25140ed27',
			code: 'FS-08',
			title: 'Independent working / autonomy',
			description: 'Working on your own, making decisions and taking responsibility for your work.'
		},
		{
			identifier: '2c7e06a2-e9d8-4692-8472-916177f77d8f',
			code: 'FS-09',
			title: 'Critical thinking',
			description:
				'Questioning information and assumptions, and reasoning carefully to a judgement.'
		},
		{
			identifier: '4cab403a-53eb-4ae5-9730-8e4d3a0ac9bd',
			code: 'FS-10',
			title: 'Resilience',
			description: 'Keeping going through setbacks and learning from them.'
		},
		{
			identifier: 'a4b014c7-413e-4f1b-8292-af85863609a7',
			code: 'FS-11',
			title: 'Creativity',
			description: 'Generating original ideas and developing them into something of value.'
		},
		{
			identifier: 'fb6c090a-7489-41d5-b242-ab17f0e15cd3',
			code: 'FS-12',
			title: 'Analysis and evaluation skills',
			description:
				'Breaking information down, weighing evidence and judging quality against criteria.'
		}
	]
};

export const CAPRI: FrameworkData = {
	identifier: '282fbbf1-fb23-4a88-b375-42b43657a1a2',
	kind: 'capri',
	title: 'CAPRI capabilities',
	description:
		'The five graduate-attribute meta-categories used by ReView, each with sub-categories for finer feedback.',
	creator: 'Fusion Skills project (after ReView / CAPRI)',
	version: '1.0',
	lastChangeAt: '2026-11-24T00:00:00.000Z',
	items: [
		{
			identifier: '9c3f4f3f-250b-4f83-830d-5d75e6a03a41',
			code: 'C',
			title: 'Communication and collaboration',
			colour: '#1d4ed8',
			description: 'Sharing ideas with others in speech and writing, and working well with them.',
			children: [
				{
					identifier: '98f725c3-ef18-4f89-a81c-cf1b0aabe0b9',
					code: 'C1',
					title: 'Speaking and presenting',
					description: 'Presenting ideas aloud clearly and engagingly.'
				},
				{
					identifier: '549895cf-f8ca-44d3-bae5-48b69d9061dd',
					code: 'C2',
					title: 'Writing for a purpose',
					description: 'Writing clearly and appropriately for the reader.'
				},
				{
					identifier: '43098ddd-0c09-4ad6-9302-d08700d55b46',
					code: 'C3',
					title: 'Working in a team',
					description: 'Contributing to shared work and supporting others.'
				},
				{
					identifier: 'c297b781-b330-4812-adcf-37e0c5db45f6',
					code: 'C4',
					title: 'Listening and feedback',
					description: 'Listening actively, and giving and using feedback.'
				}
			]
		},
		{
			identifier: '6f7a13f3-b3d5-48ac-bfeb-d4d45a24a018',
			code: 'A',
			title: 'Attitudes and values',
			colour: '#a21caf',
			description: 'The dispositions that make learning and work go well.',
			children: [
				{
					identifier: 'ee1a8239-bce3-4ce4-8435-5d0bc95ae7f0',
					code: 'A1',
					title: 'Initiative and drive',
					description: 'Starting things and pushing them forward unprompted.'
				},
				{
					identifier: '04fe281c-f480-42d8-a52e-06205e20fefc',
					code: 'A2',
					title: 'Perseverance',
					description: 'Keeping going through difficulty and setbacks.'
				},
				{
					identifier: 'e98ff06d-b318-4645-bcf5-20c1681c3f7b',
					code: 'A3',
					title: 'Openness and flexibility',
					description: 'Responding well to change and to other views.'
				},
				{
					identifier: '3e51ae9c-209c-46b2-9dbf-1fede29b0675',
					code: 'A4',
					title: 'Responsibility and self-management',
					description: 'Owning your work, your conduct and your commitments.'
				}
			]
		},
		{
			identifier: 'fcb02190-1f84-45dd-bc6b-9018c7bb6534',
			code: 'P',
			title: 'Practical and professional skills',
			colour: '#0f766e',
			description: 'Getting real work done well, to a professional standard.',
			children: [
				{
					identifier: '826120eb-3b7d-490a-ae4f-3da245d63c0b',
					code: 'P1',
					title: 'Planning and time management',
					description: 'Planning steps, managing time and meeting deadlines.'
				},
				{
					identifier: '02535f29-6dbd-4187-8946-4e17ffbd226f',
					code: 'P2',
					title: 'Working independently',
					description: 'Making progress and decisions without constant direction.'
				},
				{
					identifier: '0df627d2-1a8d-425b-bd96-be0a9cea418e',
					code: 'P3',
					title: 'Practical and technical skill',
					description: 'Using tools, techniques and methods accurately and safely.'
				},
				{
					identifier: 'e35bf32a-82ae-4043-ae03-a00290532866',
					code: 'P4',
					title: 'Presenting finished work',
					description: 'Presenting the final product professionally for its audience.'
				}
			]
		},
		{
			identifier: '2bad015e-d284-4fce-85ee-0855e33f98d2',
			code: 'R',
			title: 'Research and critical thinking',
			colour: '#b45309',
			description: 'Finding things out, questioning them and reasoning to sound conclusions.',
			children: [
				{
					identifier: '8eeb872f-c91a-4351-8c78-e1bdef4776cd',
					code: 'R1',
					title: 'Investigating and researching',
					description: 'Finding, selecting and recording relevant information.'
				},
				{
					identifier: '4905f6ca-e2e2-4cb7-9194-60e8d15370a2',
					code: 'R2',
					title: 'Questioning and reasoning',
					description: 'Testing claims and assumptions, and arguing from evidence.'
				},
				{
					identifier: '6bc01817-06f5-437c-8ed0-29659ad27cbc',
					code: 'R3',
					title: 'Analysing and evaluating',
					description: 'Breaking down information and judging its quality.'
				},
				{
					identifier: '31a24259-2631-43dc-9c42-383961342ce6',
					code: 'R4',
					title: 'Solving problems',
					description: 'Working out approaches to problems and testing solutions.'
				}
			]
		},
		{
			identifier: '4e965c94-4e2e-4752-b29c-f0fa475f6b40',
			code: 'I',
			title: 'Innovation and creativity',
			colour: '#be123c',
			description: 'Imagining new possibilities and turning them into something real.',
			children: [
				{
					identifier: '3f83819e-136f-4a74-8489-dedacc610c10',
					code: 'I1',
					title: 'Generating ideas',
					description: 'Producing many and varied original ideas.'
				},
				{
					identifier: 'a6d332b8-2534-4942-92c7-91fce901a222',
					code: 'I2',
					title: 'Experimenting and taking creative risks',
					description: 'Trying the untested and learning from what fails.'
				},
				{
					identifier: '410152a3-af5f-4000-8d6b-f6786b9eb724',
					code: 'I3',
					title: 'Developing and refining ideas',
					description: 'Improving an idea through iteration into a strong solution.'
				},
				{
					identifier: 'cd8e3ffd-f6f0-4310-ad6e-dee59eeb3f43',
					code: 'I4',
					title: 'Enterprise and application',
					description: 'Applying ideas to a real need, audience or market.'
				}
			]
		}
	]
};

/**
 * The default crosswalk, by code: each CAPRI sub-category → Fusion Skills with relative weights.
 * The reasoning is in docs/CROSSWALK.md. Schools can edit it per sub-category.
 */
export const DEFAULT_CROSSWALK: Record<string, Record<string, number>> = {
	C1: { 'FS-01': 1 },
	C2: { 'FS-07': 1 },
	C3: { 'FS-02': 1 },
	C4: { 'FS-02': 0.5, 'FS-01': 0.5 },
	A1: { 'FS-03': 1 },
	A2: { 'FS-10': 1 },
	A3: { 'FS-06': 1 },
	A4: { 'FS-08': 0.6, 'FS-05': 0.4 },
	P1: { 'FS-05': 1 },
	P2: { 'FS-08': 0.7, 'FS-03': 0.3 },
	P3: { 'FS-04': 0.6, 'FS-08': 0.4 },
	P4: { 'FS-07': 0.5, 'FS-01': 0.5 },
	R1: { 'FS-09': 0.5, 'FS-12': 0.5 },
	R2: { 'FS-09': 1 },
	R3: { 'FS-12': 1 },
	R4: { 'FS-04': 1 },
	I1: { 'FS-11': 1 },
	I2: { 'FS-11': 0.6, 'FS-10': 0.4 },
	I3: { 'FS-11': 0.5, 'FS-04': 0.5 },
	I4: { 'FS-03': 0.6, 'FS-06': 0.4 }
};
