import { sha256 } from '@oslojs/crypto/sha2';
import { encodeHexLowerCase } from '@oslojs/encoding';

/**
 * An award as Open Badges documents: the 3.0 credential (to be signed with the school's key) and
 * the 2.0 hosted assertion, from facts the caller has gathered and the randomness it has drawn.
 * Pure, so the documents can be checked without a database.
 */

const OB3_CONTEXTS = [
	'https://www.w3.org/ns/credentials/v2',
	'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json',
	'https://purl.imsglobal.org/spec/ob/v3p0/extensions.json'
];
const OB3_SCHEMA =
	'https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json';

export const issuerUrl = (origin: string, slug: string) => `${origin}/badges/issuers/${slug}`;
export const awardUrl = (origin: string, identifier: string) =>
	`${origin}/badges/awards/${identifier}`;
export const badgeClassUrl = (origin: string, identifier: string) =>
	`${origin}/badges/classes/${identifier}`;

/**
 * One qualifying task as it was at issue: the criteria met and the band reached (generic, always
 * public), and the words that stay private unless the learner opts in on that award.
 */
export interface TaskEvidence {
	taskTitle: string;
	criteria: { code: string; title: string; band: string }[];
	/** The learner's own reflections on those criteria. */
	ownWords: string[];
	/** The teacher's comments on those criteria. */
	teacherComments: string[];
}

/** What an award stores as its evidence (`badge_awards.evidence_json`). */
export interface AwardEvidence {
	tasks: TaskEvidence[];
	/** The learner's note when they asked for the badge: their own words too. */
	requestNote: string | null;
}

/** What the learner has chosen to show on one award's public page (both off by default). */
export interface EvidenceSharing {
	ownWords: boolean;
	teacherComments: boolean;
}

/**
 * A credential's revocation entry (W3C Bitstring Status List v1.0): the index of its bit in the
 * issuer's signed status list credential.
 */
export interface BitstringStatusListEntry {
	id: string;
	type: 'BitstringStatusListEntry';
	statusPurpose: 'revocation';
	statusListIndex: string;
	statusListCredential: string;
}

export interface AwardFacts {
	origin: string;
	/** The award's own identifier, in its public URLs. */
	identifier: string;
	issuedAt: string;
	/** The school: its DID (`id`) and name, given as an OB 3.0 Profile. */
	issuer: { id: string; name: string };
	/** Where verifiers read whether the credential has been revoked. */
	credentialStatus: BitstringStatusListEntry;
	recipientName: string;
	/**
	 * Salt of the credential's hashed name. It is NOT published in the credential: with the salt
	 * beside the hash, a class list would give the name back. The learner is given it, to share
	 * with whoever they want to prove the badge is theirs.
	 */
	identitySalt: string;
	/** Salt of the OB 2.0 assertion's hashed recipient (a URL of the award, not a name). */
	recipientSalt: string;
	badge: {
		identifier: string;
		name: string;
		description: string;
		criteriaNarrative: string;
		layerLabel: string;
	};
	ruleText: string;
	alignments: { identifier: string; code: string; title: string; frameworkTitle: string }[];
	evidence: AwardEvidence;
}

export const sha256Hex = (text: string) =>
	encodeHexLowerCase(sha256(new TextEncoder().encode(text)));

/** The credential's recipient hash: what anyone given the name and the learner's salt can check. */
export const identityHash = (recipientName: string, identitySalt: string) =>
	`sha256$${sha256Hex(recipientName + identitySalt)}`;

/** Generic evidence, for the signed credential and the assertion: task, criterion, band. */
export function genericEvidenceItems(evidence: AwardEvidence) {
	return evidence.tasks.map((t) => ({
		type: ['Evidence'],
		name: t.taskTitle,
		narrative: t.criteria
			.map((c) => `${c.code} ${c.title}: ${c.band} reached.`.replace(/\s+:/, ':'))
			.join(' '),
		genre: 'Assessed task',
		audience: 'Teacher and learner'
	}));
}

/**
 * The evidence on the public HTML page: the generic items, plus what the learner chose to show.
 * Nobody else's name is ever part of it (teachers' comments are shown unattributed).
 */
export function publicEvidence(evidence: AwardEvidence, sharing: EvidenceSharing) {
	const items = genericEvidenceItems(evidence).map((item, i) => {
		const task = evidence.tasks[i]!;
		return {
			name: item.name,
			narrative: item.narrative,
			ownWords: sharing.ownWords ? task.ownWords : [],
			teacherComments: sharing.teacherComments ? task.teacherComments : []
		};
	});
	if (sharing.ownWords && evidence.requestNote)
		items.push({
			name: 'Learner’s request',
			narrative: '',
			ownWords: [evidence.requestNote],
			teacherComments: []
		});
	return items;
}

/**
 * The award as documents. Only generic evidence goes into them: the 3.0 credential is signed once
 * and copied into backpacks and baked images, where a later change of mind could never reach it,
 * and the 2.0 assertion is imported the same way. The learner's words and the teacher's comments
 * appear only on the public HTML page, and only while the learner chooses.
 */
export function badgeCredential(facts: AwardFacts) {
	const { origin, identifier, issuedAt, recipientName, identitySalt, badge } = facts;
	const achievementId = badgeClassUrl(origin, badge.identifier);
	const evidenceItems = genericEvidenceItems(facts.evidence);
	const credential = {
		'@context': OB3_CONTEXTS,
		id: `${awardUrl(origin, identifier)}/credential.json`,
		type: ['VerifiableCredential', 'OpenBadgeCredential'],
		name: badge.name,
		issuer: { id: facts.issuer.id, type: ['Profile'], name: facts.issuer.name, url: origin },
		validFrom: issuedAt,
		credentialSubject: {
			type: ['AchievementSubject'],
			identifier: [
				{
					type: 'IdentityObject',
					identityHash: identityHash(recipientName, identitySalt),
					identityType: 'name',
					hashed: true
				}
			],
			achievement: {
				id: achievementId,
				type: ['Achievement'],
				achievementType: 'Badge',
				name: badge.name,
				description: badge.description,
				criteria: {
					id: achievementId,
					narrative: `${badge.criteriaNarrative}\n\nAward rule: ${facts.ruleText}`
				},
				image: { id: `${achievementId}/image`, type: 'Image' },
				tag: [badge.layerLabel],
				alignment: facts.alignments.map((a) => ({
					type: ['Alignment'],
					targetName: a.title,
					targetUrl: `${origin}/frameworks/items/${a.identifier}`,
					targetCode: a.code,
					targetFramework: a.frameworkTitle,
					targetType: 'CFItem'
				}))
			}
		},
		evidence: evidenceItems,
		credentialStatus: facts.credentialStatus,
		credentialSchema: [{ id: OB3_SCHEMA, type: '1EdTechJsonSchemaValidator2019' }]
	};
	const salt = facts.recipientSalt;
	const ob2 = {
		'@context': 'https://w3id.org/openbadges/v2',
		type: 'Assertion',
		id: `${awardUrl(origin, identifier)}/ob2`,
		recipient: {
			type: 'url',
			hashed: true,
			salt,
			identity: `sha256$${sha256Hex(`${awardUrl(origin, identifier)}#recipient${salt}`)}`
		},
		badge: `${achievementId}/ob2`,
		verification: { type: 'HostedBadge' },
		issuedOn: issuedAt,
		evidence: evidenceItems.map((e) => ({ name: e.name, narrative: e.narrative }))
	};
	return { evidenceItems, credential, ob2 };
}
