import type { DB } from '../db/connection';
import type { SessionUser } from '../auth/sessions';
import { requireClassAccess } from '../auth/guards';
import { requireTaskToTeach, type TaskToTeach } from '../auth/task-guards';
import { notifyTaskPublished } from '../notifications/events';
import { recordAudit } from '../audit';
import { nowIso } from '../clock';
import { learnerTaskStatus } from '../../domain/task-status';
import type { TaskSettings } from '../../schemas/tasks';
import { Refusal } from '../errors';
import { taskCriteria } from './task-criteria';
import { effectiveDates, extensionJoin } from './effective-dates';
import { scheduleTaskReminders } from './reminders';
import type { TaskState } from '../../domain/states';
import { refreshAggregatesForTasks } from '../profiles/aggregates';

function settingsColumns(s: TaskSettings) {
	return {
		title: s.title,
		brief_markdown: s.brief,
		due_at: s.dueAt,
		scale_id: s.scaleId,
		self_required_before_release: s.selfRequiredBeforeRelease ? 1 : 0,
		self_marker_visibility: s.selfMarkerVisibility,
		peer_enabled: s.peerEnabled ? 1 : 0,
		peer_reviewers_per_learner: s.peerReviewersPerLearner,
		peer_allocation: s.peerAllocation,
		peer_anonymous: s.peerAnonymous ? 1 : 0,
		peer_opens_at: s.peerOpensAt,
		peer_closes_at: s.peerClosesAt,
		group_task: s.groupTask ? 1 : 0,
		non_submitter_penalty_percent: s.nonSubmitterPenaltyPercent
	} as const;
}

async function requireUsableScale(db: DB, schoolId: number, scaleId: number) {
	const scale = await db
		.selectFrom('grade_scales')
		.select('id')
		.where('id', '=', scaleId)
		.where((eb) => eb.or([eb('school_id', 'is', null), eb('school_id', '=', schoolId)]))
		.executeTakeFirst();
	if (!scale) throw new Refusal('Choose one of your school’s grade scales.');
}

export async function createTask(
	db: DB,
	teacher: SessionUser,
	classId: number,
	settings: TaskSettings
): Promise<number> {
	await requireClassAccess(db, teacher, classId, 'teach');
	await requireUsableScale(db, teacher.schoolId, settings.scaleId);
	return db.transaction().execute(async (trx) => {
		const now = nowIso();
		const { id } = await trx
			.insertInto('tasks')
			.values({
				class_id: classId,
				...settingsColumns(settings),
				state: 'draft',
				created_by: teacher.id,
				created_at: now,
				updated_at: now
			})
			.returning('id')
			.executeTakeFirstOrThrow();
		await recordAudit(trx, {
			schoolId: teacher.schoolId,
			actorId: teacher.id,
			action: 'task.create',
			entityType: 'task',
			entityId: String(id),
			after: { title: settings.title, classId }
		});
		return id;
	});
}

export async function updateTaskSettings(
	db: DB,
	user: SessionUser,
	taskId: number,
	settings: TaskSettings
) {
	const task = await requireTaskToTeach(db, user, taskId);
	await requireUsableScale(db, user.schoolId, settings.scaleId);
	if (settings.scaleId !== task.scale_id) {
		const attached = await db
			.selectFrom('task_criteria')
			.select('id')
			.where('task_id', '=', taskId)
			.limit(1)
			.executeTakeFirst();
		if (attached)
			throw new Refusal(
				'Remove the criteria before changing the scale: each criterion describes the bands of its own scale.'
			);
	}
	await db.transaction().execute(async (trx) => {
		await trx
			.updateTable('tasks')
			.set({ ...settingsColumns(settings), updated_at: nowIso() })
			.where('id', '=', taskId)
			.execute();
		await recordAudit(trx, {
			schoolId: user.schoolId,
			actorId: user.id,
			action: 'task.settings',
			entityType: 'task',
			entityId: String(taskId),
			after: settings
		});
		// The dates may have moved: the automatic reminders move with them.
		await scheduleTaskReminders(trx, taskId);
		// "Self-assessment first" may have changed, which holds or shows released grades.
		await refreshAggregatesForTasks(trx, [taskId]);
	});
}

export async function setTaskState(
	db: DB,
	user: SessionUser,
	taskOrId: number | TaskToTeach,
	state: TaskState
) {
	const task = await requireTaskToTeach(db, user, taskOrId);
	const taskId = task.id;
	if (state === 'published') {
		const count = (await taskCriteria(db, taskId)).length;
		if (count === 0) throw new Refusal('Add at least one criterion before publishing the task.');
	}
	if (state === 'draft' && task.state === 'published') {
		const started = await db
			.selectFrom('submissions')
			.select('id')
			.where('task_id', '=', taskId)
			.limit(1)
			.executeTakeFirst();
		if (started)
			throw new Refusal(
				'Learners have started this task, so it cannot go back to draft. Archive it instead.'
			);
	}
	await db.transaction().execute(async (trx) => {
		await trx
			.updateTable('tasks')
			.set({ state, updated_at: nowIso() })
			.where('id', '=', taskId)
			.execute();
		await recordAudit(trx, {
			schoolId: user.schoolId,
			actorId: user.id,
			action: `task.${state}`,
			entityType: 'task',
			entityId: String(taskId),
			before: { state: task.state },
			after: { state }
		});
		// Published: its reminders are scheduled; back to draft or archived: cancelled.
		await scheduleTaskReminders(trx, taskId);
		if (state === 'published' && task.state !== 'published') await notifyTaskPublished(trx, task);
	});
}

/** A class's tasks for its teacher, with progress counts, in one query. */
export async function listClassTasks(db: DB, classId: number) {
	const rows = await db
		.selectFrom('tasks')
		.select((eb) => [
			'tasks.id',
			'tasks.title',
			'tasks.state',
			'tasks.due_at as dueAt',
			'tasks.peer_enabled as peerEnabled',
			eb
				.selectFrom('task_criteria')
				.select((e) => e.fn.countAll<number>().as('n'))
				.whereRef('task_criteria.task_id', '=', 'tasks.id')
				.as('criteriaCount'),
			eb
				.selectFrom('submissions')
				.select((e) => e.fn.countAll<number>().as('n'))
				.whereRef('submissions.task_id', '=', 'tasks.id')
				.where('submissions.self_state', '=', 'submitted')
				.as('selfSubmitted'),
			eb
				.selectFrom('submissions')
				.select((e) => e.fn.countAll<number>().as('n'))
				.whereRef('submissions.task_id', '=', 'tasks.id')
				.where('submissions.released_at', 'is not', null)
				.as('released')
		])
		.where('tasks.class_id', '=', classId)
		.where('tasks.state', '!=', 'archived')
		.orderBy('tasks.created_at', 'desc')
		.execute();
	return rows.map((r) => ({
		...r,
		criteriaCount: Number(r.criteriaCount ?? 0),
		selfSubmitted: Number(r.selfSubmitted ?? 0),
		released: Number(r.released ?? 0)
	}));
}

/** Every published task of a learner's classes with where they stand on it (one query). */
export async function listLearnerTasks(db: DB, learnerId: number) {
	const rows = await db
		.selectFrom('tasks')
		.innerJoin('enrolments', 'enrolments.class_id', 'tasks.class_id')
		.innerJoin('classes', 'classes.id', 'tasks.class_id')
		.leftJoin('submissions', (join) =>
			join
				.onRef('submissions.task_id', '=', 'tasks.id')
				.on('submissions.learner_id', '=', learnerId)
		)
		.leftJoin('task_extensions', extensionJoin('enrolments.learner_id'))
		.select((eb) => [
			'tasks.id',
			'tasks.title',
			// Their own due date: an extension's, else the class's (never another learner's).
			effectiveDates.dueAt.as('dueAt'),
			'classes.name as className',
			'submissions.self_state as selfState',
			'submissions.released_at as releasedAt',
			eb
				.selectFrom('task_criteria')
				.select((e) => e.fn.countAll<number>().as('n'))
				.whereRef('task_criteria.task_id', '=', 'tasks.id')
				.as('criteriaCount'),
			eb
				.selectFrom('assessments')
				.select((e) => e.fn.count<number>('assessments.criterion_id').distinct().as('n'))
				.whereRef('assessments.submission_id', '=', 'submissions.id')
				.where('assessments.role', '=', 'teacher')
				.where('assessments.value', 'is not', null)
				.as('teacherGraded')
		])
		.where('enrolments.learner_id', '=', learnerId)
		.where('tasks.state', '=', 'published')
		.orderBy(effectiveDates.dueAt)
		.orderBy('tasks.created_at', 'desc')
		.execute();
	return rows.map((r) => ({
		id: r.id,
		title: r.title,
		dueAt: r.dueAt,
		className: r.className,
		releasedAt: r.releasedAt,
		status: learnerTaskStatus({
			selfState: r.selfState,
			releasedAt: r.releasedAt,
			criteriaCount: Number(r.criteriaCount ?? 0),
			teacherGradedCount: Number(r.teacherGraded ?? 0)
		})
	}));
}
