import { sha256Hex } from './badge-credential';
import { itemUri } from './case';

/**
 * A learner's Comprehensive Learner Record 2.0 (`ClrCredential`): the Open Badges 3.0 credentials
 * the school signed for them, their Fusion Skills levels and their self-assessment calibration,
 * as one credential the school signs. Pure: the caller gathers the facts, signs the skill
 * credentials this returns and then the record itself.
 *
 * What goes in is the least that makes the record useful to the next school or an employer: the
 * badges exactly as they were signed (generic evidence only), each skill's level in the words of
 * the school scale and as a percentage, the learner's own view of it, and two figures about how
 * well they judge their own work. No task titles, comments, reflections or evidence files.
 */

export const CLR_CONTEXTS = [
	'https://www.w3.org/ns/credentials/v2',
	'https://purl.imsglobal.org/spec/clr/v2p0/context.json',
	'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json',
	'https://purl.imsglobal.org/spec/ob/v3p0/extensions.json'
];
export const CLR_SCHEMA =
	'https://purl.imsglobal.org/spec/clr/v2p0/schema/json/clr_v2p0_clrcredential_schema.json';
const OB3_CONTEXTS = [
	'https://www.w3.org/ns/credentials/v2',
	'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json',
	'https://purl.imsglobal.org/spec/ob/v3p0/extensions.json'
];
const OB3_SCHEMA =
	'https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json';

export interface ClrIssuer {
	/** The school's issuer identifier: the controller of the key that signs (a URL or a did:web). */
	id: string;
	name: string;
	url: string;
}

export interface ClrSkill {
	/** The Fusion Skill's CASE identifier (its CFItem is `/frameworks/items/{identifier}`). */
	identifier: string;
	code: string;
	title: string;
	description: string;
	frameworkTitle: string;
	/** 0–1, the teacher-assessed level; skills without evidence are left out by the caller. */
	level: number;
	selfLevel: number | null;
	evidenceCount: number;
}

export interface ClrCalibration {
	tasksCompared: number;
	/** mean |self − teacher| in bands over those tasks */
	meanAbsoluteGap: number;
	/** positive: the learner rates themself higher than the teacher does */
	meanSignedGap: number;
}

export interface ClrFacts {
	origin: string;
	/** `urn:uuid:…`, fresh for each record */
	id: string;
	issuedAt: string;
	issuer: ClrIssuer;
	/**
	 * A status entry (BitstringStatusListEntry) for the record, when the school publishes one; the
	 * builder copies it in as given.
	 */
	credentialStatus?: Record<string, unknown>;
	/** The learner's name, hashed with `identitySalt` (published beside it: see `clrSubjectIdentity`). */
	learnerName: string;
	identitySalt: string;
	levelLabels: readonly string[];
	skills: ClrSkill[];
	calibration: ClrCalibration | null;
}

/** A stable `urn:uuid` from a name, so the same achievement has the same id in every record. */
export function nameUuid(name: string): string {
	const hex = sha256Hex(name).slice(0, 32).split('');
	hex[12] = '5';
	hex[16] = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
	const h = hex.join('');
	return `urn:uuid:${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export const skillAchievementId = (skillIdentifier: string) =>
	nameUuid(`fusion-skills:level:${skillIdentifier}`);
const CALIBRATION_ACHIEVEMENT_ID = nameUuid('fusion-skills:self-assessment-calibration');

/**
 * The record names its learner by a salted hash of their name with the salt beside it: whoever the
 * learner gives the record to can check it is about them. The salt beside it means anyone holding a
 * copy and a class list can try names against it, so the hash hides the name only from a casual
 * reader: the record is a private download the learner hands on, never published by the app.
 */
function clrSubjectIdentity(name: string, salt: string) {
	return {
		type: 'IdentityObject',
		identityHash: `sha256$${sha256Hex(name + salt)}`,
		identityType: 'name',
		hashed: true,
		salt
	};
}

const percent = (level: number) => String(Math.round(level * 100));
/** The band of the school scale a level falls in, as levelWords counts it. */
const bandIndex = (level: number, labels: readonly string[]) =>
	Math.min(labels.length - 1, Math.floor(level * labels.length));

function skillAchievement(origin: string, skill: ClrSkill, labels: readonly string[]) {
	const id = skillAchievementId(skill.identifier);
	const levels = (prefix: string) =>
		labels.map((label, i) => ({
			id: `${id}#${prefix}-${i + 1}`,
			type: ['RubricCriterionLevel'],
			name: label,
			level: String(i + 1)
		}));
	return {
		id,
		type: ['Achievement'],
		achievementType: 'Competency',
		name: `Fusion Skill: ${skill.title}`,
		description: skill.description,
		humanCode: skill.code,
		criteria: {
			narrative:
				'The level is the weighted mean of the teacher’s released judgements on every assessed criterion mapped to this skill (task weight × the criterion’s share of the skill), in the bands of the school scale. The self-assessed level is the learner’s own judgement on the same criteria.'
		},
		alignment: [
			{
				type: ['Alignment'],
				targetName: skill.title,
				targetUrl: itemUri(origin, skill.identifier),
				targetCode: skill.code,
				targetFramework: skill.frameworkTitle,
				targetType: 'CFItem'
			}
		],
		resultDescription: [
			{
				id: `${id}#teacher-level`,
				type: ['ResultDescription'],
				name: 'Teacher-assessed level',
				resultType: 'RubricCriterionLevel',
				rubricCriterionLevel: levels('teacher-level')
			},
			{
				id: `${id}#self-level`,
				type: ['ResultDescription'],
				name: 'Self-assessed level',
				resultType: 'RubricCriterionLevel',
				rubricCriterionLevel: levels('self-level')
			},
			{
				id: `${id}#percent`,
				type: ['ResultDescription'],
				name: 'Teacher-assessed level as a percentage of the scale',
				resultType: 'Percent',
				valueMin: '0',
				valueMax: '100'
			}
		]
	};
}

function calibrationAchievement() {
	const id = CALIBRATION_ACHIEVEMENT_ID;
	return {
		id,
		type: ['Achievement'],
		achievementType: 'Assessment',
		name: 'Self-assessment calibration',
		description:
			'How closely the learner’s judgements of their own work matched their teachers’ on the same criteria.',
		criteria: {
			narrative:
				'Over every released task where the learner judged their own work, the mean distance between their judgement and the teacher’s, in bands of the school scale (0 means they always agreed), and the same with its sign (above 0: the learner rated themself higher).'
		},
		resultDescription: [
			{
				id: `${id}#mean-absolute-gap`,
				type: ['ResultDescription'],
				name: 'Mean distance from the teacher’s judgement, in bands',
				resultType: 'RawScore',
				valueMin: '0'
			},
			{
				id: `${id}#mean-signed-gap`,
				type: ['ResultDescription'],
				name: 'Mean signed difference from the teacher’s judgement, in bands',
				resultType: 'RawScore'
			},
			{
				id: `${id}#tasks-compared`,
				type: ['ResultDescription'],
				name: 'Tasks compared',
				resultType: 'RawScore',
				valueMin: '1'
			}
		]
	};
}

function achievementCredential(
	facts: ClrFacts,
	suffix: string,
	achievement: Record<string, unknown>,
	result: Record<string, unknown>[]
) {
	return {
		'@context': OB3_CONTEXTS,
		// Derived from the record's id: each record's credentials are its own.
		id: nameUuid(`${facts.id}:${suffix}`),
		type: ['VerifiableCredential', 'AchievementCredential'],
		name: String(achievement.name),
		issuer: {
			id: facts.issuer.id,
			type: ['Profile'],
			name: facts.issuer.name,
			url: facts.issuer.url
		},
		validFrom: facts.issuedAt,
		credentialSubject: {
			type: ['AchievementSubject'],
			identifier: [clrSubjectIdentity(facts.learnerName, facts.identitySalt)],
			achievement,
			result
		},
		credentialSchema: [{ id: OB3_SCHEMA, type: '1EdTechJsonSchemaValidator2019' }],
		// The record's entry: one taken out of the record is withdrawn with it.
		...(facts.credentialStatus ? { credentialStatus: facts.credentialStatus } : {})
	};
}

/**
 * One Open Badges 3.0 AchievementCredential per Fusion Skill with evidence, and one for the
 * calibration, unsigned: the caller signs each (so each verifies on its own when a wallet takes it
 * out of the record) and passes them back to `clrCredential`.
 */
export function skillCredentials(facts: ClrFacts) {
	const out = facts.skills.map((skill) => {
		const achievement = skillAchievement(facts.origin, skill, facts.levelLabels);
		const id = achievement.id;
		const result: Record<string, unknown>[] = [
			{
				type: ['Result'],
				resultDescription: `${id}#teacher-level`,
				achievedLevel: `${id}#teacher-level-${bandIndex(skill.level, facts.levelLabels) + 1}`
			},
			{ type: ['Result'], resultDescription: `${id}#percent`, value: percent(skill.level) }
		];
		if (skill.selfLevel !== null)
			result.push({
				type: ['Result'],
				resultDescription: `${id}#self-level`,
				achievedLevel: `${id}#self-level-${bandIndex(skill.selfLevel, facts.levelLabels) + 1}`
			});
		return achievementCredential(facts, skill.code, achievement, result);
	});
	if (facts.calibration) {
		const achievement = calibrationAchievement();
		const id = achievement.id;
		const c = facts.calibration;
		out.push(
			achievementCredential(facts, 'calibration', achievement, [
				{
					type: ['Result'],
					resultDescription: `${id}#mean-absolute-gap`,
					value: String(c.meanAbsoluteGap)
				},
				{
					type: ['Result'],
					resultDescription: `${id}#mean-signed-gap`,
					value: String(c.meanSignedGap)
				},
				{
					type: ['Result'],
					resultDescription: `${id}#tasks-compared`,
					value: String(c.tasksCompared)
				}
			])
		);
	}
	return out;
}

interface CredentialLike {
	credentialSubject?: { achievement?: { id?: string; alignment?: { targetUrl?: string }[] } };
}

/**
 * The record: every credential (badges as signed, skills and calibration as signed by the caller)
 * in `verifiableCredential`; the skill and calibration achievements in `achievement`; and an
 * `isRelatedTo` association from each badge to each Fusion Skill it is aligned to, so a reader
 * sees which skills a badge stands for without resolving its alignments.
 */
export function clrCredential(facts: ClrFacts, credentials: Record<string, unknown>[]) {
	const achievements: Record<string, unknown>[] = facts.skills.map((s) =>
		skillAchievement(facts.origin, s, facts.levelLabels)
	);
	if (facts.calibration) achievements.push(calibrationAchievement());
	const skillByUri = new Map(
		facts.skills.map((s) => [itemUri(facts.origin, s.identifier), skillAchievementId(s.identifier)])
	);
	const association = credentials.flatMap((c) => {
		const achievement = (c as CredentialLike).credentialSubject?.achievement;
		if (!achievement?.id || skillByUri.has(achievement.id)) return [];
		return (achievement.alignment ?? []).flatMap((a) => {
			const target = a.targetUrl ? skillByUri.get(a.targetUrl) : undefined;
			return target && target !== achievement.id
				? [
						{
							type: 'Association',
							associationType: 'isRelatedTo',
							sourceId: achievement.id,
							targetId: target
						}
					]
				: [];
		});
	});
	return {
		'@context': CLR_CONTEXTS,
		id: facts.id,
		type: ['VerifiableCredential', 'ClrCredential'],
		name: `Comprehensive Learner Record from ${facts.issuer.name}`,
		description:
			'Badges, Fusion Skills levels and self-assessment calibration, as the school recorded them on the day of issue.',
		issuer: {
			id: facts.issuer.id,
			type: ['Profile'],
			name: facts.issuer.name,
			url: facts.issuer.url
		},
		validFrom: facts.issuedAt,
		credentialSubject: {
			// No `identifier` here: the CLR 2.0 context does not define the term for a ClrSubject (the
			// schema lists it, JSON-LD safe mode drops it and signing fails). The learner is named in
			// each credential inside, by the same hash.
			type: ['ClrSubject'],
			verifiableCredential: credentials,
			achievement: achievements,
			association
		},
		credentialSchema: [{ id: CLR_SCHEMA, type: '1EdTechJsonSchemaValidator2019' }],
		...(facts.credentialStatus ? { credentialStatus: facts.credentialStatus } : {})
	};
}

/** Per-task calibration folded into the record's three figures (null when never compared). */
export function overallCalibration(
	perTask: readonly { meanAbsoluteGap: number; meanSignedGap: number }[]
): ClrCalibration | null {
	if (perTask.length === 0) return null;
	const mean = (pick: (t: (typeof perTask)[number]) => number) =>
		Math.round((perTask.reduce((s, t) => s + pick(t), 0) / perTask.length) * 100) / 100;
	return {
		tasksCompared: perTask.length,
		meanAbsoluteGap: mean((t) => t.meanAbsoluteGap),
		meanSignedGap: mean((t) => t.meanSignedGap)
	};
}
