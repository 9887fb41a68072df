import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../db/schema';
import { notify } from './notify';
import { Refusal } from '../errors';
import { CONFLICT_MESSAGE } from '../assessment/judgements';
import { effectiveDates, extensionJoin } from '../tasks/effective-dates';

/**
 * The events the notification centre reports, each called inside the transaction of the change
 * (so nobody is told of a change that rolled back). Who is told, and the link each opens, live here
 * in one place; the features call one function each.
 */
type Executor = Kysely<Database> | Transaction<Database>;

interface TaskFacts {
	id: number;
	title: string;
	class_id: number;
	className: string;
}

const dayOf = (now: Date) => now.toISOString().slice(0, 10);

/** The class's learners, once per task (publishing again after archiving tells nobody twice). */
export async function notifyTaskPublished(db: Executor, task: TaskFacts, now = new Date()) {
	const learners = await db
		.selectFrom('enrolments')
		.select('learner_id')
		.where('class_id', '=', task.class_id)
		.execute();
	await notify(
		db,
		{
			userIds: learners.map((l) => l.learner_id),
			kind: 'task_published',
			params: { taskId: task.id, taskTitle: task.title, className: task.className },
			link: `/student/tasks/${task.id}`,
			dedupeKey: `task_published:task:${task.id}`
		},
		now
	);
}

/**
 * Each reviewer just given reviews, with how many; more the same day count up the same one. A
 * reviewer whose own peer window (an extension counts) has not opened yet is told when it opens, by
 * the task's automatic reminder (`tasks/reminders.ts`), not now, when they could not start.
 */
export async function notifyReviewsWaiting(
	db: Executor,
	task: { id: number; title: string },
	reviewerIds: readonly number[],
	now = new Date()
) {
	if (reviewerIds.length === 0) return;
	const windows = await db
		.selectFrom('users')
		.innerJoin('tasks', (join) => join.on(sql<boolean>`tasks.id = ${task.id}`))
		.leftJoin('task_extensions', extensionJoin('users.id'))
		.select(['users.id', effectiveDates.peerOpensAt.as('opensAt')])
		.where('users.id', 'in', [...new Set(reviewerIds)])
		.execute();
	const openNow = new Set(
		windows
			.filter((w) => w.opensAt === null || Date.parse(w.opensAt) <= now.getTime())
			.map((w) => w.id)
	);
	const given = new Map<number, number>();
	for (const id of reviewerIds) if (openNow.has(id)) given.set(id, (given.get(id) ?? 0) + 1);
	for (const [reviewerId, count] of given)
		await notify(
			db,
			{
				userIds: [reviewerId],
				kind: 'peer_reviews_waiting',
				params: { taskId: task.id, taskTitle: task.title, count },
				link: '/student/reviews',
				dedupeKey: `peer_reviews_waiting:task:${task.id}:${dayOf(now)}`,
				onRepeat: 'count'
			},
			now
		);
}

/**
 * The class's teachers and the task's second markers, when a learner submits: one notification a
 * task a day, counting the submissions, not one a learner.
 */
export async function notifyReadyToMark(db: Executor, task: TaskFacts, now = new Date()) {
	const [teachers, markers] = await Promise.all([
		db
			.selectFrom('class_teachers')
			.select('teacher_id as id')
			.where('class_id', '=', task.class_id)
			.execute(),
		db.selectFrom('task_markers').select('marker_id as id').where('task_id', '=', task.id).execute()
	]);
	await notify(
		db,
		{
			userIds: [...teachers, ...markers].map((t) => t.id),
			kind: 'ready_to_mark',
			params: { taskId: task.id, taskTitle: task.title, className: task.className, count: 1 },
			link: `/teacher/tasks/${task.id}/marking`,
			dedupeKey: `ready_to_mark:task:${task.id}:${dayOf(now)}`,
			onRepeat: 'count'
		},
		now
	);
}

/** Each learner whose grades were just released (released again after a hold: told again). */
export async function notifyGradesReleased(
	db: Executor,
	task: { id: number; title: string },
	learnerIds: number[],
	now = new Date()
) {
	await notify(
		db,
		{
			userIds: learnerIds,
			kind: 'grades_released',
			params: { taskId: task.id, taskTitle: task.title },
			link: `/student/tasks/${task.id}`
		},
		now
	);
}

export async function notifyBadgeAwarded(
	db: Executor,
	learnerId: number,
	badge: { name: string },
	awardIdentifier: string,
	now = new Date()
) {
	await notify(
		db,
		{
			userIds: [learnerId],
			kind: 'badge_awarded',
			params: { badgeName: badge.name },
			link: '/student/badges',
			dedupeKey: `badge_awarded:${awardIdentifier}`
		},
		now
	);
}

/**
 * A save lost to a newer copy: the person is told in the centre (so their other tab or device,
 * where the newer copy won, shows it too), once a task a day, counted up and unread again on the
 * next. Written after the refused save's transaction rolled back, in a statement of its own.
 */
export async function notifySaveConflict(
	db: Executor,
	userId: number,
	task: { id: number; title: string },
	link: string,
	now = new Date()
) {
	await notify(
		db,
		{
			userIds: [userId],
			kind: 'save_conflict',
			params: { taskId: task.id, taskTitle: task.title },
			link,
			dedupeKey: `save_conflict:${link}:${dayOf(now)}`,
			onRepeat: 'count'
		},
		now
	);
}

/** The class's teachers, when a learner flags a review of their work. */
export async function notifyReviewFlagged(
	db: Executor,
	task: { id: number; title: string; class_id: number },
	allocationId: number,
	now = new Date()
) {
	const teachers = await db
		.selectFrom('class_teachers')
		.select('teacher_id')
		.where('class_id', '=', task.class_id)
		.execute();
	await notify(
		db,
		{
			userIds: teachers.map((t) => t.teacher_id),
			kind: 'review_flagged',
			params: { taskId: task.id, taskTitle: task.title },
			link: `/teacher/tasks/${task.id}/peers#flagged-reviews`,
			dedupeKey: `review_flagged:allocation:${allocationId}`
		},
		now
	);
}

/**
 * Runs an autosave; when it is refused as stale (a newer copy was saved in another tab or device),
 * tells the person in the centre, then lets the refusal go on to the save bar as before.
 */
export async function tellOfLostSave<T>(
	db: Kysely<Database>,
	userId: number,
	taskId: number,
	link: string,
	save: () => Promise<T>
): Promise<T> {
	try {
		return await save();
	} catch (problem) {
		if (
			problem instanceof Refusal &&
			problem.status === 409 &&
			problem.message === CONFLICT_MESSAGE
		) {
			const task = await db
				.selectFrom('tasks')
				.select(['id', 'title'])
				.where('id', '=', taskId)
				.executeTakeFirst();
			if (task) await notifySaveConflict(db, userId, task, link);
		}
		throw problem;
	}
}
