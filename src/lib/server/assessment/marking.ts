import type { DB } from '../db/connection';
import type { SessionUser } from '../auth/sessions';
import { recordAudit } from '../audit';
import { renderMarkdown } from '../markdown';
import {
	requireClassTeacherOf,
	requireLearnerOfTask,
	requireTaskToMark,
	type TaskToMark
} from '../auth/task-guards';
import { lateness, learnerTaskStatus, STATUS_LABEL } from '../../domain/task-status';
import { effectiveDates, extensionJoin } from '../tasks/effective-dates';
import { arrangeMarkingList, filterCounts, markingNeighbours } from '../../domain/marking-list';
import { gapInBands, isLargeGap } from '../../domain/moderation';
import { teacherResult } from '../../domain/results';
import type { Band } from '../../domain/scales';
import { scaleBands } from '../scales/scales';
import type { MarkingListQuery, TeacherSave } from '../../schemas/assessment';
import { nowIso } from '../clock';
import { assessmentCards } from './cards';
import { evidenceOf } from './evidence';
import { CONFLICT_MESSAGE, refuseStaleJudgement, upsertJudgement } from './judgements';
import { commentBankFor } from './comment-bank';
import { peerResultsFor } from '../peer/results';
import { agreedGradesOfTask } from '../moderation/moderation';
import { Refusal } from '../errors';
import { displayName } from '../../domain/names';
import { notifyGradesReleased, tellOfLostSave } from '../notifications/events';
import { addReleasedTaskToAggregates, refreshLearnerSkillAggregates } from '../profiles/aggregates';

/**
 * The class list for marking one task: each learner with where they stand, when they submitted and
 * their largest self–teacher gap, from four set-based queries for the whole class (learners with
 * their counts, every self and teacher judgement, agreed grades, the bands). A gap is flagged by
 * moderation's own rule (`isLargeGap`: more than one band) between the learner's self-assessment
 * and the teacher result (agreed grade, else the marker's, else the markers' mean). On a task that
 * hides the learner's marker until this marker has judged (`after_teacher`), only criteria this
 * marker has graded count, so the list reveals no more than the marking screen.
 *
 * `query` filters and orders `learners`; `counts` are per filter over the whole class.
 */
export async function markingList(
	db: DB,
	teacher: SessionUser,
	taskOrId: number | TaskToMark,
	query: MarkingListQuery = { show: 'all', sort: 'state' }
) {
	const task = await requireTaskToMark(db, teacher, taskOrId);
	const taskId = task.id;
	const [rows, criteriaCount, judgements, agreed, bands] = await Promise.all([
		db
			.selectFrom('enrolments')
			.innerJoin('users', 'users.id', 'enrolments.learner_id')
			.leftJoin('submissions', (join) =>
				join.onRef('submissions.learner_id', '=', 'users.id').on('submissions.task_id', '=', taskId)
			)
			.innerJoin('tasks', (join) => join.on('tasks.id', '=', taskId))
			.leftJoin('task_extensions', extensionJoin('enrolments.learner_id'))
			.select((eb) => [
				'users.id',
				// Lateness is by the learner's own due date (an extension's, else the class's).
				effectiveDates.dueAt.as('dueAt'),
				effectiveDates.extended.as('extended'),
				'users.given_name as givenName',
				'users.family_name as familyName',
				'submissions.id as submissionId',
				'submissions.self_state as selfState',
				'submissions.self_submitted_at as submittedAt',
				'submissions.released_at as releasedAt',
				eb
					.selectFrom('assessments')
					.select((e) => e.fn.count<number>('assessments.criterion_id').distinct().as('n'))
					.whereRef('assessments.submission_id', '=', 'submissions.id')
					.where('assessments.role', '=', 'teacher')
					.where('assessments.value', 'is not', null)
					.as('teacherGraded'),
				eb
					.selectFrom('assessments')
					.select((e) => e.fn.countAll<number>().as('n'))
					.whereRef('assessments.submission_id', '=', 'submissions.id')
					.where('assessments.role', '=', 'self')
					.where('assessments.value', 'is not', null)
					.as('selfPlaced'),
				eb
					.selectFrom('evidence')
					.select((e) => e.fn.countAll<number>().as('n'))
					.whereRef('evidence.submission_id', '=', 'submissions.id')
					.as('evidenceCount')
			])
			.where('enrolments.class_id', '=', task.class_id)
			.where('users.active', '=', 1)
			.orderBy('users.family_name')
			.orderBy('users.given_name')
			.execute(),
		db
			.selectFrom('task_criteria')
			.select((e) => e.fn.countAll<number>().as('n'))
			.where('task_id', '=', taskId)
			.executeTakeFirstOrThrow(),
		db
			.selectFrom('assessments')
			.innerJoin('submissions', 'submissions.id', 'assessments.submission_id')
			.select([
				'assessments.submission_id as submissionId',
				'assessments.criterion_id as criterionId',
				'assessments.role',
				'assessments.assessor_id as assessorId',
				'assessments.value'
			])
			.where('submissions.task_id', '=', taskId)
			.where('assessments.role', 'in', ['self', 'teacher'])
			.where('assessments.value', 'is not', null)
			.execute(),
		agreedGradesOfTask(db, taskId),
		scaleBands(db, task.scale_id)
	]);
	const total = Number(criteriaCount.n);
	const blindFirst = task.self_marker_visibility === 'after_teacher';
	const gaps = selfTeacherGaps(bands, judgements, agreed, blindFirst ? teacher.id : null);
	const now = new Date();
	const learners = rows.map((r) => {
		const teacherGraded = Number(r.teacherGraded ?? 0);
		const status = learnerTaskStatus({
			selfState: r.selfState,
			releasedAt: r.releasedAt,
			criteriaCount: total,
			teacherGradedCount: teacherGraded
		});
		const gap = (r.submissionId !== null && gaps.get(r.submissionId)) || null;
		return {
			id: r.id,
			givenName: r.givenName,
			familyName: r.familyName,
			name: displayName(r),
			status,
			statusLabel: STATUS_LABEL[status],
			submittedAt: r.selfState === 'submitted' ? r.submittedAt : null,
			lateness: lateness(r.dueAt, r.selfState === 'submitted' ? r.submittedAt : null, now),
			extended: Boolean(r.extended),
			selfPlaced: Number(r.selfPlaced ?? 0),
			teacherGraded,
			evidenceCount: Number(r.evidenceCount ?? 0),
			largestGap: gap?.largest ?? null,
			flagged: gap?.flagged ?? false,
			released: r.releasedAt !== null,
			readyToRelease: total > 0 && teacherGraded >= total && r.releasedAt === null
		};
	});
	return {
		task: {
			id: task.id,
			title: task.title,
			className: task.className,
			classId: task.class_id,
			state: task.state,
			criteriaCount: total,
			mayRelease: task.teachesClass
		},
		query,
		counts: filterCounts(learners),
		/** every learner in the class, in name order, whatever the query */
		everyone: learners,
		learners: arrangeMarkingList(learners, query.show, query.sort)
	};
}

/**
 * Per submission, the largest self–teacher gap in bands and whether any criterion's is flagged.
 * With `onlyGradedBy`, a criterion counts only once that marker has graded it (blind marking).
 */
function selfTeacherGaps(
	bands: Band[],
	judgements: {
		submissionId: number;
		criterionId: number;
		role: string;
		assessorId: number;
		value: number | null;
	}[],
	agreed: { submissionId: number; criterionId: number; value: number }[],
	onlyGradedBy: number | null
) {
	const cells = new Map<string, { self: number | null; markers: number[]; mine: boolean }>();
	const cell = (submissionId: number, criterionId: number) => {
		const key = `${submissionId}:${criterionId}`;
		let found = cells.get(key);
		if (!found) cells.set(key, (found = { self: null, markers: [], mine: false }));
		return found;
	};
	for (const j of judgements) {
		if (j.value === null) continue;
		const c = cell(j.submissionId, j.criterionId);
		if (j.role === 'self') c.self = j.value;
		else {
			c.markers.push(j.value);
			if (j.assessorId === onlyGradedBy) c.mine = true;
		}
	}
	const agreedOf = new Map(agreed.map((a) => [`${a.submissionId}:${a.criterionId}`, a.value]));
	const bySubmission = new Map<number, { largest: number; flagged: boolean }>();
	for (const [key, c] of cells) {
		if (onlyGradedBy !== null && !c.mine) continue;
		const teacherValue = teacherResult(c.markers, agreedOf.get(key) ?? null)?.value ?? null;
		const gap = gapInBands(bands, c.self, teacherValue);
		if (gap === null) continue;
		const submissionId = Number(key.split(':')[0]);
		const before = bySubmission.get(submissionId) ?? { largest: 0, flagged: false };
		bySubmission.set(submissionId, {
			largest: Math.max(before.largest, Math.abs(gap)),
			flagged: before.flagged || isLargeGap(bands, c.self, teacherValue)
		});
	}
	return bySubmission;
}

/**
 * One learner's work on the marking screen: their judgement beside this teacher's, on the same
 * cards.
 *
 * A task set to show the learner's marker only after the teacher's own (`after_teacher`: a blind
 * first judgement) gets it on the server, per criterion: until this marker has placed a grade
 * there, the learner's value and the other markers' grades and comments are not sent at all (only
 * whether the learner has placed it), so reading the page data reveals nothing the screen hides.
 * The learner's reflection is not part of the marker and is always sent.
 */
export async function markingView(
	db: DB,
	teacher: SessionUser,
	taskOrId: number | TaskToMark,
	learnerId: number,
	query: MarkingListQuery = { show: 'all', sort: 'state' }
) {
	const task = await requireTaskToMark(db, teacher, taskOrId);
	const [learner, list, cards, submission, bank] = await Promise.all([
		requireLearnerOfTask(db, task.class_id, learnerId),
		markingList(db, teacher, task, query),
		assessmentCards(db, task.id, task.scale_id),
		db
			.selectFrom('submissions')
			.selectAll()
			.where('task_id', '=', task.id)
			.where('learner_id', '=', learnerId)
			.executeTakeFirst(),
		commentBankFor(db, teacher)
	]);
	const submissionId = submission?.id ?? null;
	const [assessments, evidence] = await Promise.all([
		submissionId === null
			? []
			: db
					.selectFrom('assessments')
					.innerJoin('users', 'users.id', 'assessments.assessor_id')
					.select([
						'assessments.criterion_id as criterionId',
						'assessments.role',
						'assessments.value',
						'assessments.comment',
						'assessments.revision',
						'assessments.assessor_id as assessorId',
						'users.given_name as assessorGivenName',
						'users.family_name as assessorFamilyName'
					])
					.where('assessments.submission_id', '=', submissionId)
					.where('assessments.role', 'in', ['self', 'teacher'])
					.execute(),
		evidenceOf(db, submissionId)
	]);
	const peers = await peerResultsFor(db, submissionId, cards.bands, true);
	const blindFirst = task.self_marker_visibility === 'after_teacher';
	const walk = markingNeighbours(list.everyone, learnerId, query.show, query.sort);
	return {
		task: {
			id: task.id,
			title: task.title,
			className: task.className,
			briefHtml: renderMarkdown(task.brief_markdown),
			selfMarkerVisibility: task.self_marker_visibility,
			selfRequiredBeforeRelease: task.self_required_before_release === 1
		},
		learner: { id: learner.id, name: displayName(learner), givenName: learner.givenName },
		/** `[` and `]`: the list's filter and order, skipping learners who have not started */
		previousLearnerId: walk.previousId,
		nextLearnerId: walk.nextId,
		positionLabel:
			walk.position === null
				? `not in this list (${walk.total})`
				: `${walk.position} of ${walk.total}`,
		query,
		bands: cards.bands,
		selfState: submission?.self_state ?? 'not_started',
		selfSubmittedAt: submission?.self_submitted_at ?? null,
		overallReflection: submission?.overall_reflection ?? '',
		overallComment: submission?.teacher_overall_comment ?? '',
		overallCommentRevision: submission?.overall_comment_revision ?? 0,
		releasedAt: submission?.released_at ?? null,
		evidence,
		commentBank: bank,
		criteria: cards.criteria.map((c) => {
			const self = assessments.find((a) => a.criterionId === c.criterionId && a.role === 'self');
			const mine = assessments.find(
				(a) =>
					a.criterionId === c.criterionId && a.role === 'teacher' && a.assessorId === teacher.id
			);
			const others = assessments.filter(
				(a) =>
					a.criterionId === c.criterionId && a.role === 'teacher' && a.assessorId !== teacher.id
			);
			const blind = blindFirst && (mine?.value ?? null) === null;
			return {
				...c,
				/** the learner's value and other markers' grades wait for this marker's own */
				blind,
				self: {
					value: blind ? null : (self?.value ?? null),
					placed: (self?.value ?? null) !== null,
					comment: self?.comment ?? ''
				},
				teacher: {
					value: mine?.value ?? null,
					comment: mine?.comment ?? '',
					revision: mine?.revision ?? 0
				},
				otherMarkers: others.map((o) => ({
					name: displayName({ givenName: o.assessorGivenName, familyName: o.assessorFamilyName }),
					value: blind ? null : o.value,
					comment: blind ? '' : o.comment
				})),
				peers: peers.get(c.criterionId) ?? null
			};
		})
	};
}

export type MarkingView = Awaited<ReturnType<typeof markingView>>;

/**
 * One autosaved change by a teacher. Once grades are released, a change needs a reason and is kept
 * in the audit log with its old and new value, so a learner's record can always be explained. A
 * change based on a stale revision (another tab, device or marker's save since) is refused with 409
 * and the current version, and changes nothing.
 */
export async function saveTeacherGrade(
	db: DB,
	teacher: SessionUser,
	taskId: number,
	learnerId: number,
	change: TeacherSave
) {
	const task = await requireTaskToMark(db, teacher, taskId);
	if (task.state === 'draft')
		throw new Refusal('Publish the task before assessing learners on it.', 409);
	await requireLearnerOfTask(db, task.class_id, learnerId);
	const link = `/teacher/tasks/${taskId}/marking/${learnerId}`;
	return tellOfLostSave(db, teacher.id, taskId, link, () =>
		saveTeacherGradeNow(db, teacher, taskId, learnerId, change)
	);
}

async function saveTeacherGradeNow(
	db: DB,
	teacher: SessionUser,
	taskId: number,
	learnerId: number,
	change: TeacherSave
) {
	return db.transaction().execute(async (trx) => {
		const now = nowIso();
		const submission = await trx
			.insertInto('submissions')
			.values({ task_id: taskId, learner_id: learnerId, updated_at: now })
			.onConflict((oc) => oc.columns(['task_id', 'learner_id']).doUpdateSet({ updated_at: now }))
			.returning([
				'id',
				'released_at as releasedAt',
				'teacher_overall_comment as overallComment',
				'overall_comment_revision as overallCommentRevision'
			])
			.executeTakeFirstOrThrow();
		const released = submission.releasedAt !== null;
		const reason = change.reason?.trim() ?? '';
		if (released && !reason) {
			throw new Refusal(
				'These grades are already released. Say why you are changing them (the change is recorded).',
				409
			);
		}
		const audit = (before: unknown, after: unknown, action: string) =>
			recordAudit(trx, {
				schoolId: teacher.schoolId,
				actorId: teacher.id,
				action,
				entityType: 'submission',
				entityId: String(submission.id),
				before,
				after,
				reason
			});

		if (change.kind === 'overall') {
			const base = change.baseRevision;
			if (base !== undefined && base !== submission.overallCommentRevision)
				throw new Refusal(CONFLICT_MESSAGE, 409, {
					current: { text: submission.overallComment, revision: submission.overallCommentRevision }
				});
			// The check above and this write share the transaction, which holds the write lock since
			// the upsert of the submission, so nothing can land between them.
			const { revision } = await trx
				.updateTable('submissions')
				.set((eb) => ({
					teacher_overall_comment: change.text,
					overall_comment_revision: eb('overall_comment_revision', '+', 1)
				}))
				.where('id', '=', submission.id)
				.returning('overall_comment_revision as revision')
				.executeTakeFirstOrThrow();
			if (released)
				await audit(
					{ overallComment: submission.overallComment },
					{ overallComment: change.text },
					'grade.overall_comment_after_release'
				);
			return { revision };
		}
		const inTask = await trx
			.selectFrom('task_criteria')
			.select('id')
			.where('task_id', '=', taskId)
			.where('criterion_id', '=', change.criterionId)
			.executeTakeFirst();
		if (!inTask) throw new Refusal('That criterion is not part of this task.', 400);
		const before = await trx
			.selectFrom('assessments')
			.select(['value', 'comment'])
			.where('submission_id', '=', submission.id)
			.where('criterion_id', '=', change.criterionId)
			.where('assessor_id', '=', teacher.id)
			.where('role', '=', 'teacher')
			.executeTakeFirst();
		const key = {
			submissionId: submission.id,
			criterionId: change.criterionId,
			assessorId: teacher.id,
			role: 'teacher' as const
		};
		const revision = await upsertJudgement(trx, {
			...key,
			value: change.value,
			comment: change.comment,
			submitted: true,
			baseRevision: change.baseRevision
		});
		if (revision === null) return refuseStaleJudgement(trx, key);
		if (released) {
			// A released grade changed: the learner's totals change with it, in the same transaction.
			await refreshLearnerSkillAggregates(trx, [learnerId]);
			await audit(
				{
					criterionId: change.criterionId,
					value: before?.value ?? null,
					comment: before?.comment ?? ''
				},
				{
					criterionId: change.criterionId,
					value: change.value !== undefined ? change.value : (before?.value ?? null),
					comment: change.comment !== undefined ? change.comment : (before?.comment ?? '')
				},
				'grade.change_after_release'
			);
		}
		return { revision };
	});
}

/**
 * Release grades to learners: one learner, or everyone in the class whose every criterion has a
 * teacher grade. Learners not fully graded are left out and counted, never released half-marked.
 */
export async function releaseGrades(
	db: DB,
	teacher: SessionUser,
	taskId: number,
	learnerId: number | 'all'
) {
	const checked = await requireTaskToMark(db, teacher, taskId);
	requireClassTeacherOf(checked);
	const { learners, task } = await markingList(db, teacher, checked);
	const candidates = learnerId === 'all' ? learners : learners.filter((l) => l.id === learnerId);
	if (learnerId !== 'all' && candidates.length === 0)
		throw new Refusal('That learner is not in this task’s class.', 404);
	const ready = candidates.filter((l) => l.readyToRelease);
	if (learnerId !== 'all' && ready.length === 0) {
		const learner = candidates[0]!;
		throw new Refusal(
			learner.released
				? 'These grades are already released.'
				: `Grade all ${task.criteriaCount} criteria before releasing (${learner.teacherGraded} done).`,
			409
		);
	}
	if (ready.length > 0) {
		await db.transaction().execute(async (trx) => {
			const now = nowIso();
			const ids = ready.map((l) => l.id);
			// Only the submissions this release changed (not one another tab released meanwhile)
			// have their task's grades added to the totals.
			const releasedNow = await trx
				.updateTable('submissions')
				.set({ released_at: now, released_by: teacher.id, updated_at: now })
				.where('task_id', '=', taskId)
				.where('learner_id', 'in', ids)
				.where('released_at', 'is', null)
				.returning('learner_id')
				.execute();
			await addReleasedTaskToAggregates(
				trx,
				{ schoolId: teacher.schoolId, taskId },
				releasedNow.map((r) => r.learner_id)
			);
			await recordAudit(trx, {
				schoolId: teacher.schoolId,
				actorId: teacher.id,
				action: 'grades.release',
				entityType: 'task',
				entityId: String(taskId),
				after: { learnerIds: ids }
			});
			await notifyGradesReleased(trx, checked, ids);
		});
	}
	const notReady = candidates.filter((l) => !l.released && !l.readyToRelease).length;
	return { released: ready.length, notReady };
}

/**
 * Hold a learner's released grades again ("unrelease"): the learner no longer sees them, and they
 * leave everything read through `gradesVisibleToLearnerSql` (their profile, reports, new exports,
 * badge proposals). Badges already issued from them stay issued (a signed credential is revoked on
 * purpose, on the Badges page, never as a side effect). Only the class's teacher may, as for
 * release. Recorded, with when they had been released.
 */
export async function holdGrades(
	db: DB,
	teacher: SessionUser,
	taskId: number,
	learnerId: number
): Promise<void> {
	const task = await requireTaskToMark(db, teacher, taskId);
	requireClassTeacherOf(task);
	await requireLearnerOfTask(db, task.class_id, learnerId);
	await db.transaction().execute(async (trx) => {
		const submission = await trx
			.selectFrom('submissions')
			.select(['id', 'released_at as releasedAt'])
			.where('task_id', '=', taskId)
			.where('learner_id', '=', learnerId)
			.executeTakeFirst();
		if (!submission?.releasedAt)
			throw new Refusal('These grades are not released, so there is nothing to hold back.', 409);
		await trx
			.updateTable('submissions')
			.set({ released_at: null, released_by: null, updated_at: nowIso() })
			.where('id', '=', submission.id)
			.execute();
		await refreshLearnerSkillAggregates(trx, [learnerId]);
		await recordAudit(trx, {
			schoolId: teacher.schoolId,
			actorId: teacher.id,
			action: 'grades.unrelease',
			entityType: 'submission',
			entityId: String(submission.id),
			before: { releasedAt: submission.releasedAt },
			after: { releasedAt: null }
		});
	});
}

/** Unlock a learner's submitted self-assessment so they can change it; recorded. */
export async function reopenSelfAssessment(
	db: DB,
	teacher: SessionUser,
	taskId: number,
	learnerId: number
) {
	const task = await requireTaskToMark(db, teacher, taskId);
	requireClassTeacherOf(task);
	await requireLearnerOfTask(db, task.class_id, learnerId);
	const submission = await db
		.selectFrom('submissions')
		.select(['id', 'self_state'])
		.where('task_id', '=', taskId)
		.where('learner_id', '=', learnerId)
		.executeTakeFirst();
	if (submission?.self_state !== 'submitted')
		throw new Refusal('This self-assessment is not submitted, so there is nothing to reopen.', 409);
	await db.transaction().execute(async (trx) => {
		await trx
			.updateTable('submissions')
			.set({ self_state: 'in_progress', self_submitted_at: null, updated_at: nowIso() })
			.where('id', '=', submission.id)
			.execute();
		// Grades held until the self-assessment is in are held again.
		await refreshLearnerSkillAggregates(trx, [learnerId]);
		await recordAudit(trx, {
			schoolId: teacher.schoolId,
			actorId: teacher.id,
			action: 'self.reopen',
			entityType: 'submission',
			entityId: String(submission.id)
		});
	});
}

/** Who changed what and why on one learner's task: the audit trail shown on the marking screen. */
export async function gradeHistory(
	db: DB,
	teacher: SessionUser,
	taskOrId: number | TaskToMark,
	learnerId: number
) {
	const task = await requireTaskToMark(db, teacher, taskOrId);
	const taskId = task.id;
	const submission = await db
		.selectFrom('submissions')
		.select('id')
		.where('task_id', '=', task.id)
		.where('learner_id', '=', learnerId)
		.executeTakeFirst();
	const releases = await db
		.selectFrom('audit_log')
		.leftJoin('users', 'users.id', 'audit_log.actor_id')
		.select([
			'audit_log.id',
			'audit_log.action',
			'audit_log.after_json as afterJson',
			'audit_log.before_json as beforeJson',
			'audit_log.reason',
			'audit_log.created_at as at',
			'users.given_name as givenName',
			'users.family_name as familyName'
		])
		.where('audit_log.school_id', '=', teacher.schoolId)
		.where((eb) =>
			eb.or([
				eb.and([
					eb('audit_log.entity_type', '=', 'submission'),
					eb('audit_log.entity_id', '=', String(submission?.id ?? -1))
				]),
				eb.and([
					eb('audit_log.entity_type', '=', 'task'),
					eb('audit_log.entity_id', '=', String(taskId)),
					eb('audit_log.action', '=', 'grades.release')
				])
			])
		)
		.orderBy('audit_log.id', 'desc')
		.limit(200)
		.execute();
	return releases
		.filter(
			(r) =>
				r.action !== 'grades.release' ||
				(JSON.parse(r.afterJson ?? '{}') as { learnerIds?: number[] }).learnerIds?.includes(
					learnerId
				)
		)
		.map((r) => ({
			id: r.id,
			action: r.action,
			who: displayName(r) ?? 'Someone since removed',
			at: r.at,
			reason: r.reason,
			before: r.beforeJson ? (JSON.parse(r.beforeJson) as Record<string, unknown>) : null,
			after: r.afterJson ? (JSON.parse(r.afterJson) as Record<string, unknown>) : null
		}));
}
