import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../db/connection';
import type { Database } from '../db/schema';
import type { SessionUser } from '../auth/sessions';
import { requireTaskToTeach, type TaskToTeach } from '../auth/task-guards';
import { recordAudit } from '../audit';
import { Refusal } from '../errors';
import { enqueueJob, registerJobHandler, type JobRequest } from '../jobs/queue';
import { notify } from '../notifications/notify';
import type { NotificationKind } from '../../domain/notifications';
import { formatDateTime } from '../../domain/dates';
import type { ReminderSettings } from '../../schemas/reminders';
import { effectiveDates, extensionJoin } from './effective-dates';

type Executor = Kysely<Database> | Transaction<Database>;

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;

/**
 * Reminders (issue 15): the teacher's "remind those who have not submitted", and the automatic
 * ones a task sends (24 hours before the due date, when the peer window opens, 24 hours before it
 * closes) as keyed rows in the jobs table, so they survive a restart and run once with several app
 * servers.
 *
 * Each automatic reminder is a job per task and date (`reminder:task:12:due:at:<date>`) and one
 * per learner whose extension moves that date (`reminder:task:12:due:learner:5:at:<date>`): a learner with an extension is
 * reminded at their own date, and the class's job leaves them out. `scheduleTaskReminders` is
 * called in the transaction of every change that can move one (publish, unpublish, archive, the
 * settings, an extension) and makes the task's jobs match the task: moved, added or cancelled.
 * The handler re-reads everything when it runs (task still published, reminder still on, the date
 * still the one it was scheduled for, the learner still in the class and not submitted) and
 * notifies with a dedupe key naming the date, so a job run twice tells nobody twice.
 */

interface AutomaticReminder {
	name: 'due' | 'peer-opens' | 'peer-closes';
	kind: string;
	/** the date it is about, on the task and on an extension */
	column: 'due_at' | 'peer_opens_at' | 'peer_closes_at';
	/** how long before that date it is sent */
	leadMs: number;
	notification: NotificationKind;
	enabled(task: ReminderTask): boolean;
	link(taskId: number): string;
}

type ReminderTask = {
	state: string;
	peer_enabled: number;
	remind_before_due: number;
	remind_peer_opens: number;
	remind_before_peer_closes: number;
};

export const AUTOMATIC_REMINDERS: readonly AutomaticReminder[] = [
	{
		name: 'due',
		kind: 'reminder.due',
		column: 'due_at',
		leadMs: DAY_MS,
		notification: 'due_tomorrow',
		enabled: (t) => t.remind_before_due === 1,
		link: (taskId) => `/student/tasks/${taskId}`
	},
	{
		name: 'peer-opens',
		kind: 'reminder.peer_opens',
		column: 'peer_opens_at',
		leadMs: 0,
		notification: 'peer_reviews_waiting',
		enabled: (t) => t.peer_enabled === 1 && t.remind_peer_opens === 1,
		link: () => '/student/reviews'
	},
	{
		name: 'peer-closes',
		kind: 'reminder.peer_closes',
		column: 'peer_closes_at',
		leadMs: DAY_MS,
		notification: 'peer_window_closing',
		enabled: (t) => t.peer_enabled === 1 && t.remind_before_peer_closes === 1,
		link: () => '/student/reviews'
	}
];

/**
 * A reminder's job key names its date: a date moved while the old date's reminder is being run (or
 * held by a runner that died) makes a new job for the new date, where a key of the reminder alone
 * would find the running job, be left to it, and lose the new date's reminder when it finished.
 */
export const reminderKey = (
	taskId: number,
	name: AutomaticReminder['name'],
	at: string,
	learnerId?: number
) =>
	`reminder:task:${taskId}:${name}${learnerId === undefined ? '' : `:learner:${learnerId}`}:at:${at}`;

interface ReminderPayload {
	taskId: number;
	/** null: the class's reminder (everyone without their own date) */
	learnerId: number | null;
	/** the date the reminder is about, as it was when scheduled */
	at: string;
}

/**
 * Makes the task's reminder jobs match the task now: one per enabled reminder whose date is still
 * ahead (sent at once if its lead time has already begun), one per extended learner; every other
 * waiting reminder job of the task is cancelled (a draft, an archived task, a date cleared, an
 * extension removed). A new date is a new job, whatever became of the old date's.
 */
export async function scheduleTaskReminders(db: Executor, taskId: number, now = new Date()) {
	const task = await db
		.selectFrom('tasks')
		.select([
			'state',
			'due_at',
			'peer_opens_at',
			'peer_closes_at',
			'peer_enabled',
			'remind_before_due',
			'remind_peer_opens',
			'remind_before_peer_closes'
		])
		.where('id', '=', taskId)
		.executeTakeFirst();
	const wanted = new Map<string, JobRequest & { payload: ReminderPayload }>();
	if (task?.state === 'published') {
		const extensions = await db
			.selectFrom('task_extensions')
			.select(['learner_id', 'due_at', 'peer_opens_at', 'peer_closes_at'])
			.where('task_id', '=', taskId)
			.execute();
		for (const reminder of AUTOMATIC_REMINDERS) {
			if (!reminder.enabled(task)) continue;
			const plan = (at: string | null, learnerId: number | null) => {
				if (!at || Date.parse(at) <= now.getTime()) return;
				const key = reminderKey(taskId, reminder.name, at, learnerId ?? undefined);
				wanted.set(key, {
					kind: reminder.kind,
					key,
					replace: true,
					payload: { taskId, learnerId, at },
					runAt: new Date(Math.max(now.getTime(), Date.parse(at) - reminder.leadMs))
				});
			};
			plan(task[reminder.column], null);
			for (const e of extensions) plan(e[reminder.column], e.learner_id);
		}
	}
	const prefix = `reminder:task:${taskId}:`;
	const existing = await db
		.selectFrom('jobs')
		.select(['id', 'key', 'state', 'lease_until'])
		.where(sql`substr(key, 1, ${prefix.length})`, '=', prefix)
		.execute();
	// A waiting job no longer wanted goes (its date moved, or the reminder is off). A job being run
	// is left to finish: its handler re-reads the task and tells nobody if its date has gone. A
	// finished job stays, so a date moved back to one already reminded of is not reminded again.
	const dropped = existing.filter(
		(job) => job.state === 'queued' && job.lease_until === null && !wanted.has(job.key!)
	);
	if (dropped.length)
		await db
			.deleteFrom('jobs')
			.where(
				'id',
				'in',
				dropped.map((j) => j.id)
			)
			.execute();
	for (const job of wanted.values()) await enqueueJob(db, job, now);
}

/** Who an automatic reminder tells, read when it runs: the task as it is now. */
async function runAutomaticReminder(
	db: DB,
	reminder: AutomaticReminder,
	payload: ReminderPayload,
	now: Date
) {
	await db.transaction().execute(async (trx) => {
		const task = await trx
			.selectFrom('tasks')
			.select([
				'id',
				'title',
				'class_id',
				'state',
				'peer_enabled',
				'remind_before_due',
				'remind_peer_opens',
				'remind_before_peer_closes'
			])
			.where('id', '=', payload.taskId)
			.executeTakeFirst();
		if (!task || task.state !== 'published' || !reminder.enabled(task)) return;
		// "Due tomorrow" after the date, or "closing" once closed, would be wrong: a server that was
		// down through the date sends nothing.
		if (reminder.leadMs > 0 && Date.parse(payload.at) <= now.getTime()) return;
		const own = sql.ref(`task_extensions.${reminder.column}`);
		const learners = await trx
			.selectFrom('enrolments')
			.innerJoin('users', 'users.id', 'enrolments.learner_id')
			.innerJoin('tasks', (join) => join.on('tasks.id', '=', task.id))
			.leftJoin('task_extensions', extensionJoin('enrolments.learner_id'))
			.select(['users.id', effectiveDates.peerClosesAt.as('closesAt')])
			.where('enrolments.class_id', '=', task.class_id)
			.where('users.active', '=', 1)
			.where(sql`coalesce(${own}, ${sql.ref(`tasks.${reminder.column}`)})`, '=', payload.at)
			.where((eb) =>
				payload.learnerId === null
					? eb(own, 'is', null)
					: eb.and([eb(own, 'is not', null), eb('users.id', '=', payload.learnerId)])
			)
			.where((eb) =>
				reminder.name === 'due'
					? eb.not(
							eb.exists(
								eb
									.selectFrom('submissions')
									.select('submissions.id')
									.whereRef('submissions.task_id', '=', 'tasks.id')
									.whereRef('submissions.learner_id', '=', 'users.id')
									.where('submissions.self_state', '=', 'submitted')
							)
						)
					: eb.exists(openReviewsOf(eb))
			)
			.execute();
		const told = learners.filter(
			(l) => reminder.name !== 'peer-opens' || !l.closesAt || Date.parse(l.closesAt) > now.getTime()
		);
		const base = {
			kind: reminder.notification,
			link: reminder.link(task.id),
			dedupeKey: `${reminder.notification}:task:${task.id}:${payload.at}`
		};
		const params = { taskId: task.id, taskTitle: task.title, at: payload.at };
		if (reminder.name === 'due') {
			await notify(trx, { ...base, userIds: told.map((l) => l.id), params }, now);
			return;
		}
		// Reviewers are told how many reviews they have left: one notify per distinct count.
		const counts = await reviewsLeft(
			trx,
			task.id,
			told.map((l) => l.id)
		);
		const byCount = new Map<number, number[]>();
		for (const [reviewerId, count] of counts)
			byCount.set(count, [...(byCount.get(count) ?? []), reviewerId]);
		for (const [count, userIds] of byCount)
			await notify(trx, { ...base, userIds, params: { ...params, count } }, now);
	});
}

/** A reviewer's reviews on the task still to do (allocated or begun, not set aside). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function openReviewsOf(eb: any) {
	return eb
		.selectFrom('peer_allocations')
		.select('peer_allocations.id')
		.whereRef('peer_allocations.task_id', '=', 'tasks.id')
		.whereRef('peer_allocations.reviewer_id', '=', 'users.id')
		.where('peer_allocations.state', '!=', 'submitted')
		.where('peer_allocations.excluded_at', 'is', null);
}

async function reviewsLeft(db: Executor, taskId: number, reviewerIds: number[]) {
	if (reviewerIds.length === 0) return new Map<number, number>();
	const rows = await db
		.selectFrom('peer_allocations')
		.select((eb) => ['reviewer_id', eb.fn.countAll<number>().as('n')])
		.where('task_id', '=', taskId)
		.where('reviewer_id', 'in', reviewerIds)
		.where('state', '!=', 'submitted')
		.where('excluded_at', 'is', null)
		.groupBy('reviewer_id')
		.execute();
	return new Map(rows.map((r) => [r.reviewer_id, Number(r.n)]));
}

for (const reminder of AUTOMATIC_REMINDERS)
	registerJobHandler(reminder.kind, (db, job, now) =>
		runAutomaticReminder(db, reminder, job.payload as ReminderPayload, now)
	);

/** The task page's checkboxes: which automatic reminders the task sends. */
export async function setReminderSettings(
	db: DB,
	teacher: SessionUser,
	taskOrId: number | TaskToTeach,
	settings: ReminderSettings,
	now = new Date()
) {
	const task = await requireTaskToTeach(db, teacher, taskOrId);
	await db.transaction().execute(async (trx) => {
		await trx
			.updateTable('tasks')
			.set({
				remind_before_due: settings.beforeDue ? 1 : 0,
				remind_peer_opens: settings.peerOpens ? 1 : 0,
				remind_before_peer_closes: settings.beforePeerCloses ? 1 : 0
			})
			.where('id', '=', task.id)
			.execute();
		await recordAudit(trx, {
			schoolId: teacher.schoolId,
			actorId: teacher.id,
			action: 'task.reminders',
			entityType: 'task',
			entityId: String(task.id),
			after: settings
		});
		await scheduleTaskReminders(trx, task.id, now);
	});
}

/**
 * How long after their due date a learner who has not submitted is still reminded by the button: a
 * school week. After that a reminder is a conversation, not a notification.
 */
export const REMIND_AFTER_DUE_MS = 7 * DAY_MS;

/** The button may be used once per task per hour (by any of its teachers): pupils are not spammed. */
export const REMIND_EVERY_MS = HOUR_MS;

/** Learners of the task's class the button would remind now, with their own due dates. */
export async function nonSubmitters(
	db: Executor,
	task: { id: number; class_id: number },
	now: Date
) {
	const since = new Date(now.getTime() - REMIND_AFTER_DUE_MS).toISOString();
	return db
		.selectFrom('enrolments')
		.innerJoin('users', 'users.id', 'enrolments.learner_id')
		.innerJoin('tasks', (join) => join.on('tasks.id', '=', task.id))
		.leftJoin('task_extensions', extensionJoin('enrolments.learner_id'))
		.select(['users.id', effectiveDates.dueAt.as('dueAt')])
		.where('enrolments.class_id', '=', task.class_id)
		.where('users.active', '=', 1)
		.where((eb) =>
			eb.or([eb(effectiveDates.dueAt, 'is', null), eb(effectiveDates.dueAt, '>=', since)])
		)
		.where((eb) =>
			eb.not(
				eb.exists(
					eb
						.selectFrom('submissions')
						.select('submissions.id')
						.whereRef('submissions.task_id', '=', 'tasks.id')
						.whereRef('submissions.learner_id', '=', 'users.id')
						.where('submissions.self_state', '=', 'submitted')
				)
			)
		)
		.execute();
}

/**
 * "Remind those who have not submitted": tells every learner of the class who has not handed in
 * and whose own due date has not long passed, with the teacher's optional words. Refused for a
 * task that is not published, and more than once an hour per task (counted in the audit log inside
 * the transaction, written first and counted after, as `takeAllowance` does, so two teachers
 * clicking at once are counted one after the other). Returns how many were reminded.
 */
export async function remindNonSubmitters(
	db: DB,
	teacher: SessionUser,
	taskOrId: number | TaskToTeach,
	message: string,
	now = new Date()
): Promise<number> {
	const task = await requireTaskToTeach(db, teacher, taskOrId);
	if (task.state !== 'published')
		throw new Refusal('Publish the task first: learners cannot see it yet.', 409);
	return db.transaction().execute(async (trx) => {
		const learners = await nonSubmitters(trx, task, now);
		if (learners.length === 0)
			throw new Refusal(
				'Nobody to remind: everyone has submitted, or their date is long past.',
				409
			);
		await recordAudit(trx, {
			schoolId: teacher.schoolId,
			actorId: teacher.id,
			action: 'task.remind',
			entityType: 'task',
			entityId: String(task.id),
			after: { reminded: learners.length, message }
		});
		const recent = await trx
			.selectFrom('audit_log')
			.select('created_at')
			.where('action', '=', 'task.remind')
			.where('entity_type', '=', 'task')
			.where('entity_id', '=', String(task.id))
			.where('created_at', '>', new Date(now.getTime() - REMIND_EVERY_MS).toISOString())
			.orderBy('created_at')
			.execute();
		if (recent.length > 1)
			throw new Refusal(
				`This task’s learners were reminded at ${formatDateTime(recent[0]!.created_at)}. Remind them again an hour after that.`,
				429
			);
		const byDueDate = new Map<string | null, number[]>();
		for (const l of learners) byDueDate.set(l.dueAt, [...(byDueDate.get(l.dueAt) ?? []), l.id]);
		for (const [dueAt, userIds] of byDueDate)
			await notify(
				trx,
				{
					userIds,
					kind: 'teacher_reminder',
					params: {
						taskId: task.id,
						taskTitle: task.title,
						...(dueAt ? { at: dueAt } : {}),
						...(message ? { message } : {})
					},
					link: `/student/tasks/${task.id}`,
					dedupeKey: `teacher_reminder:task:${task.id}:${now.toISOString()}`
				},
				now
			);
		return learners.length;
	});
}
