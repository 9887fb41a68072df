import { lockForTransaction } from '../db/dialect';
import { randomBytes, randomUUID } from 'node:crypto';
import type { DB } from '../db/connection';
import type { SessionUser } from '../auth/sessions';
import { hasRole, requireLearnerAccess } from '../auth/guards';
import { recordAudit } from '../audit';
import { nowIso } from '../clock';
import { releasedResults } from '../profiles/results';
import {
	BADGE_LEARNERS_CHECKED_AT_ONCE,
	checkAwardRule,
	type AwardRule,
	type RuleEvidence
} from '../../domain/badge-rules';
import { compareGroupNames, displayName } from '../../domain/names';
import {
	badgeCredential,
	publicEvidence,
	type AwardEvidence,
	type EvidenceSharing,
	type TaskEvidence
} from '../../domain/badge-credential';
import { levelWords, type CriterionResult } from '../../domain/profiles';
import { layerItem } from '../../domain/frameworks';
import { LEVEL_LABELS } from '../../domain/scales';
import { LAYER_LABEL, listBadges, ruleDescriber, type Layer } from './badges';
import { schoolIssuer, signForSchool } from './issuing';
import { allocateStatusEntry, revokeStatusEntries } from './status-lists';
import { verifyAsOutsider } from './verification';
import { badgeEmailOf } from './emails';
import { Refusal } from '../errors';
import { BADGE_REQUEST_COOL_DOWN_MS } from '../limits';
import { formatDateTime } from '../../domain/dates';
import { notifyBadgeAwarded } from '../notifications/events';

// Awards: proposing, requesting, issuing (signed), sharing, revoking, and the public record.

/** Which of the user's learners a workbench checks against the rules: one class's, or some. */
export interface BadgeView {
	classId?: number;
	learnerIds?: readonly number[];
}

/**
 * What a teacher acts on: learners the rule proposes (meeting it, not yet awarded), learners'
 * requests, and awards already issued — limited to learners the teacher teaches (admins: all).
 * Requests and awards are all the user's; proposals are checked for the chosen class's learners
 * (or `learnerIds`), or all the user's learners if there are not too many (`chooseClass` else).
 */
export async function badgeWorkbench(db: DB, user: SessionUser, view: BadgeView = {}) {
	const badges = (await listBadges(db, user.schoolId)).filter((b) => b.active === 1);
	const isAdmin = hasRole(user, 'admin');
	const [learners, classes, inClass] = await Promise.all([
		db
			.selectFrom('memberships')
			.innerJoin('users', 'users.id', 'memberships.user_id')
			.select(['users.id', 'users.given_name as givenName', 'users.family_name as familyName'])
			.where('memberships.school_id', '=', user.schoolId)
			.where('memberships.role', '=', 'student')
			.where('users.active', '=', 1)
			.$if(!isAdmin, (qb) =>
				qb.where('users.id', 'in', (eb) =>
					eb
						.selectFrom('enrolments')
						.innerJoin('class_teachers', 'class_teachers.class_id', 'enrolments.class_id')
						.select('enrolments.learner_id')
						.where('class_teachers.teacher_id', '=', user.id)
				)
			)
			.orderBy('users.family_name')
			.execute(),
		db
			.selectFrom('classes')
			.select(['classes.id', 'classes.name', 'classes.year_group as yearGroup'])
			.where('classes.school_id', '=', user.schoolId)
			.where('classes.archived', '=', 0)
			.$if(!isAdmin, (qb) =>
				qb.where('classes.id', 'in', (eb) =>
					eb
						.selectFrom('class_teachers')
						.select('class_teachers.class_id')
						.where('class_teachers.teacher_id', '=', user.id)
				)
			)
			.execute(),
		view.classId === undefined
			? null
			: db
					.selectFrom('enrolments')
					.select('learner_id')
					.where('class_id', '=', view.classId)
					.execute()
					.then((rows) => new Set(rows.map((r) => r.learner_id)))
	]);
	const chosenIds = view.learnerIds ? new Set(view.learnerIds) : null;
	const checked = learners.filter(
		(l) => (inClass === null || inClass.has(l.id)) && (chosenIds === null || chosenIds.has(l.id))
	);
	const chooseClass =
		inClass === null && chosenIds === null && checked.length > BADGE_LEARNERS_CHECKED_AT_ONCE;
	// Nothing to check against (no badge switched on, or too many learners): nothing read.
	const results =
		badges.length === 0 || chooseClass || checked.length === 0
			? new Map<number, CriterionResult[]>()
			: await releasedResults(db, {
					schoolId: user.schoolId,
					learnerIds: checked.map((l) => l.id),
					includeSelf: false
				});
	const ids = new Set(learners.map((l) => l.id));
	const name = new Map(learners.map((l) => [l.id, displayName(l)]));
	const awards = await db
		.selectFrom('badge_awards')
		.innerJoin('badges', 'badges.id', 'badge_awards.badge_id')
		.select([
			'badge_awards.id',
			'badge_awards.identifier',
			'badge_awards.badge_id as badgeId',
			'badge_awards.learner_id as learnerId',
			'badge_awards.state',
			'badge_awards.request_note as note',
			'badge_awards.issued_at as issuedAt',
			'badge_awards.revoked_at as revokedAt'
		])
		.where('badges.school_id', '=', user.schoolId)
		.orderBy('badge_awards.id', 'desc')
		.execute();
	const mine = awards.filter((a) => a.learnerId !== null && ids.has(a.learnerId));
	const proposals = [];
	for (const badge of badges) {
		for (const learner of chooseClass ? [] : checked) {
			if (
				mine.some(
					(a) =>
						a.badgeId === badge.id &&
						a.learnerId === learner.id &&
						(a.state === 'issued' || a.state === 'requested')
				)
			)
				continue;
			const evidence = checkAwardRule(results.get(learner.id) ?? [], badge.rule);
			if (evidence.met)
				proposals.push({
					badgeId: badge.id,
					badgeName: badge.name,
					learnerId: learner.id,
					learnerName: name.get(learner.id)!,
					evidence
				});
		}
	}
	return {
		badges,
		proposals,
		classes: classes.sort((a, b) => compareGroupNames(a.name, b.name)),
		view: {
			classId: inClass === null ? null : view.classId!,
			chooseClass,
			learners: learners.length,
			checked: chooseClass ? 0 : checked.length
		},
		requests: mine
			.filter((a) => a.state === 'requested')
			.map((a) => ({
				...a,
				learnerName: name.get(a.learnerId!)!,
				badgeName: badges.find((b) => b.id === a.badgeId)?.name ?? ''
			})),
		issued: mine
			.filter((a) => a.state === 'issued' || a.state === 'revoked')
			.map((a) => ({
				...a,
				learnerName: name.get(a.learnerId!)!,
				badgeName: badges.find((b) => b.id === a.badgeId)?.name ?? ''
			}))
	};
}

/**
 * When a learner may ask again for a badge whose requests were declined (the latest decline plus
 * the cool-down), or null if they may ask now.
 */
export function askAgainFrom(declinedAt: (string | null)[], now: Date = new Date()): string | null {
	const latest = declinedAt.reduce<string | null>((a, b) => (b && (!a || b > a) ? b : a), null);
	if (!latest) return null;
	const ends = Date.parse(latest) + BADGE_REQUEST_COOL_DOWN_MS;
	return ends > now.getTime() ? new Date(ends).toISOString() : null;
}

/**
 * A learner asks for a badge. Refused, changing nothing, while they have it or a request for it is
 * waiting (409), and for a day after a teacher declined their last request for it (429, saying
 * when they can ask again). The request is written first and the rules checked after, in one
 * transaction, so two requests at once cannot both stand.
 */
export async function requestBadge(
	db: DB,
	learner: SessionUser,
	badgeId: number,
	note: string,
	now: Date = new Date()
) {
	const badge = await db
		.selectFrom('badges')
		.select(['id', 'name'])
		.where('id', '=', badgeId)
		.where('school_id', '=', learner.schoolId)
		.where('active', '=', 1)
		.executeTakeFirst();
	if (!badge) throw new Refusal('That badge does not exist.', 404);
	await db.transaction().execute(async (trx) => {
		// Two requests at once are checked one after the other (SQLite's write lock does it there).
		await lockForTransaction(trx, `badge-request:${badgeId}:${learner.id}`);
		const { id } = await trx
			.insertInto('badge_awards')
			.values({
				identifier: randomUUID(),
				badge_id: badgeId,
				learner_id: learner.id,
				state: 'requested',
				request_note: note,
				created_at: now.toISOString()
			})
			.returning('id')
			.executeTakeFirstOrThrow();
		const earlier = await trx
			.selectFrom('badge_awards')
			.select(['state', 'declined_at'])
			.where('badge_id', '=', badgeId)
			.where('learner_id', '=', learner.id)
			.where('state', 'in', ['requested', 'issued', 'declined'])
			.where('id', '!=', id)
			.execute();
		if (earlier.some((a) => a.state === 'issued'))
			throw new Refusal('You already have this badge.', 409);
		if (earlier.some((a) => a.state === 'requested'))
			throw new Refusal(
				'You have already asked for this badge; your teacher will look at it.',
				409
			);
		const from = askAgainFrom(
			earlier.filter((a) => a.state === 'declined').map((a) => a.declined_at),
			now
		);
		if (from)
			throw new Refusal(
				`Your teacher declined your last request for “${badge.name}”. You can ask again from ${formatDateTime(from)}: use the time to add the evidence it needs.`,
				429
			);
	});
}

/**
 * Issue a badge to a learner: as an Open Badges 3.0 credential signed by the school's key, and as
 * an Open Badges 2.0 hosted assertion. A teacher may issue what the rule proposes or what the
 * learner asked for; the evidence is the tasks that meet the rule, with reflection and comments.
 */
export async function issueBadge(
	db: DB,
	user: SessionUser,
	badgeId: number,
	learnerId: number,
	origin: string
) {
	await requireLearnerAccess(db, user, learnerId);
	if (!hasRole(user, 'teacher', 'admin'))
		throw new Refusal('Only teachers and admins issue badges.', 403);
	const badge = await requireIssuableBadge(db, user, badgeId);
	const already = await db
		.selectFrom('badge_awards')
		.select('id')
		.where('badge_id', '=', badgeId)
		.where('learner_id', '=', learnerId)
		.where('state', '=', 'issued')
		.executeTakeFirst();
	if (already) throw new Refusal('This learner already has this badge.', 409);
	const request = await db
		.selectFrom('badge_awards')
		.select(['id', 'request_note'])
		.where('badge_id', '=', badgeId)
		.where('learner_id', '=', learnerId)
		.where('state', '=', 'requested')
		.executeTakeFirst();
	const rule = JSON.parse(badge.rule_json) as AwardRule;
	const results =
		(await releasedResults(db, { schoolId: user.schoolId, learnerId })).get(learnerId) ?? [];
	const evidence = checkAwardRule(results, rule);
	if (!evidence.met && !request)
		throw new Refusal(
			'This learner does not meet the badge’s rule yet, and has not asked for it.',
			409
		);

	const [issuer, learner, alignments, details, badgeEmail] = await Promise.all([
		schoolIssuer(db, user.schoolId, origin),
		db
			.selectFrom('users')
			.select(['given_name', 'family_name'])
			.where('id', '=', learnerId)
			.executeTakeFirstOrThrow(),
		db
			.selectFrom('badge_alignments')
			.innerJoin('framework_items', 'framework_items.id', 'badge_alignments.framework_item_id')
			.innerJoin('frameworks', 'frameworks.id', 'framework_items.framework_id')
			.select([
				'framework_items.identifier',
				'framework_items.code',
				'framework_items.title',
				'frameworks.title as frameworkTitle',
				'frameworks.identifier as frameworkIdentifier'
			])
			.where('badge_alignments.badge_id', '=', badgeId)
			.execute(),
		evidenceDetails(db, learnerId, evidence.tasks),
		badgeEmailOf(db, learnerId)
	]);
	const status = await allocateStatusEntry(db, user.schoolId, origin);
	const identifier = randomUUID();
	const issuedAt = nowIso().replace(/\.\d{3}Z$/, 'Z');
	const recipientName = displayName({
		givenName: learner.given_name,
		familyName: learner.family_name
	});
	const salt = randomBytes(8).toString('hex');
	// 16 random bytes, kept private: without them the name hash cannot be tried against a class list.
	const identitySalt = randomBytes(16).toString('hex');
	const awardEvidence: AwardEvidence = {
		tasks: details,
		requestNote: request?.request_note.trim() || null
	};
	const { credential, ob2 } = badgeCredential({
		origin,
		identifier,
		issuedAt,
		issuer,
		credentialStatus: status.credentialStatus,
		recipientName,
		identitySalt,
		recipientSalt: salt,
		recipientEmail: badgeEmail.chosen,
		badge: {
			identifier: badge.identifier,
			name: badge.name,
			description: badge.description,
			criteriaNarrative: badge.criteria_narrative,
			layerLabel: LAYER_LABEL[badge.layer as Layer]
		},
		ruleText: (await ruleDescriber(db))(rule),
		// The layer is a tag and, as well, an alignment to its item in the layers framework.
		alignments: [...alignments, layerItem(badge.layer as Layer)],
		evidence: awardEvidence
	});
	const signed = await signForSchool(db, user.schoolId, origin, credential);

	await db.transaction().execute(async (trx) => {
		// Two issues at once (a double click, two teachers, two servers) give one badge: the check
		// above is made again under the learner's lock for this badge.
		await lockForTransaction(trx, `badge-issue:${badgeId}:${learnerId}`);
		const issuedMeanwhile = await trx
			.selectFrom('badge_awards')
			.select('id')
			.where('badge_id', '=', badgeId)
			.where('learner_id', '=', learnerId)
			.where('state', '=', 'issued')
			.executeTakeFirst();
		if (issuedMeanwhile) throw new Refusal('This learner already has this badge.', 409);
		const values = {
			state: 'issued' as const,
			evidence_json: JSON.stringify(awardEvidence),
			// Shown on the public page as first name and initial until the learner chooses otherwise.
			recipient_name: sharedName(
				{ givenName: learner.given_name, familyName: learner.family_name },
				'first_initial'
			),
			identity_salt: identitySalt,
			credential_json: JSON.stringify(signed),
			ob2_assertion_json: JSON.stringify(ob2),
			recipient_salt: salt,
			issued_at: issuedAt,
			issued_by: user.id,
			status_list_id: status.listId,
			status_list_index: status.statusIndex
		};
		if (request)
			await trx
				.updateTable('badge_awards')
				.set({ ...values, identifier })
				.where('id', '=', request.id)
				.execute();
		else
			await trx
				.insertInto('badge_awards')
				.values({
					identifier,
					badge_id: badgeId,
					learner_id: learnerId,
					...values,
					created_at: nowIso()
				})
				.execute();
		await recordAudit(trx, {
			schoolId: user.schoolId,
			actorId: user.id,
			action: 'badge.issue',
			entityType: 'badge_award',
			entityId: identifier,
			after: { badgeId, learnerId }
		});
		await notifyBadgeAwarded(trx, learnerId, badge, identifier);
	});
	return identifier;
}

/**
 * The badge, if the user's school may issue it: not another school's, not switched off. Issuing
 * checks it, and the teacher page checks it before asking the teacher to confirm.
 */
export async function requireIssuableBadge(db: DB, user: SessionUser, badgeId: number) {
	const badge = await db
		.selectFrom('badges')
		.selectAll()
		.where('id', '=', badgeId)
		.where('school_id', '=', user.schoolId)
		.executeTakeFirst();
	if (!badge) throw new Refusal('That badge does not exist.', 404);
	if (badge.active !== 1)
		throw new Refusal('This badge is switched off, so it cannot be issued.', 409);
	return badge;
}

/**
 * Issue one badge to several learners at once (the teacher confirmed these, by name and number):
 * only those the rules still propose for it are issued, each exactly as `issueBadge` would; the
 * others (issued meanwhile, or no longer meeting the rule) are counted and left out.
 */
export async function issueBadgeToProposed(
	db: DB,
	user: SessionUser,
	badgeId: number,
	learnerIds: readonly number[],
	origin: string
): Promise<{ issued: number; leftOut: number }> {
	const { proposals } = await badgeWorkbench(db, user, { learnerIds });
	const proposed = new Set(proposals.filter((p) => p.badgeId === badgeId).map((p) => p.learnerId));
	const chosen = [...new Set(learnerIds)];
	const toIssue = chosen.filter((id) => proposed.has(id));
	if (toIssue.length === 0)
		throw new Refusal(
			'None of these learners is proposed for this badge any more: it was issued meanwhile, or the rule is no longer met.',
			409
		);
	for (const learnerId of toIssue) await issueBadge(db, user, badgeId, learnerId, origin);
	return { issued: toIssue.length, leftOut: chosen.length - toIssue.length };
}

/**
 * Each qualifying task as evidence: the criteria and the band reached (public), and the learner's
 * reflections and the teacher's comments on them (shown only if the learner chooses, per award).
 */
async function evidenceDetails(
	db: DB,
	learnerId: number,
	tasks: RuleEvidence['tasks']
): Promise<TaskEvidence[]> {
	const criterionIds = [...new Set(tasks.flatMap((t) => t.criteria.map((c) => c.criterionId)))];
	const allRows =
		tasks.length && criterionIds.length
			? await db
					.selectFrom('assessments')
					.innerJoin('submissions', 'submissions.id', 'assessments.submission_id')
					.innerJoin('criteria', 'criteria.id', 'assessments.criterion_id')
					.select([
						'submissions.task_id as taskId',
						'criteria.id as criterionId',
						'criteria.title',
						'assessments.role',
						'assessments.comment'
					])
					.where(
						'submissions.task_id',
						'in',
						tasks.map((t) => t.taskId)
					)
					.where('submissions.learner_id', '=', learnerId)
					.where('assessments.criterion_id', 'in', criterionIds)
					.orderBy('assessments.id')
					.execute()
			: [];
	return tasks.map((task) => {
		const rows = allRows.filter((r) => r.taskId === task.taskId);
		const on = (c: { criterionId: number }, role: string) =>
			rows
				.filter((r) => r.criterionId === c.criterionId && r.role === role && r.comment.trim())
				.map((r) => r.comment);
		return {
			taskTitle: task.taskTitle,
			criteria: task.criteria.map((c) => ({
				code: c.code,
				title: rows.find((r) => r.criterionId === c.criterionId)?.title ?? '',
				band: levelWords(c.level, LEVEL_LABELS)
			})),
			ownWords: task.criteria.flatMap((c) => on(c, 'self')),
			teacherComments: task.criteria.flatMap((c) => on(c, 'teacher'))
		};
	});
}

export const NAME_SHARING = ['full', 'first_initial', 'initials'] as const;

function sharedName(
	learner: { givenName: string; familyName: string },
	choice: (typeof NAME_SHARING)[number]
) {
	return choice === 'full'
		? displayName(learner)
		: choice === 'first_initial'
			? `${learner.givenName} ${learner.familyName[0] ?? ''}.`
			: `${learner.givenName[0] ?? ''}. ${learner.familyName[0] ?? ''}.`;
}

/**
 * What the learner shows on one award's public page beyond the generic evidence: their own words
 * (reflections, their request note) and their teacher's comments. Off until they turn it on, and
 * off again the moment they turn it off (the page is served live; signed copies never hold them).
 */
export async function setEvidenceSharing(
	db: DB,
	learner: SessionUser,
	identifier: string,
	sharing: EvidenceSharing
) {
	const award = await db
		.selectFrom('badge_awards')
		.select('id')
		.where('identifier', '=', identifier)
		.where('learner_id', '=', learner.id)
		.where('state', '=', 'issued')
		.executeTakeFirst();
	if (!award) throw new Refusal('That badge is not yours.', 404);
	await db
		.updateTable('badge_awards')
		.set({
			show_own_words: sharing.ownWords ? 1 : 0,
			show_teacher_comments: sharing.teacherComments ? 1 : 0
		})
		.where('id', '=', award.id)
		.execute();
}

/**
 * How a learner's name appears on their public badge pages (the credential itself holds only a
 * hash).
 */
export async function setSharedName(
	db: DB,
	learner: SessionUser,
	identifier: string,
	choice: (typeof NAME_SHARING)[number]
) {
	const award = await db
		.selectFrom('badge_awards')
		.select('id')
		.where('identifier', '=', identifier)
		.where('learner_id', '=', learner.id)
		.executeTakeFirst();
	if (!award) throw new Refusal('That badge is not yours.', 404);
	await db
		.updateTable('badge_awards')
		.set({ recipient_name: sharedName(learner, choice) })
		.where('id', '=', award.id)
		.execute();
}

export async function declineRequest(db: DB, user: SessionUser, awardId: number) {
	const award = await db
		.selectFrom('badge_awards')
		.innerJoin('badges', 'badges.id', 'badge_awards.badge_id')
		.select(['badge_awards.id', 'badge_awards.learner_id', 'badge_awards.state'])
		.where('badge_awards.id', '=', awardId)
		.where('badges.school_id', '=', user.schoolId)
		.executeTakeFirst();
	if (!award || award.state !== 'requested' || award.learner_id === null)
		throw new Refusal('That request does not exist.', 404);
	await requireLearnerAccess(db, user, award.learner_id);
	await db
		.updateTable('badge_awards')
		.set({ state: 'declined', declined_at: nowIso() })
		.where('id', '=', awardId)
		.execute();
}

export async function revokeAward(db: DB, user: SessionUser, identifier: string, reason: string) {
	const award = await db
		.selectFrom('badge_awards')
		.innerJoin('badges', 'badges.id', 'badge_awards.badge_id')
		.select([
			'badge_awards.id',
			'badge_awards.learner_id',
			'badge_awards.state',
			'badge_awards.status_list_id as listId',
			'badge_awards.status_list_index as statusIndex'
		])
		.where('badge_awards.identifier', '=', identifier)
		.where('badges.school_id', '=', user.schoolId)
		.executeTakeFirst();
	if (!award || award.state !== 'issued')
		throw new Refusal('That badge is not issued, so it cannot be revoked.', 404);
	if (award.learner_id !== null) await requireLearnerAccess(db, user, award.learner_id);
	if (!reason.trim()) throw new Refusal('Say why the badge is revoked (it is recorded).');
	await db.transaction().execute(async (trx) => {
		await trx
			.updateTable('badge_awards')
			.set({ state: 'revoked', revoked_at: nowIso(), revoked_by: user.id })
			.where('id', '=', award.id)
			.execute();
		// The bit in the school's published status list: what every verifier of every copy reads.
		if (award.listId !== null && award.statusIndex !== null)
			await revokeStatusEntries(trx, [{ listId: award.listId, statusIndex: award.statusIndex }]);
		await recordAudit(trx, {
			schoolId: user.schoolId,
			actorId: user.id,
			action: 'badge.revoke',
			entityType: 'badge_award',
			entityId: identifier,
			reason
		});
	});
}

/**
 * Credentials signed before status lists carry no `credentialStatus` and name the old issuer URL.
 * The first time one is served it is issued again, the same award with the same `id` and
 * `validFrom`: the school's DID as issuer and a status entry (its bit already set if the award was
 * revoked). Copies downloaded before still verify against the old key URL, but their revocation
 * stays invisible to outside verifiers: nothing can reach a copy already handed out.
 */
async function reissueWithStatus(
	db: DB,
	award: { identifier: string; schoolId: number; state: string; credentialJson: string },
	origin: string
) {
	const { proof: _proof, ...unsigned } = JSON.parse(award.credentialJson) as Record<
		string,
		unknown
	>;
	if (unsigned.credentialStatus || !String(unsigned.id).startsWith(`${origin}/`)) return null;
	const status = await allocateStatusEntry(db, award.schoolId, origin);
	const signed = await signForSchool(db, award.schoolId, origin, {
		...unsigned,
		issuer: await schoolIssuer(db, award.schoolId, origin),
		credentialStatus: status.credentialStatus
	});
	const credentialJson = JSON.stringify(signed);
	const stored = await db.transaction().execute(async (trx) => {
		const updated = await trx
			.updateTable('badge_awards')
			.set({
				credential_json: credentialJson,
				status_list_id: status.listId,
				status_list_index: status.statusIndex
			})
			.where('identifier', '=', award.identifier)
			.where('status_list_index', 'is', null)
			.executeTakeFirst();
		if (Number(updated.numUpdatedRows) === 0) return false;
		if (award.state === 'revoked') await revokeStatusEntries(trx, [status]);
		return true;
	});
	// Issued again meanwhile by another request: theirs stands.
	return stored ? credentialJson : null;
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
			'badge_awards.show_own_words as showOwnWords',
			'badge_awards.show_teacher_comments as showTeacherComments',
			'badges.identifier as badgeIdentifier',
			'badges.name',
			'badges.description',
			'badges.layer',
			'badges.image_mime as imageMime',
			'schools.name as schoolName',
			'schools.slug',
			'schools.id as schoolId',
			'badge_awards.status_list_index as statusListIndex'
		])
		.where('badge_awards.identifier', '=', identifier)
		.where('badge_awards.state', 'in', ['issued', 'revoked'])
		.executeTakeFirst();
	if (!award || !award.credentialJson) return null;
	let credentialJson = award.credentialJson;
	if (award.statusListIndex === null)
		credentialJson =
			(await reissueWithStatus(db, { ...award, credentialJson }, origin)) ??
			(await db
				.selectFrom('badge_awards')
				.select('credential_json')
				.where('identifier', '=', identifier)
				.executeTakeFirstOrThrow()
				.then((r) => r.credential_json ?? credentialJson));
	const credential = JSON.parse(credentialJson) as Record<string, unknown>;
	// Checked as an outside verifier would: the published keys and the published status list.
	const signature = await verifyAsOutsider(db, credential, origin);
	return {
		...award,
		credentialJson,
		credential,
		signature,
		revoked: award.state === 'revoked' || signature.status.state === 'revoked',
		valid: signature.verified && signature.status.state === 'active' && award.state === 'issued',
		// No e-mail in the OB 2.0 assertion: no backpack can match it, and the page says so.
		ob2DisplayOnly: award.ob2Json
			? (JSON.parse(award.ob2Json) as { recipient?: { type?: string } }).recipient?.type !== 'email'
			: true,
		evidence: shownEvidence(award.evidenceJson, {
			ownWords: award.showOwnWords === 1,
			teacherComments: award.showTeacherComments === 1
		})
	};
}

/**
 * The public page's evidence. Awards issued before per-award choices existed stored finished
 * narratives that may quote the learner: only their task names are shown.
 */
function shownEvidence(evidenceJson: string, sharing: EvidenceSharing) {
	const stored = JSON.parse(evidenceJson) as AwardEvidence | { name: string }[];
	if (Array.isArray(stored))
		return stored.map((e) => ({
			name: e.name,
			narrative: '',
			ownWords: [] as string[],
			teacherComments: [] as string[]
		}));
	return publicEvidence(stored, sharing);
}

/** An award erased with its learner: its addresses answer 410 Gone, and nothing else is kept. */
export async function isErasedAward(db: DB, identifier: string) {
	return Boolean(
		await db
			.selectFrom('erased_awards')
			.select('identifier')
			.where('identifier', '=', identifier)
			.executeTakeFirst()
	);
}

export const ERASED_AWARD_MESSAGE =
	'This badge has been withdrawn and its record erased at the learner’s request.';
