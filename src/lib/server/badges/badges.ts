import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { DB } from '../db/connection';
import type { SessionUser } from '../auth/sessions';
import { hasRole, requireLearnerAccess } from '../auth/guards';
import { recordAudit } from '../audit';
import { nowIso } from '../assessment/shared';
import { capriTree, fusionSkills } from '../frameworks/frameworks';
import { releasedResults } from '../profiles/results';
import { LEVEL_LABELS } from '../profiles/profiles';
import { FUSION_SKILLS } from '../../domain/frameworks';
import { checkAwardRule, describeRule, type AwardRule } from '../../domain/badge-rules';
import { generateIssuerKey, signCredential, verifySignedCredential, keyDocuments, type IssuerKey } from './signing';
import { generatedBadgeSvg } from './images';
import { Refusal } from '../errors';

export const LAYERS = ['engage', 'participate', 'demonstrate', 'lead'] as const;
export type Layer = (typeof LAYERS)[number];
export const LAYER_LABEL: Record<Layer, string> = { engage: 'Engage', participate: 'Participate', demonstrate: 'Demonstrate', lead: 'Lead' };

const OB3_CONTEXTS = ['https://www.w3.org/ns/credentials/v2', 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json', 'https://purl.imsglobal.org/spec/ob/v3p0/extensions.json'];
const OB3_SCHEMA = 'https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json';

export const issuerUrl = (origin: string, slug: string) => `${origin}/badges/issuers/${slug}`;
export const awardUrl = (origin: string, identifier: string) => `${origin}/badges/awards/${identifier}`;
export const badgeClassUrl = (origin: string, identifier: string) => `${origin}/badges/classes/${identifier}`;

/** The school's signing key, made the first time it is needed (at set-up or the first award). */
export async function schoolKey(db: DB, schoolId: number, origin: string): Promise<Required<IssuerKey>> {
	const school = await db.selectFrom('schools').select(['slug']).where('id', '=', schoolId).executeTakeFirstOrThrow();
	const controller = issuerUrl(origin, school.slug);
	const existing = await db
		.selectFrom('signing_keys')
		.select(['key_id', 'public_key_multibase', 'secret_key_multibase'])
		.where('school_id', '=', schoolId)
		.where('retired_at', 'is', null)
		.where('key_id', 'like', `${controller}#%`)
		.orderBy('id', 'desc')
		.executeTakeFirst();
	if (existing) return { controller, keyId: existing.key_id, publicKeyMultibase: existing.public_key_multibase, secretKeyMultibase: existing.secret_key_multibase };
	const key = await generateIssuerKey(controller);
	await db
		.insertInto('signing_keys')
		.values({ school_id: schoolId, key_id: key.keyId, public_key_multibase: key.publicKeyMultibase, secret_key_multibase: key.secretKeyMultibase, created_at: nowIso() })
		.execute();
	return key;
}

/** Every key the school has published (retired ones still verify old awards). */
export async function publishedKeys(db: DB, slug: string, origin: string): Promise<IssuerKey[]> {
	const controller = issuerUrl(origin, slug);
	const rows = await db
		.selectFrom('signing_keys')
		.innerJoin('schools', 'schools.id', 'signing_keys.school_id')
		.select(['signing_keys.key_id', 'signing_keys.public_key_multibase'])
		.where('schools.slug', '=', slug)
		.execute();
	return rows.filter((r) => r.key_id.startsWith(`${controller}#`)).map((r) => ({ controller, keyId: r.key_id, publicKeyMultibase: r.public_key_multibase }));
}

/** The issuer profile, which is also the controller document listing the school's keys. */
export async function issuerDocument(db: DB, slug: string, origin: string) {
	const school = await db.selectFrom('schools').select(['name', 'slug']).where('slug', '=', slug).executeTakeFirst();
	if (!school) return null;
	const keys = await publishedKeys(db, slug, origin);
	const controller = issuerUrl(origin, slug);
	return {
		'@context': keys.length ? keyDocuments(keys[0]!).controller['@context'] : ['https://www.w3.org/ns/did/v1'],
		id: controller,
		assertionMethod: keys.map((k) => k.keyId),
		verificationMethod: keys.map((k) => ({ id: k.keyId, type: 'Multikey', controller, publicKeyMultibase: k.publicKeyMultibase }))
	};
}

export interface BadgeInput {
	name: string;
	description: string;
	criteriaNarrative: string;
	layer: Layer;
	rule: AwardRule;
	alignmentItemIds: number[];
	image?: { mime: 'image/png' | 'image/svg+xml'; data: Buffer };
}

export async function createBadge(db: DB, admin: SessionUser, input: BadgeInput) {
	const [skills, capri] = await Promise.all([fusionSkills(db), capriTree(db)]);
	const items = new Map([...skills.map((s) => [s.id, s] as const), ...capri.flatMap((c) => [[c.id, c] as const, ...c.subCategories.map((s) => [s.id, s] as const)])]);
	if (input.alignmentItemIds.length === 0) throw new Refusal('Align the badge to at least one Fusion Skill or CAPRI category.');
	if (input.alignmentItemIds.some((id) => !items.has(id))) throw new Refusal('Align only to Fusion Skills or CAPRI items.');
	if (input.rule.kind === 'skill' && !skills.some((s) => s.id === Number(input.rule.target))) throw new Refusal('Choose a Fusion Skill for the award rule.');
	if (input.rule.kind === 'capri' && !capri.some((c) => c.code === input.rule.target)) throw new Refusal('Choose a CAPRI category for the award rule.');
	const colour = input.rule.kind === 'capri' ? capri.find((c) => c.code === input.rule.target)?.colour : null;
	const image = input.image ?? { mime: 'image/svg+xml' as const, data: Buffer.from(generatedBadgeSvg(input.name, input.layer, colour)) };
	return db.transaction().execute(async (trx) => {
		const { id } = await trx
			.insertInto('badges')
			.values({
				school_id: admin.schoolId,
				identifier: randomUUID(),
				name: input.name,
				description: input.description,
				criteria_narrative: input.criteriaNarrative,
				image_mime: image.mime,
				image_data: image.data,
				layer: input.layer,
				rule_json: JSON.stringify(input.rule),
				created_by: admin.id,
				created_at: nowIso()
			})
			.returning('id')
			.executeTakeFirstOrThrow();
		await trx.insertInto('badge_alignments').values([...new Set(input.alignmentItemIds)].map((framework_item_id) => ({ badge_id: id, framework_item_id }))).execute();
		await recordAudit(trx, { schoolId: admin.schoolId, actorId: admin.id, action: 'badge.create', entityType: 'badge', entityId: String(id), after: { name: input.name, rule: input.rule } });
		return id;
	});
}

async function ruleTargetName(db: DB, rule: AwardRule) {
	if (rule.kind === 'skill') return (await fusionSkills(db)).find((s) => s.id === Number(rule.target))?.title ?? 'a Fusion Skill';
	const category = (await capriTree(db)).find((c) => c.code === rule.target);
	return category ? `${category.code} ${category.title}` : 'a CAPRI category';
}

export async function listBadges(db: DB, schoolId: number) {
	const badges = await db
		.selectFrom('badges')
		.select((eb) => [
			'badges.id',
			'badges.identifier',
			'badges.name',
			'badges.description',
			'badges.layer',
			'badges.rule_json as ruleJson',
			'badges.active',
			eb.selectFrom('badge_awards').select((e) => e.fn.countAll<number>().as('n')).whereRef('badge_awards.badge_id', '=', 'badges.id').where('badge_awards.state', '=', 'issued').as('issued')
		])
		.where('badges.school_id', '=', schoolId)
		.orderBy('badges.name')
		.execute();
	const out = [];
	for (const b of badges) {
		const rule = JSON.parse(b.ruleJson) as AwardRule;
		out.push({ ...b, issued: Number(b.issued ?? 0), rule, ruleText: describeRule(rule, await ruleTargetName(db, rule), LEVEL_LABELS) });
	}
	return out;
}

/**
 * What a teacher acts on: learners the rule proposes (meeting it, not yet awarded), learners'
 * requests, and awards already issued — limited to learners the teacher teaches (admins: all).
 */
export async function badgeWorkbench(db: DB, user: SessionUser) {
	const badges = (await listBadges(db, user.schoolId)).filter((b) => b.active === 1);
	const learners = await db
		.selectFrom('memberships')
		.innerJoin('users', 'users.id', 'memberships.user_id')
		.select(['users.id', 'users.given_name as givenName', 'users.family_name as familyName'])
		.where('memberships.school_id', '=', user.schoolId)
		.where('memberships.role', '=', 'student')
		.where('users.active', '=', 1)
		.$if(!hasRole(user, 'admin'), (qb) =>
			qb.where('users.id', 'in', (eb) =>
				eb.selectFrom('enrolments').innerJoin('class_teachers', 'class_teachers.class_id', 'enrolments.class_id').select('enrolments.learner_id').where('class_teachers.teacher_id', '=', user.id)
			)
		)
		.orderBy('users.family_name')
		.execute();
	const ids = new Set(learners.map((l) => l.id));
	const name = new Map(learners.map((l) => [l.id, `${l.givenName} ${l.familyName}`]));
	const [results, awards] = await Promise.all([
		releasedResults(db, { schoolId: user.schoolId }),
		db
			.selectFrom('badge_awards')
			.innerJoin('badges', 'badges.id', 'badge_awards.badge_id')
			.select(['badge_awards.id', 'badge_awards.identifier', 'badge_awards.badge_id as badgeId', 'badge_awards.learner_id as learnerId', 'badge_awards.state', 'badge_awards.request_note as note', 'badge_awards.issued_at as issuedAt', 'badge_awards.revoked_at as revokedAt'])
			.where('badges.school_id', '=', user.schoolId)
			.orderBy('badge_awards.id', 'desc')
			.execute()
	]);
	const mine = awards.filter((a) => a.learnerId !== null && ids.has(a.learnerId));
	const proposals = [];
	for (const badge of badges) {
		for (const learner of learners) {
			if (mine.some((a) => a.badgeId === badge.id && a.learnerId === learner.id && (a.state === 'issued' || a.state === 'requested'))) continue;
			const evidence = checkAwardRule(results.get(learner.id) ?? [], badge.rule);
			if (evidence.met) proposals.push({ badgeId: badge.id, badgeName: badge.name, learnerId: learner.id, learnerName: name.get(learner.id)!, evidence });
		}
	}
	return {
		badges,
		proposals,
		requests: mine.filter((a) => a.state === 'requested').map((a) => ({ ...a, learnerName: name.get(a.learnerId!)!, badgeName: badges.find((b) => b.id === a.badgeId)?.name ?? '' })),
		issued: mine.filter((a) => a.state === 'issued' || a.state === 'revoked').map((a) => ({ ...a, learnerName: name.get(a.learnerId!)!, badgeName: badges.find((b) => b.id === a.badgeId)?.name ?? '' }))
	};
}

export async function requestBadge(db: DB, learner: SessionUser, badgeId: number, note: string) {
	const badge = await db.selectFrom('badges').select(['id', 'name']).where('id', '=', badgeId).where('school_id', '=', learner.schoolId).where('active', '=', 1).executeTakeFirst();
	if (!badge) throw new Refusal('That badge does not exist.', 404);
	const open = await db.selectFrom('badge_awards').select('state').where('badge_id', '=', badgeId).where('learner_id', '=', learner.id).where('state', 'in', ['requested', 'issued']).executeTakeFirst();
	if (open) throw new Refusal(open.state === 'issued' ? 'You already have this badge.' : 'You have already asked for this badge; your teacher will look at it.', 409);
	await db.insertInto('badge_awards').values({ identifier: randomUUID(), badge_id: badgeId, learner_id: learner.id, state: 'requested', request_note: note, created_at: nowIso() }).execute();
}

/**
 * Issue a badge to a learner: as an Open Badges 3.0 credential signed by the school's key, and as
 * an Open Badges 2.0 hosted assertion. A teacher may issue what the rule proposes or what the
 * learner asked for; the evidence is the tasks that meet the rule, with reflection and comments.
 */
export async function issueBadge(db: DB, user: SessionUser, badgeId: number, learnerId: number, origin: string) {
	await requireLearnerAccess(db, user, learnerId);
	if (!hasRole(user, 'teacher', 'admin')) throw new Refusal('Only teachers and admins issue badges.', 403);
	const badge = await db.selectFrom('badges').selectAll().where('id', '=', badgeId).where('school_id', '=', user.schoolId).executeTakeFirst();
	if (!badge) throw new Refusal('That badge does not exist.', 404);
	const already = await db.selectFrom('badge_awards').select('id').where('badge_id', '=', badgeId).where('learner_id', '=', learnerId).where('state', '=', 'issued').executeTakeFirst();
	if (already) throw new Refusal('This learner already has this badge.', 409);
	const request = await db.selectFrom('badge_awards').select(['id', 'request_note']).where('badge_id', '=', badgeId).where('learner_id', '=', learnerId).where('state', '=', 'requested').executeTakeFirst();
	const rule = JSON.parse(badge.rule_json) as AwardRule;
	const results = (await releasedResults(db, { schoolId: user.schoolId, learnerId })).get(learnerId) ?? [];
	const evidence = checkAwardRule(results, rule);
	if (!evidence.met && !request) throw new Refusal('This learner does not meet the badge’s rule yet, and has not asked for it.', 409);

	const [school, learner, alignments, details] = await Promise.all([
		db.selectFrom('schools').select(['name', 'slug']).where('id', '=', user.schoolId).executeTakeFirstOrThrow(),
		db.selectFrom('users').select(['given_name', 'family_name']).where('id', '=', learnerId).executeTakeFirstOrThrow(),
		db
			.selectFrom('badge_alignments')
			.innerJoin('framework_items', 'framework_items.id', 'badge_alignments.framework_item_id')
			.innerJoin('frameworks', 'frameworks.id', 'framework_items.framework_id')
			.select(['framework_items.identifier', 'framework_items.code', 'framework_items.title', 'frameworks.title as frameworkTitle', 'frameworks.identifier as frameworkIdentifier'])
			.where('badge_alignments.badge_id', '=', badgeId)
			.execute(),
		evidenceDetails(db, learnerId, evidence.tasks)
	]);
	const key = await schoolKey(db, user.schoolId, origin);
	const identifier = randomUUID();
	const issuedAt = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
	const recipientName = `${learner.given_name} ${learner.family_name}`;
	// The credential carries only a salted hash of the name; the public page shows the name as the
	// learner chooses to share it (full name by default, which they can shorten later).
	const nameSalt = randomBytes(8).toString('hex');
	const achievementId = badgeClassUrl(origin, badge.identifier);
	const evidenceItems = [
		...details.map((d) => ({
			type: ['Evidence'],
			name: d.taskTitle,
			narrative: d.narrative,
			genre: 'Assessed task',
			audience: 'Teacher and learner'
		})),
		...(request?.request_note ? [{ type: ['Evidence'], name: 'Learner’s request', narrative: request.request_note, genre: 'Reflection', audience: 'Teacher' }] : [])
	];
	const credential = {
		'@context': OB3_CONTEXTS,
		id: `${awardUrl(origin, identifier)}/credential.json`,
		type: ['VerifiableCredential', 'OpenBadgeCredential'],
		name: badge.name,
		issuer: { id: key.controller, type: ['Profile'], name: school.name, url: origin },
		validFrom: issuedAt,
		credentialSubject: {
			type: ['AchievementSubject'],
			identifier: [{ type: 'IdentityObject', identityHash: `sha256$${createHash('sha256').update(recipientName + nameSalt).digest('hex')}`, identityType: 'name', hashed: true, salt: nameSalt }],
			achievement: {
				id: achievementId,
				type: ['Achievement'],
				achievementType: 'Badge',
				name: badge.name,
				description: badge.description,
				criteria: { id: achievementId, narrative: `${badge.criteria_narrative}\n\nAward rule: ${describeRule(rule, await ruleTargetName(db, rule), LEVEL_LABELS)}` },
				image: { id: `${achievementId}/image`, type: 'Image' },
				tag: [LAYER_LABEL[badge.layer as Layer]],
				alignment: alignments.map((a) => ({
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
	const signed = await signCredential(credential, key);

	const salt = randomBytes(8).toString('hex');
	const ob2 = {
		'@context': 'https://w3id.org/openbadges/v2',
		type: 'Assertion',
		id: `${awardUrl(origin, identifier)}/ob2`,
		recipient: { type: 'url', hashed: true, salt, identity: `sha256$${createHash('sha256').update(`${awardUrl(origin, identifier)}#recipient${salt}`).digest('hex')}` },
		badge: `${achievementId}/ob2`,
		verification: { type: 'HostedBadge' },
		issuedOn: issuedAt,
		evidence: evidenceItems.map((e) => ({ narrative: `${e.name}: ${e.narrative}` }))
	};

	await db.transaction().execute(async (trx) => {
		const values = {
			state: 'issued' as const,
			evidence_json: JSON.stringify(evidenceItems),
			recipient_name: recipientName,
			credential_json: JSON.stringify(signed),
			ob2_assertion_json: JSON.stringify(ob2),
			recipient_salt: salt,
			issued_at: issuedAt,
			issued_by: user.id
		};
		if (request) await trx.updateTable('badge_awards').set({ ...values, identifier }).where('id', '=', request.id).execute();
		else await trx.insertInto('badge_awards').values({ identifier, badge_id: badgeId, learner_id: learnerId, ...values, created_at: nowIso() }).execute();
		await recordAudit(trx, { schoolId: user.schoolId, actorId: user.id, action: 'badge.issue', entityType: 'badge_award', entityId: identifier, after: { badgeId, learnerId } });
	});
	return identifier;
}

/** Each qualifying task as evidence: the criteria and bands, the learner's reflection, the teacher's comment. */
async function evidenceDetails(db: DB, learnerId: number, tasks: { taskId: number; taskTitle: string; criteria: { criterionId: number; code: string }[] }[]) {
	const out = [];
	for (const task of tasks) {
		const rows = await db
			.selectFrom('assessments')
			.innerJoin('submissions', 'submissions.id', 'assessments.submission_id')
			.innerJoin('criteria', 'criteria.id', 'assessments.criterion_id')
			.select(['criteria.id as criterionId', 'criteria.code', 'criteria.title', 'assessments.role', 'assessments.comment', 'submissions.overall_reflection as reflection'])
			.where('submissions.task_id', '=', task.taskId)
			.where('submissions.learner_id', '=', learnerId)
			.where('assessments.criterion_id', 'in', task.criteria.map((c) => c.criterionId))
			.execute();
		const parts = task.criteria.map((c) => {
			const own = rows.find((r) => r.criterionId === c.criterionId && r.role === 'self')?.comment;
			const teacher = rows.filter((r) => r.criterionId === c.criterionId && r.role === 'teacher' && r.comment).map((r) => r.comment);
			const title = rows.find((r) => r.criterionId === c.criterionId)?.title ?? '';
			return `${c.code} ${title}.${own ? ` Learner’s reflection: “${own}”` : ''}${teacher.length ? ` Teacher: “${teacher.join(' ')}”` : ''}`;
		});
		out.push({ taskTitle: task.taskTitle, narrative: parts.join(' ') });
	}
	return out;
}

export const NAME_SHARING = ['full', 'first_initial', 'initials'] as const;

/** How a learner's name appears on their public badge pages (the credential itself holds only a hash). */
export async function setSharedName(db: DB, learner: SessionUser, identifier: string, choice: (typeof NAME_SHARING)[number]) {
	const award = await db.selectFrom('badge_awards').select('id').where('identifier', '=', identifier).where('learner_id', '=', learner.id).executeTakeFirst();
	if (!award) throw new Refusal('That badge is not yours.', 404);
	const name =
		choice === 'full' ? `${learner.givenName} ${learner.familyName}` : choice === 'first_initial' ? `${learner.givenName} ${learner.familyName[0] ?? ''}.` : `${learner.givenName[0] ?? ''}. ${learner.familyName[0] ?? ''}.`;
	await db.updateTable('badge_awards').set({ recipient_name: name }).where('id', '=', award.id).execute();
}

export async function declineRequest(db: DB, user: SessionUser, awardId: number) {
	const award = await db.selectFrom('badge_awards').innerJoin('badges', 'badges.id', 'badge_awards.badge_id').select(['badge_awards.id', 'badge_awards.learner_id', 'badge_awards.state']).where('badge_awards.id', '=', awardId).where('badges.school_id', '=', user.schoolId).executeTakeFirst();
	if (!award || award.state !== 'requested' || award.learner_id === null) throw new Refusal('That request does not exist.', 404);
	await requireLearnerAccess(db, user, award.learner_id);
	await db.updateTable('badge_awards').set({ state: 'declined' }).where('id', '=', awardId).execute();
}

export async function revokeAward(db: DB, user: SessionUser, identifier: string, reason: string) {
	const award = await db
		.selectFrom('badge_awards')
		.innerJoin('badges', 'badges.id', 'badge_awards.badge_id')
		.select(['badge_awards.id', 'badge_awards.learner_id', 'badge_awards.state'])
		.where('badge_awards.identifier', '=', identifier)
		.where('badges.school_id', '=', user.schoolId)
		.executeTakeFirst();
	if (!award || award.state !== 'issued') throw new Refusal('That badge is not issued, so it cannot be revoked.', 404);
	if (award.learner_id !== null) await requireLearnerAccess(db, user, award.learner_id);
	if (!reason.trim()) throw new Refusal('Say why the badge is revoked (it is recorded).');
	await db.transaction().execute(async (trx) => {
		await trx.updateTable('badge_awards').set({ state: 'revoked', revoked_at: nowIso(), revoked_by: user.id }).where('id', '=', award.id).execute();
		await recordAudit(trx, { schoolId: user.schoolId, actorId: user.id, action: 'badge.revoke', entityType: 'badge_award', entityId: identifier, reason });
	});
}

/** The public record of an award: who issued what to whom, and whether it verifies now. */
export async function publicAward(db: DB, identifier: string, origin: string) {
	const award = await db
		.selectFrom('badge_awards')
		.innerJoin('badges', 'badges.id', 'badge_awards.badge_id')
		.innerJoin('schools', 'schools.id', 'badges.school_id')
		.select([
			'badge_awards.identifier',
			'badge_awards.state',
			'badge_awards.recipient_name as recipientName',
			'badge_awards.credential_json as credentialJson',
			'badge_awards.ob2_assertion_json as ob2Json',
			'badge_awards.issued_at as issuedAt',
			'badge_awards.revoked_at as revokedAt',
			'badge_awards.evidence_json as evidenceJson',
			'badges.identifier as badgeIdentifier',
			'badges.name',
			'badges.description',
			'badges.layer',
			'badges.image_mime as imageMime',
			'schools.name as schoolName',
			'schools.slug'
		])
		.where('badge_awards.identifier', '=', identifier)
		.where('badge_awards.state', 'in', ['issued', 'revoked'])
		.executeTakeFirst();
	if (!award || !award.credentialJson) return null;
	const credential = JSON.parse(award.credentialJson) as Record<string, unknown>;
	const signature = await verifySignedCredential(credential, await publishedKeys(db, award.slug, origin));
	return {
		...award,
		credential,
		signature,
		revoked: award.state === 'revoked',
		valid: signature.verified && award.state === 'issued',
		evidence: JSON.parse(award.evidenceJson) as { name: string; narrative: string }[]
	};
}

export { FUSION_SKILLS };
