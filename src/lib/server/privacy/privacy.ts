import { randomBytes } from 'node:crypto';
import { readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { zipSync, strToU8 } from 'fflate';
import type { DB } from '../db/connection';
import type { SessionUser } from '../auth/sessions';
import { hashPassword } from '../auth/passwords';
import { recordAudit } from '../audit';
import { uploadsDirectory } from '../assessment/evidence';
import { nowIso } from '../clock';
import { Refusal } from '../errors';

async function requireLearnerOfSchool(db: DB, admin: SessionUser, learnerId: number) {
	const learner = await db
		.selectFrom('users')
		.innerJoin('memberships', 'memberships.user_id', 'users.id')
		.select([
			'users.id',
			'users.username',
			'users.given_name',
			'users.family_name',
			'users.email',
			'users.active',
			'users.source_id',
			'users.created_at',
			'memberships.year_group'
		])
		.where('users.id', '=', learnerId)
		.where('memberships.school_id', '=', admin.schoolId)
		.where('memberships.role', '=', 'student')
		.executeTakeFirst();
	if (!learner) throw new Refusal('That learner is not in your school.', 404);
	return learner;
}

/**
 * Everything held about one learner, for a subject access request: their account, classes, work,
 * every judgement of it (reviewers as "Reviewer A"), the reviews they gave, ratings, live
 * placements, badges and the audit entries about them — as JSON, with their uploaded files.
 */
export async function exportLearnerData(
	db: DB,
	admin: SessionUser,
	learnerId: number
): Promise<Uint8Array> {
	const learner = await requireLearnerOfSchool(db, admin, learnerId);
	const submissions = await db
		.selectFrom('submissions')
		.innerJoin('tasks', 'tasks.id', 'submissions.task_id')
		.select([
			'submissions.id',
			'tasks.title as task',
			'submissions.self_state',
			'submissions.self_submitted_at',
			'submissions.overall_reflection',
			'submissions.teacher_overall_comment',
			'submissions.released_at'
		])
		.where('submissions.learner_id', '=', learnerId)
		.execute();
	const ids = submissions.map((s) => s.id);
	const [judgements, labels, evidence, reviewsGiven, ratings, placements, badges, audit, classes] =
		await Promise.all([
			ids.length
				? db
						.selectFrom('assessments')
						.innerJoin('criteria', 'criteria.id', 'assessments.criterion_id')
						.select([
							'assessments.submission_id',
							'criteria.code',
							'assessments.role',
							'assessments.assessor_id',
							'assessments.value',
							'assessments.comment',
							'assessments.updated_at'
						])
						.where('assessments.submission_id', 'in', ids)
						.execute()
				: [],
			ids.length
				? db
						.selectFrom('peer_allocations')
						.select(['submission_id', 'reviewer_id', 'anonymous_label'])
						.where('submission_id', 'in', ids)
						.execute()
				: [],
			ids.length
				? db.selectFrom('evidence').selectAll().where('submission_id', 'in', ids).execute()
				: [],
			db
				.selectFrom('assessments')
				.innerJoin('criteria', 'criteria.id', 'assessments.criterion_id')
				.select([
					'criteria.code',
					'assessments.value',
					'assessments.comment',
					'assessments.updated_at'
				])
				.where('assessor_id', '=', learnerId)
				.where('role', '=', 'peer')
				.execute(),
			db
				.selectFrom('contribution_ratings')
				.select(['task_id', 'rater_id', 'ratee_id', 'rating'])
				.where((eb) => eb.or([eb('rater_id', '=', learnerId), eb('ratee_id', '=', learnerId)]))
				.execute(),
			db
				.selectFrom('live_placements')
				.select(['session_id', 'value', 'updated_at'])
				.where('learner_id', '=', learnerId)
				.execute(),
			db
				.selectFrom('badge_awards')
				.innerJoin('badges', 'badges.id', 'badge_awards.badge_id')
				.select([
					'badges.name',
					'badge_awards.identifier',
					'badge_awards.state',
					'badge_awards.issued_at',
					'badge_awards.revoked_at',
					'badge_awards.credential_json'
				])
				.where('badge_awards.learner_id', '=', learnerId)
				.execute(),
			db
				.selectFrom('audit_log')
				.select(['action', 'entity_type', 'entity_id', 'created_at', 'reason'])
				.where('school_id', '=', admin.schoolId)
				.where((eb) =>
					eb.or([
						eb('actor_id', '=', learnerId),
						eb.and([
							eb('entity_type', '=', 'submission'),
							eb('entity_id', 'in', ids.length ? ids.map(String) : ['-'])
						])
					])
				)
				.execute(),
			db
				.selectFrom('enrolments')
				.innerJoin('classes', 'classes.id', 'enrolments.class_id')
				.select(['classes.name', 'enrolments.created_at'])
				.where('enrolments.learner_id', '=', learnerId)
				.execute()
		]);
	const peerLabel = (submissionId: number, assessorId: number) =>
		labels.find((l) => l.submission_id === submissionId && l.reviewer_id === assessorId)
			?.anonymous_label ?? 'Reviewer';
	const data = {
		exportedAt: nowIso(),
		exportedBy: admin.username,
		account: { ...learner, active: learner.active === 1 },
		classes,
		work: submissions.map((s) => ({
			...s,
			judgements: judgements
				.filter((j) => j.submission_id === s.id)
				.map(({ submission_id: _, assessor_id, ...j }) => ({
					...j,
					by:
						j.role === 'self' ? 'you' : j.role === 'peer' ? peerLabel(s.id, assessor_id) : 'teacher'
				})),
			evidence: evidence
				.filter((e) => e.submission_id === s.id)
				.map((e) => ({
					kind: e.kind,
					title: e.title,
					body: e.body,
					url: e.url,
					file: e.storage_key ? `files/${e.id}-${e.file_name}` : null,
					createdAt: e.created_at
				}))
		})),
		peerReviewsGiven: reviewsGiven,
		contributionRatings: ratings.map((r) => ({
			taskId: r.task_id,
			direction:
				r.rater_id === learnerId ? (r.ratee_id === learnerId ? 'self' : 'given') : 'received',
			rating: r.rating
		})),
		liveSessionPlacements: placements,
		badges: badges.map(({ credential_json, ...b }) => ({
			...b,
			credential: credential_json ? JSON.parse(credential_json) : null
		})),
		auditLog: audit
	};
	const files: Record<string, Uint8Array> = { 'data.json': strToU8(JSON.stringify(data, null, 2)) };
	for (const e of evidence) {
		if (!e.storage_key) continue;
		const bytes = await readFile(join(uploadsDirectory(), e.storage_key)).catch(() => null);
		if (bytes) files[`files/${e.id}-${e.file_name}`] = new Uint8Array(bytes);
	}
	await recordAudit(db, {
		schoolId: admin.schoolId,
		actorId: admin.id,
		action: 'privacy.export',
		entityType: 'user',
		entityId: String(learnerId)
	});
	return zipSync(files);
}

/**
 * Erase a learner: their identity, words and files go; the numbers stay (anonymous), so class and
 * school reports keep their history. Their badges are revoked. This cannot be undone.
 */
export async function eraseLearner(
	db: DB,
	admin: SessionUser,
	learnerId: number,
	confirmUsername: string
) {
	const learner = await requireLearnerOfSchool(db, admin, learnerId);
	if (confirmUsername.trim().toLowerCase() !== learner.username)
		throw new Refusal(`Type the learner’s username (${learner.username}) to confirm.`);
	const files = await db
		.selectFrom('evidence')
		.innerJoin('submissions', 'submissions.id', 'evidence.submission_id')
		.select('evidence.storage_key')
		.where('submissions.learner_id', '=', learnerId)
		.where('evidence.storage_key', 'is not', null)
		.execute();
	const unusable = await hashPassword(randomBytes(32).toString('hex'));
	const now = nowIso();
	await db.transaction().execute(async (trx) => {
		await trx
			.updateTable('users')
			.set({
				username: `erased-${learnerId}`,
				given_name: 'Erased',
				family_name: 'learner',
				email: null,
				source_id: null,
				password_hash: unusable,
				active: 0,
				password_changed_at: now
			})
			.where('id', '=', learnerId)
			.execute();
		await trx.deleteFrom('sessions').where('user_id', '=', learnerId).execute();
		const submissionIds = trx
			.selectFrom('submissions')
			.select('id')
			.where('learner_id', '=', learnerId);
		await trx.deleteFrom('evidence').where('submission_id', 'in', submissionIds).execute();
		await trx
			.updateTable('submissions')
			.set({ overall_reflection: '' })
			.where('learner_id', '=', learnerId)
			.execute();
		// Their own words, about their work and about others' work.
		await trx
			.updateTable('assessments')
			.set({ comment: '' })
			.where('assessor_id', '=', learnerId)
			.execute();
		await trx
			.updateTable('badge_awards')
			.set({
				state: 'revoked',
				revoked_at: now,
				revoked_by: admin.id,
				recipient_name: 'Erased learner',
				request_note: '',
				evidence_json: '[]'
			})
			.where('learner_id', '=', learnerId)
			.where('state', '=', 'issued')
			.execute();
		await trx
			.updateTable('badge_awards')
			.set({ request_note: '', recipient_name: 'Erased learner' })
			.where('learner_id', '=', learnerId)
			.execute();
		await recordAudit(trx, {
			schoolId: admin.schoolId,
			actorId: admin.id,
			action: 'privacy.erase',
			entityType: 'user',
			entityId: String(learnerId)
		});
	});
	for (const f of files) await unlink(join(uploadsDirectory(), f.storage_key!)).catch(() => {});
}
