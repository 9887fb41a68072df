import { error } from '@sveltejs/kit';
import type { DB } from '../db/connection';
import type { SessionUser } from './sessions';
import { requireClassAccess } from './guards';
import { Refusal } from '../errors';
import { effectiveDates, extensionJoin } from '../tasks/effective-dates';

/**
 * Who may use a task, a learner's place on it, or a peer review on it. Each task guard returns the
 * row it checked and remembers whom it checked it for: a service handed that row instead of an id
 * does not check again. So a route that guards before reading its form (an outsider must be
 * refused, not told which field is missing) and the service it then calls make one check between
 * them.
 */
type Purpose = 'teach' | 'mark' | 'learn';
const checked = new WeakMap<object, { userId: number; purpose: Purpose }>();

function checkedBefore<T extends object>(
	task: number | T,
	user: SessionUser,
	purpose: Purpose
): task is T {
	if (typeof task === 'number') return false;
	const check = checked.get(task);
	return check?.userId === user.id && check.purpose === purpose;
}

function remember<T extends object>(task: T, user: SessionUser, purpose: Purpose): T {
	checked.set(task, { userId: user.id, purpose });
	return task;
}

const idOf = (task: number | { id: number }) => (typeof task === 'number' ? task : task.id);

function findTaskToTeach(db: DB, user: SessionUser, taskId: number) {
	return db
		.selectFrom('tasks')
		.innerJoin('classes', 'classes.id', 'tasks.class_id')
		.selectAll('tasks')
		.select(['classes.name as className', 'classes.school_id as schoolId'])
		.where('tasks.id', '=', taskId)
		.where('classes.school_id', '=', user.schoolId)
		.executeTakeFirst();
}
export type TaskToTeach = NonNullable<Awaited<ReturnType<typeof findTaskToTeach>>>;

/** A task the user teaches (its class's teacher, or the school admin); 404/403 otherwise. */
export async function requireTaskToTeach(
	db: DB,
	user: SessionUser,
	task: number | TaskToTeach
): Promise<TaskToTeach> {
	if (checkedBefore(task, user, 'teach')) return task;
	const row = await findTaskToTeach(db, user, idOf(task));
	if (!row) error(404, 'That task does not exist, or is not in your school.');
	await requireClassAccess(db, user, row.class_id, 'teach');
	return remember(row, user, 'teach');
}

function findTaskToMark(db: DB, user: SessionUser, taskId: number) {
	return db
		.selectFrom('tasks')
		.innerJoin('classes', 'classes.id', 'tasks.class_id')
		.selectAll('tasks')
		.select((eb) => [
			'classes.name as className',
			'classes.school_id as schoolId',
			eb
				.exists(
					eb
						.selectFrom('task_markers')
						.select('task_markers.marker_id')
						.whereRef('task_markers.task_id', '=', 'tasks.id')
						.where('task_markers.marker_id', '=', user.id)
				)
				.as('isMarker'),
			eb
				.exists(
					eb
						.selectFrom('class_teachers')
						.select('class_teachers.teacher_id')
						.whereRef('class_teachers.class_id', '=', 'tasks.class_id')
						.where('class_teachers.teacher_id', '=', user.id)
				)
				.as('isClassTeacher')
		])
		.where('tasks.id', '=', taskId)
		.where('classes.school_id', '=', user.schoolId)
		.executeTakeFirst();
}
export type TaskToMark = NonNullable<Awaited<ReturnType<typeof findTaskToMark>>> & {
	/** The class's own teacher or the school admin: who releases grades and reopens work. */
	teachesClass: boolean;
};

/**
 * A task the user may mark: anyone who may teach it, or a teacher added to it as a second marker
 * (who may mark and moderate, but not change the task, release grades or reopen a learner's work:
 * those stay with the class's teacher).
 */
export async function requireTaskToMark(
	db: DB,
	user: SessionUser,
	task: number | TaskToMark
): Promise<TaskToMark> {
	if (checkedBefore(task, user, 'mark')) return task;
	const row = await findTaskToMark(db, user, idOf(task));
	if (!row) error(404, 'That task does not exist, or is not in your school.');
	if (!row.isMarker) await requireClassAccess(db, user, row.class_id, 'teach');
	const teachesClass = Boolean(row.isClassTeacher) || user.roles.includes('admin');
	return remember({ ...row, teachesClass }, user, 'mark');
}

/** For releasing grades and reopening work: the class's teacher, not a second marker. */
export function requireClassTeacherOf(task: TaskToMark): void {
	if (!task.teachesClass)
		throw new Refusal(
			'Only the class’s teacher releases grades or reopens work; as a second marker you mark and moderate.',
			403
		);
}

/**
 * The task as this learner meets it: its dates are their own (an extension's, else the class's), so
 * everything handed a `TaskToLearn` (lateness, the late-submission top-up of reviewers) follows an
 * extension without knowing of it.
 */
async function findTaskToLearn(db: DB, learner: SessionUser, taskId: number) {
	const row = await db
		.selectFrom('tasks')
		.innerJoin('classes', 'classes.id', 'tasks.class_id')
		.innerJoin('enrolments', 'enrolments.class_id', 'tasks.class_id')
		.leftJoin('task_extensions', extensionJoin('enrolments.learner_id'))
		.selectAll('tasks')
		.select([
			'classes.name as className',
			effectiveDates.dueAt.as('ownDueAt'),
			effectiveDates.peerOpensAt.as('ownPeerOpensAt'),
			effectiveDates.peerClosesAt.as('ownPeerClosesAt'),
			effectiveDates.extended.as('extended')
		])
		.where('tasks.id', '=', taskId)
		.where('tasks.state', '=', 'published')
		.where('enrolments.learner_id', '=', learner.id)
		.executeTakeFirst();
	if (!row) return undefined;
	const { ownDueAt, ownPeerOpensAt, ownPeerClosesAt, extended, ...task } = row;
	return {
		...task,
		due_at: ownDueAt,
		peer_opens_at: ownPeerOpensAt,
		peer_closes_at: ownPeerClosesAt,
		/** the learner has dates of their own on this task */
		extended: Boolean(extended)
	};
}
export type TaskToLearn = NonNullable<Awaited<ReturnType<typeof findTaskToLearn>>>;

/**
 * A published task of one of the learner's classes; drafts and other classes' tasks are missing to
 * them.
 */
export async function requireTaskToLearn(
	db: DB,
	learner: SessionUser,
	task: number | TaskToLearn
): Promise<TaskToLearn> {
	if (checkedBefore(task, learner, 'learn')) return task;
	const row = await findTaskToLearn(db, learner, idOf(task));
	if (!row) error(404, 'That task does not exist, or is not set for your class.');
	return remember(row, learner, 'learn');
}

/** A learner of the task's class, for the teacher looking at their work. */
export async function requireLearnerOfTask(db: DB, classId: number, learnerId: number) {
	const learner = await db
		.selectFrom('enrolments')
		.innerJoin('users', 'users.id', 'enrolments.learner_id')
		.select(['users.id', 'users.given_name as givenName', 'users.family_name as familyName'])
		.where('enrolments.class_id', '=', classId)
		.where('enrolments.learner_id', '=', learnerId)
		.executeTakeFirst();
	if (!learner) throw new Refusal('That learner is not in this task’s class.', 404);
	return learner;
}

/** A peer review on a task the teacher teaches. */
export async function requireAllocationToTeach(
	db: DB,
	teacher: SessionUser,
	task: number | TaskToTeach,
	allocationId: number
) {
	const { id: taskId } = await requireTaskToTeach(db, teacher, task);
	const allocation = await db
		.selectFrom('peer_allocations')
		.selectAll()
		.where('id', '=', allocationId)
		.where('task_id', '=', taskId)
		.executeTakeFirst();
	if (!allocation) throw new Refusal('That review is not part of this task.', 404);
	return allocation;
}

/**
 * A review the learner was given to do, on a published task with peer assessment on, in a class they
 * are still enrolled in (a learner who left the class no longer reads a classmate's work). To
 * `change` it, the teacher must not have set it aside: an excluded review stays readable to its
 * reviewer, locked.
 */
export async function requireOwnAllocation(
	db: DB,
	learner: SessionUser,
	allocationId: number,
	use: 'view' | 'change'
) {
	const allocation = await db
		.selectFrom('peer_allocations')
		.innerJoin('tasks', 'tasks.id', 'peer_allocations.task_id')
		.innerJoin('classes', 'classes.id', 'tasks.class_id')
		.innerJoin('enrolments', (join) =>
			join
				.onRef('enrolments.class_id', '=', 'tasks.class_id')
				.onRef('enrolments.learner_id', '=', 'peer_allocations.reviewer_id')
		)
		.leftJoin('task_extensions', extensionJoin('peer_allocations.reviewer_id'))
		.select([
			'peer_allocations.id',
			'peer_allocations.state',
			'peer_allocations.submission_id as submissionId',
			'peer_allocations.excluded_at as excludedAt',
			'tasks.id as taskId',
			'tasks.title',
			'tasks.brief_markdown',
			'tasks.scale_id',
			// The reviewer's own window: an extension's, else the class's.
			effectiveDates.peerOpensAt.as('peer_opens_at'),
			effectiveDates.peerClosesAt.as('peer_closes_at'),
			'classes.name as className'
		])
		.where('peer_allocations.id', '=', allocationId)
		.where('peer_allocations.reviewer_id', '=', learner.id)
		.where('tasks.state', '=', 'published')
		.where('tasks.peer_enabled', '=', 1)
		.executeTakeFirst();
	if (!allocation) throw new Refusal('That review does not exist, or is not yours to do.', 404);
	if (use === 'change' && allocation.excludedAt !== null) throw new Refusal(REVIEW_SET_ASIDE, 409);
	return allocation;
}

export const REVIEW_SET_ASIDE =
	'Your teacher set this review aside, so it no longer counts and cannot be changed.';
