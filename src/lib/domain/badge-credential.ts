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

export interface AwardFacts {
	origin: string;
	/** The award's own identifier, in its public URLs. */
	identifier: string;
	issuedAt: string;
	issuer: { id: string; name: string };
	recipientName: string;
	/** Salts for the hashed name in the credential and the hashed recipient in the assertion. */
	nameSalt: string;
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
	taskEvidence: { taskTitle: string; narrative: string }[];
	requestNote: string | null;
}

const sha256Hex = (text: string) => encodeHexLowerCase(sha256(new TextEncoder().encode(text)));

export function badgeCredential(facts: AwardFacts) {
	const { origin, identifier, issuedAt, recipientName, nameSalt, badge } = facts;
	// The credential carries only a salted hash of the name; the public page shows the name as the
	// learner chooses to share it (full name by default, which they can shorten later).
	const achievementId = badgeClassUrl(origin, badge.identifier);
	const evidenceItems = [
		...facts.taskEvidence.map((d) => ({
			type: ['Evidence'],
			name: d.taskTitle,
			narrative: d.narrative,
			genre: 'Assessed task',
			audience: 'Teacher and learner'
		})),
		...(facts.requestNote
			? [
					{
						type: ['Evidence'],
						name: 'Learner’s request',
						narrative: facts.requestNote,
						genre: 'Reflection',
						audience: 'Teacher'
					}
				]
			: [])
	];
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
					identityHash: `sha256$${sha256Hex(recipientName + nameSalt)}`,
					identityType: 'name',
					hashed: true,
					salt: nameSalt
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
		evidence: evidenceItems.map((e) => ({ narrative: `${e.name}: ${e.narrative}` }))
	};
	return { evidenceItems, credential, ob2 };
}
