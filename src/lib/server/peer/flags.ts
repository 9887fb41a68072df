import type { DB } from '../db/connection';
import type { SessionUser } from '../auth/sessions';
import { requireTaskToLearn, type TaskToLearn } from '../auth/task-guards';
import { Refusal } from '../errors';
import { recordAudit } from '../audit';
import { nowIso } from '../clock';
import { notifyReviewFlagged } from '../notifications/events';

/**
 * "Tell my teacher": a learner flags a peer review of their own work they find unkind or unhelpful,
 * with an optional reason. The teacher is told (a notification) and sees it on the task's peer page,
 * where the existing "exclude" sets the review aside. The learner names the review by the label
 * they see (reviewers stay anonymous to them); flagging does not change the grade by itself: the
 * teacher decides.
 */

/** The submitted reviews of the learner's work they may flag, by label, and which they flagged. */
export async function reviewsOfMyWork(db: DB, submissionId: number | null) {
	if (submissionId === null) return [];
	return db
		.selectFrom('peer_allocations')
		.select(['anonymous_label as label', 'flagged_at as flaggedAt', 'excluded_at as excludedAt'])
		.where('submission_id', '=', submissionId)
		.where('state', '=', 'submitted')
		.orderBy('anonymous_label')
		.execute();
}

export async function flagPeerReview(
	db: DB,
	learner: SessionUser,
	taskOrId: number | TaskToLearn,
	label: string,
	reason: string
): Promise<void> {
	const task = await requireTaskToLearn(db, learner, taskOrId);
	await db.transaction().execute(async (trx) => {
		const review = await trx
			.selectFrom('peer_allocations')
			.innerJoin('submissions', 'submissions.id', 'peer_allocations.submission_id')
			.select(['peer_allocations.id', 'peer_allocations.flagged_at as flaggedAt'])
			.where('peer_allocations.task_id', '=', task.id)
			.where('submissions.learner_id', '=', learner.id)
			.where('peer_allocations.anonymous_label', '=', label)
			.where('peer_allocations.state', '=', 'submitted')
			.executeTakeFirst();
		if (!review) throw new Refusal('That review of your work does not exist.', 404);
		if (review.flaggedAt !== null)
			throw new Refusal('You have already told your teacher about this review.', 409);
		await trx
			.updateTable('peer_allocations')
			.set({ flagged_at: nowIso(), flagged_reason: reason.trim() || null })
			.where('id', '=', review.id)
			.execute();
		await recordAudit(trx, {
			schoolId: learner.schoolId,
			actorId: learner.id,
			action: 'peer.flag',
			entityType: 'peer_allocation',
			entityId: String(review.id)
		});
		await notifyReviewFlagged(trx, task, review.id);
	});
}
