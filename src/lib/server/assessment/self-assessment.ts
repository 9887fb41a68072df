import { sql, type Transaction } from 'kysely';
import type { DB } from '../db/connection';
import type { Database } from '../db/schema';
import type { SessionUser } from '../auth/sessions';
import { recordAudit } from '../audit';
import { renderMarkdown } from '../markdown';
import { requireTaskToLearn, type TaskToLearn } from '../auth/task-guards';
import { describeSelfGap } from '../../domain/feedback';
import { gradesVisibleToLearner, teacherResult } from '../../domain/results';
import type { SelfSave } from '../../schemas/assessment';
import { nowIso } from '../clock';
import { assessmentCards } from './cards';
import { evidenceOf } from './evidence';
import {
	CONFLICT_MESSAGE,
	refuseStaleJudgement,
	upsertJudgement,
	saveOwnJudgementIfOpen
} from './judgements';
import { peerResultsFor } from '../peer/results';
import { allocateLateSubmission } from '../peer/allocation';
import { reviewsOfMyWork } from '../peer/flags';
import { groupCommitOf } from '../db/group-commit';
import { Refusal } from '../errors';
import { markingStartedSql } from './marking-started';
import { notifyReadyToMark, tellOfLostSave } from '../notifications/events';
import { refreshLearnerSkillAggregates } from '../profiles/aggregates';

/**
 * Everything a learner sees on their assessment screen. Teacher grades and comments are read only
 * once the learner may see them, so a crafted request for the page data cannot reveal them early.
 */
export async function learnerAssessmentView(db: DB, learner: SessionUser, taskId: number) {
	const task = await requireTaskToLearn(db, learner, taskId);
	const [{ bands, criteria }, submission] = await Promise.all([
		assessmentCards(db, task.id, task.scale_id),
		db
			.selectFrom('submissions')
			.selectAll()
			.where('task_id', '=', task.id)
			.where('learner_id', '=', learner.id)
			.executeTakeFirst()
	]);
	const submissionId = submission?.id ?? null;
	const selfSubmitted = submission?.self_state === 'submitted';
	const visible = gradesVisibleToLearner({
		releasedAt: submission?.released_at ?? null,
		selfSubmitted,
		selfRequiredBeforeRelease: task.self_required_before_release === 1
	});
	const [assessments, agreed, evidence] = await Promise.all([
		submissionId === null
			? []
			: db
					.selectFrom('assessments')
					.select([
						'criterion_id as criterionId',
						'role',
						'value',
						'comment',
						'revision',
						'assessor_id as assessorId'
					])
					.where('submission_id', '=', submissionId)
					.where('role', 'in', visible ? ['self', 'teacher'] : ['self'])
					.execute(),
		visible && submissionId !== null
			? db
					.selectFrom('agreed_grades')
					.select(['criterion_id as criterionId', 'value'])
					.where('submission_id', '=', submissionId)
					.execute()
			: [],
		evidenceOf(db, submissionId)
	]);
	const [peers, marking, reviewsToFlag] = await Promise.all([
		peerResultsFor(db, visible ? submissionId : null, bands),
		selfSubmitted
			? db
					.selectFrom('submissions')
					.select(sql<number>`case when ${markingStartedSql()} then 1 else 0 end`.as('started'))
					.where('submissions.id', '=', submissionId!)
					.executeTakeFirstOrThrow()
			: null,
		reviewsOfMyWork(db, visible ? submissionId : null)
	]);

	return {
		task: {
			id: task.id,
			title: task.title,
			className: task.className,
			// Their own: an extension's, else the class's (requireTaskToLearn).
			dueAt: task.due_at,
			extended: task.extended,
			briefHtml: renderMarkdown(task.brief_markdown),
			groupTask: task.group_task === 1
		},
		bands,
		selfState: submission?.self_state ?? 'not_started',
		selfSubmittedAt: submission?.self_submitted_at ?? null,
		/** submitted, and no teacher has begun marking it: the learner may still take it back */
		mayWithdraw: selfSubmitted && !Number(marking?.started ?? 1),
		overallReflection: submission?.overall_reflection ?? '',
		overallReflectionRevision: submission?.reflection_revision ?? 0,
		/** released, but held back until the learner submits their own judgement */
		gradesWaitingForSelf: Boolean(submission?.released_at) && !visible,
		released: visible
			? { at: submission!.released_at!, overallComment: submission!.teacher_overall_comment }
			: null,
		evidence,
		/** Submitted reviews of this work, by label: "Tell my teacher" about one (once released). */
		reviewsToFlag: reviewsToFlag.map((r) => ({
			label: r.label,
			flagged: r.flaggedAt !== null,
			setAside: r.excludedAt !== null
		})),
		criteria: criteria.map((c) => {
			const mine = assessments.find((a) => a.criterionId === c.criterionId && a.role === 'self');
			const teacherRows = assessments.filter(
				(a) => a.criterionId === c.criterionId && a.role === 'teacher'
			);
			const result = visible
				? teacherResult(
						teacherRows.map((r) => r.value),
						agreed.find((a) => a.criterionId === c.criterionId)?.value ?? null
					)
				: null;
			const selfValue = mine?.value ?? null;
			const peer = peers.get(c.criterionId);
			return {
				criterionId: c.criterionId,
				code: c.code,
				title: c.title,
				description: c.description,
				colour: c.colour,
				categoryTitle: c.categoryTitle,
				descriptors: c.descriptors,
				self: { value: selfValue, comment: mine?.comment ?? '', revision: mine?.revision ?? 0 },
				teacher: result
					? {
							value: result.value,
							comments: teacherRows.map((r) => r.comment).filter(Boolean),
							gap: selfValue === null ? null : describeSelfGap(bands, selfValue, result.value)
						}
					: null,
				// Peers are anonymous to the learner: labels only, and only submitted, included reviews'
				// comments.
				peers: peer?.consensus
					? {
							consensus: peer.consensus,
							comments: peer.reviews
								.filter((r) => r.comment)
								.map((r) => ({ label: r.label, comment: r.comment }))
						}
					: null
			};
		})
	};
}

export type LearnerAssessmentView = Awaited<ReturnType<typeof learnerAssessmentView>>;

/**
 * One autosaved change by the learner. The lookup and the write share a transaction, so a save that
 * races the learner's own "submit" cannot slip in after it. A change based on a revision that is no
 * longer the stored one (another tab or device saved since) is refused with 409 and the current
 * version, and changes nothing.
 */
export async function saveSelfAssessment(
	db: DB,
	learner: SessionUser,
	taskId: number,
	change: SelfSave
): Promise<{ revision: number }> {
	const link = `/student/tasks/${taskId}`;
	// The hot path of the app (every slider move): one statement when the self-assessment is open;
	// a first touch of a criterion two (three when it starts the submission), all compiled once.
	// Only a refusal or an unusual state takes the slower path, in the same group commit, so a class
	// opening a task at once shares commits as its later saves do.
	if (change.kind === 'criterion') {
		return tellOfLostSave(db, learner.id, taskId, link, async () => {
			const outcome = await groupCommitOf(db).run(async (trx) => {
				const revision = await saveOwnJudgementIfOpen(trx, learner.id, taskId, change);
				if (revision !== null) return { revision };
				return refusedAlone(trx, () => saveSelfAssessmentChecked(trx, learner, taskId, change));
			});
			if ('refusal' in outcome) throw outcome.refusal;
			return outcome;
		});
	}
	return tellOfLostSave(db, learner.id, taskId, link, () =>
		db.transaction().execute((trx) => saveSelfAssessmentChecked(trx, learner, taskId, change))
	);
}

/**
 * Runs one save inside a shared (group-commit) transaction behind a savepoint: a save that is
 * refused (stale, locked, not enrolled) undoes only its own writes and is answered with its refusal,
 * rather than rolling back the batch and making every save in it retry alone.
 */
async function refusedAlone<T>(
	trx: Transaction<Database>,
	save: () => Promise<T>
): Promise<T | { refusal: Refusal }> {
	// SAVEPOINT is standard SQL: SQLite and PostgreSQL both have it.
	await sql`savepoint first_touch`.execute(trx);
	try {
		const result = await save();
		await sql`release savepoint first_touch`.execute(trx);
		return result;
	} catch (problem) {
		await sql`rollback to savepoint first_touch`.execute(trx);
		await sql`release savepoint first_touch`.execute(trx);
		if (problem instanceof Refusal) return { refusal: problem };
		throw problem;
	}
}

/**
 * A save that is not the hot path's: one read that checks enrolment, task state, criterion and lock
 * together (to say which rule failed), then at most two writes.
 */
async function saveSelfAssessmentChecked(
	trx: Transaction<Database>,
	learner: SessionUser,
	taskId: number,
	change: SelfSave
): Promise<{ revision: number }> {
	const criterionId = change.kind === 'criterion' ? change.criterionId : null;
	const task = await trx
		.selectFrom('tasks')
		.innerJoin('enrolments', (join) =>
			join
				.onRef('enrolments.class_id', '=', 'tasks.class_id')
				.on('enrolments.learner_id', '=', learner.id)
		)
		.leftJoin('submissions', (join) =>
			join
				.onRef('submissions.task_id', '=', 'tasks.id')
				.on('submissions.learner_id', '=', learner.id)
		)
		.leftJoin('task_criteria', (join) =>
			join
				.onRef('task_criteria.task_id', '=', 'tasks.id')
				.on('task_criteria.criterion_id', '=', criterionId ?? -1)
		)
		.select([
			'tasks.id',
			'submissions.id as submissionId',
			'submissions.self_state as selfState',
			'submissions.released_at as releasedAt',
			'task_criteria.id as taskCriterionId'
		])
		.where('tasks.id', '=', taskId)
		.where('tasks.state', '=', 'published')
		.executeTakeFirst();
	if (!task) throw new Refusal('That task does not exist, or is not set for your class.', 404);
	if (task.selfState === 'submitted') {
		throw new Refusal(
			'You have submitted this self-assessment, so it is locked. Ask your teacher to reopen it if you need to change something.',
			409
		);
	}
	if (change.kind === 'criterion' && task.taskCriterionId === null)
		throw new Refusal('That criterion is not part of this task.', 400);
	const now = nowIso();
	let submissionId = task.submissionId;
	if (submissionId === null || task.selfState !== 'in_progress') {
		submissionId = (
			await trx
				.insertInto('submissions')
				.values({
					task_id: taskId,
					learner_id: learner.id,
					self_state: 'in_progress',
					updated_at: now
				})
				.onConflict((oc) =>
					oc
						.columns(['task_id', 'learner_id'])
						.doUpdateSet({ self_state: 'in_progress', updated_at: now })
				)
				.returning('id')
				.executeTakeFirstOrThrow()
		).id;
	}

	if (change.kind === 'reflection') {
		const base = change.baseRevision;
		const saved = await trx
			.updateTable('submissions')
			.set((eb) => ({
				overall_reflection: change.text,
				reflection_revision: eb('reflection_revision', '+', 1),
				updated_at: now
			}))
			.where('id', '=', submissionId)
			.$if(base !== undefined, (qb) => qb.where('reflection_revision', '=', base!))
			.returning('reflection_revision as revision')
			.executeTakeFirst();
		if (saved) return { revision: saved.revision };
		const stored = await trx
			.selectFrom('submissions')
			.select(['overall_reflection as text', 'reflection_revision as revision'])
			.where('id', '=', submissionId)
			.executeTakeFirstOrThrow();
		throw new Refusal(CONFLICT_MESSAGE, 409, { current: stored });
	}
	const key = {
		submissionId,
		criterionId: change.criterionId,
		assessorId: learner.id,
		role: 'self' as const
	};
	const revision = await upsertJudgement(trx, {
		...key,
		value: change.value,
		comment: change.comment,
		baseRevision: change.baseRevision
	});
	if (revision === null) return refuseStaleJudgement(trx, key);
	// Released work (grades not held for the self-assessment): the learner's own view counts.
	if (task.releasedAt !== null) await refreshLearnerSkillAggregates(trx, [learner.id]);
	return { revision };
}

/**
 * Hand the self-assessment in: every criterion must be placed; afterwards it is locked, and peer
 * reviewers are given it if the teacher has already allocated them.
 */
export async function submitSelfAssessment(
	db: DB,
	learner: SessionUser,
	taskOrId: number | TaskToLearn
): Promise<void> {
	const task = await requireTaskToLearn(db, learner, taskOrId);
	await db.transaction().execute(async (trx) => {
		const submission = await trx
			.selectFrom('submissions')
			.select(['id', 'self_state'])
			.where('task_id', '=', task.id)
			.where('learner_id', '=', learner.id)
			.executeTakeFirst();
		if (submission?.self_state === 'submitted')
			throw new Refusal('You have already submitted this self-assessment.', 409);
		const missing = await trx
			.selectFrom('task_criteria')
			.innerJoin('criteria', 'criteria.id', 'task_criteria.criterion_id')
			.leftJoin('assessments', (join) =>
				join
					.onRef('assessments.criterion_id', '=', 'task_criteria.criterion_id')
					.on('assessments.submission_id', '=', submission?.id ?? -1)
					.on('assessments.role', '=', 'self')
			)
			.select(['criteria.code', 'criteria.title'])
			.where('task_criteria.task_id', '=', task.id)
			.where((eb) => eb.or([eb('assessments.id', 'is', null), eb('assessments.value', 'is', null)]))
			.orderBy('task_criteria.position')
			.execute();
		if (!submission || missing.length > 0) {
			const list = missing.map((m) => `${m.code} ${m.title}`).join(', ');
			throw new Refusal(
				`Place your slider on every criterion before submitting. Still to do: ${list || 'all of them'}.`
			);
		}
		const now = nowIso();
		await trx
			.updateTable('submissions')
			.set({ self_state: 'submitted', self_submitted_at: now, updated_at: now })
			.where('id', '=', submission.id)
			.execute();
		await trx
			.updateTable('assessments')
			.set({ submitted_at: now })
			.where('submission_id', '=', submission.id)
			.where('role', '=', 'self')
			.execute();
		// Grades held until the self-assessment is in now count, and the learner's own view with them.
		await refreshLearnerSkillAggregates(trx, [learner.id]);
		await recordAudit(trx, {
			schoolId: learner.schoolId,
			actorId: learner.id,
			action: 'self.submit',
			entityType: 'submission',
			entityId: String(submission.id)
		});
		// Reviewers are given only submitted work: handed in after the teacher allocated, it gets
		// its reviewers now, in the same transaction (a submit and its reviewers land together).
		await allocateLateSubmission(trx, task, learner);
		await notifyReadyToMark(trx, task);
	});
}

export const MARKING_STARTED_MESSAGE =
	'Your teacher has started marking this work, so you can no longer take it back. Ask your teacher if you need to change something.';

/**
 * The learner takes back their submitted self-assessment, to change it and submit again. Allowed
 * only until marking starts (`markingStartedSql`: a grade or comment from any marker, the class's
 * teacher or a second marker, an agreed grade or a release); after that only the class's teacher
 * can reopen it. The change is the teacher's reopen: back to in progress, so reviews of it count
 * nowhere until it is submitted again, and its reviewer pairs are kept (a second submit gives it
 * reviewers only where it is still short of them). Recorded in the audit log.
 */
export async function withdrawSelfAssessment(
	db: DB,
	learner: SessionUser,
	taskOrId: number | TaskToLearn
): Promise<void> {
	const task = await requireTaskToLearn(db, learner, taskOrId);
	await db.transaction().execute(async (trx) => {
		const submission = await trx
			.selectFrom('submissions')
			.select(['id', 'self_state'])
			.where('task_id', '=', task.id)
			.where('learner_id', '=', learner.id)
			.executeTakeFirst();
		if (submission?.self_state !== 'submitted')
			throw new Refusal(
				'Your self-assessment is not submitted, so there is nothing to take back.',
				409
			);
		// The rule is a condition of the one UPDATE, so a marker's first grade and this cannot both
		// land: whichever comes second sees the other.
		const taken = await trx
			.updateTable('submissions')
			.set({ self_state: 'in_progress', self_submitted_at: null, updated_at: nowIso() })
			.where('id', '=', submission.id)
			.where('self_state', '=', 'submitted')
			.where((eb) => eb.not(markingStartedSql()))
			.executeTakeFirst();
		if (Number(taken.numUpdatedRows) === 0) throw new Refusal(MARKING_STARTED_MESSAGE, 409);
		await recordAudit(trx, {
			schoolId: learner.schoolId,
			actorId: learner.id,
			action: 'self.withdraw',
			entityType: 'submission',
			entityId: String(submission.id)
		});
	});
}
