import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DB } from '../../src/lib/server/db/connection';
import type { SessionUser } from '../../src/lib/server/auth/sessions';
import { requireTaskToLearn } from '../../src/lib/server/auth/task-guards';
import {
	listLearnerTasks,
	setTaskState,
	updateTaskSettings
} from '../../src/lib/server/tasks/tasks';
import {
	grantExtensions,
	removeExtensions,
	taskDeadlines
} from '../../src/lib/server/tasks/extensions';
import {
	reminderKey,
	remindNonSubmitters,
	scheduleTaskReminders,
	setReminderSettings
} from '../../src/lib/server/tasks/reminders';
import { claimDueJobs, runDueJobs } from '../../src/lib/server/jobs/queue';
import { allocatePeers, peerOverview } from '../../src/lib/server/peer/allocation';
import { myReviews } from '../../src/lib/server/peer/reviewing';
import {
	saveSelfAssessment,
	submitSelfAssessment
} from '../../src/lib/server/assessment/self-assessment';
import { taskSettingsSchema } from '../../src/lib/schemas/tasks';
import { markingList } from '../../src/lib/server/assessment/marking';
import { extensionSchema } from '../../src/lib/schemas/reminders';
import '../../src/lib/server/jobs/handlers';
import { demoDatabase, publishedTask, sessionUser, userId } from './helpers';

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;
const iso = (ms: number) => new Date(ms).toISOString();

let db: DB;
let schoolId: number;
let teacher: SessionUser;
let taskId: number;
let criteria: { criterionId: number }[];
let classDue: number;

beforeEach(async () => {
	({ db, schoolId } = await demoDatabase());
	teacher = await sessionUser(db, 'teacher');
	classDue = Date.now() + 3 * DAY;
	({ taskId, criteria } = await publishedTask(db, schoolId, teacher, ['C1.1'], {
		dueAt: iso(classDue),
		peerEnabled: 'on',
		peerReviewersPerLearner: '2',
		peerAllocation: 'random'
	}));
});
afterEach(async () => db.destroy());

async function handIn(username: string) {
	const learner = await sessionUser(db, username);
	for (const c of criteria)
		await saveSelfAssessment(db, learner, taskId, {
			kind: 'criterion',
			criterionId: c.criterionId,
			value: 50
		});
	await submitSelfAssessment(db, learner, taskId);
	return learner;
}

const grant = (fields: Record<string, unknown>) => extensionSchema.parse(fields);

/** The task's settings form saved by its teacher, with these dates. */
async function saveTaskSettings(dates: Record<string, string>) {
	const { scale_id } = await db
		.selectFrom('tasks')
		.select('scale_id')
		.where('id', '=', taskId)
		.executeTakeFirstOrThrow();
	await updateTaskSettings(
		db,
		teacher,
		taskId,
		taskSettingsSchema.parse({
			title: 'Pitch',
			scaleId: scale_id,
			selfMarkerVisibility: 'always',
			...dates
		})
	);
}

async function notified(kind: string) {
	const rows = await db
		.selectFrom('notifications')
		.innerJoin('users', 'users.id', 'notifications.user_id')
		.select(['users.username', 'notifications.params_json'])
		.where('notifications.kind', '=', kind)
		.orderBy('users.id')
		.execute();
	return rows.map((r) => r.username);
}

async function reminderJobs() {
	return db
		.selectFrom('jobs')
		.select(['key', 'run_at', 'state'])
		.where('key', 'like', `reminder:task:${taskId}:%`)
		.where('state', '=', 'queued')
		.orderBy('key')
		.execute();
}

describe('a learner’s own dates', () => {
	it('an extension beats the task’s dates, for that learner only', async () => {
		const student1 = await userId(db, 'student1');
		const ownDue = iso(classDue + 4 * DAY);
		await grantExtensions(db, teacher, taskId, grant({ learnerIds: [student1], dueAt: ownDue }));
		const [mine] = await listLearnerTasks(db, student1);
		const [theirs] = await listLearnerTasks(db, await userId(db, 'student2'));
		expect(mine!.dueAt).toBe(ownDue);
		expect(theirs!.dueAt).toBe(iso(classDue));
		const asLearner = await requireTaskToLearn(db, await sessionUser(db, 'student1'), taskId);
		expect(asLearner.due_at).toBe(ownDue);
		expect(asLearner.extended).toBe(true);
		// The learner is told, in the notification centre, with their new date.
		expect(await notified('extension_granted')).toEqual(['student1']);
	});

	it('lateness follows the extension: past the class date, the extended learner is not overdue', async () => {
		await db
			.updateTable('tasks')
			.set({ due_at: iso(Date.now() - DAY) })
			.where('id', '=', taskId)
			.execute();
		const student1 = await userId(db, 'student1');
		await grantExtensions(
			db,
			teacher,
			taskId,
			grant({ learnerIds: [student1], dueAt: iso(Date.now() + DAY), reason: 'ill' })
		);
		const { learners } = await taskDeadlines(db, teacher, taskId);
		const of = (id: number) => learners.find((l) => l.id === id)!;
		expect(of(student1).lateness).toBeNull();
		expect(of(student1).extension?.reason).toBe('ill');
		expect(of(await userId(db, 'student2')).lateness).toBe('overdue');
		// The marking list marks the same.
		const marking = await markingList(db, teacher, taskId);
		const row = (id: number) => marking.everyone.find((l) => l.id === id)!;
		expect(row(student1)).toMatchObject({ lateness: null, extended: true });
		expect(row(await userId(db, 'student2'))).toMatchObject({
			lateness: 'overdue',
			extended: false
		});
	});

	it('the peer window follows the reviewer’s extension, and so does the top-up of late work', async () => {
		await handIn('student2');
		await handIn('student3');
		await allocatePeers(db, teacher, taskId, 7);
		await db
			.updateTable('tasks')
			.set({ peer_closes_at: iso(Date.now() - HOUR) })
			.where('id', '=', taskId)
			.execute();
		const student1 = await userId(db, 'student1');
		await grantExtensions(
			db,
			teacher,
			taskId,
			grant({
				learnerIds: [student1],
				dueAt: iso(Date.now() + DAY),
				peerClosesAt: iso(Date.now() + 2 * DAY)
			})
		);
		// Submitting after the class's window closed: still given reviews, inside their own window.
		await handIn('student1');
		const reviews = await myReviews(db, await sessionUser(db, 'student1'));
		expect(reviews.length).toBeGreaterThan(0);
		expect(reviews.every((r) => r.window.open)).toBe(true);
		const classmate = await myReviews(db, await sessionUser(db, 'student2'));
		expect(classmate.every((r) => !r.window.open)).toBe(true);
		// Without an extension a late submitter after the window gets no reviews.
		await handIn('student4');
		expect(await myReviews(db, await sessionUser(db, 'student4'))).toEqual([]);
	});

	it('allocation counts an extended learner who has not submitted as still to submit, not as missed', async () => {
		await db
			.updateTable('tasks')
			.set({ due_at: iso(Date.now() - DAY) })
			.where('id', '=', taskId)
			.execute();
		const student1 = await userId(db, 'student1');
		await grantExtensions(
			db,
			teacher,
			taskId,
			grant({ learnerIds: [student1], dueAt: iso(Date.now() + DAY) })
		);
		await handIn('student2');
		const overview = await peerOverview(db, teacher, taskId);
		expect(overview.submittedCount).toBe(1);
		expect(overview.waitingCount).toBe(1);
		expect(overview.missedCount).toBe(13);
	});

	it('is granted only to learners of the task’s class, and only by its teachers', async () => {
		const outsider = await userId(db, 'student20');
		await expect(
			grantExtensions(db, teacher, taskId, grant({ learnerIds: [outsider], dueAt: '2030-01-01' }))
		).rejects.toThrow(/not in this task’s class/);
		const otherTeacher = await sessionUser(db, 'teacher2');
		await expect(
			grantExtensions(
				db,
				otherTeacher,
				taskId,
				grant({ learnerIds: [await userId(db, 'student1')], dueAt: '2030-01-01' })
			)
		).rejects.toMatchObject({ status: 403 });
		expect(await db.selectFrom('task_extensions').selectAll().execute()).toEqual([]);
	});

	it('is audited when granted and removed', async () => {
		const student1 = await userId(db, 'student1');
		await grantExtensions(
			db,
			teacher,
			taskId,
			grant({ learnerIds: [student1], dueAt: '2030-01-01' })
		);
		expect(await removeExtensions(db, teacher, taskId, [student1])).toBe(1);
		const actions = await db
			.selectFrom('audit_log')
			.select('action')
			.where('action', 'like', 'task.extension%')
			.orderBy('id')
			.execute();
		expect(actions.map((a) => a.action)).toEqual(['task.extension_grant', 'task.extension_remove']);
		const [mine] = await listLearnerTasks(db, student1);
		expect(mine!.dueAt).toBe(iso(classDue));
	});
});

describe('remind those who have not submitted', () => {
	it('tells each learner who has not submitted and whose date has not long passed, with the message', async () => {
		await handIn('student2');
		const longAgo = await userId(db, 'student3');
		await grantExtensions(
			db,
			teacher,
			taskId,
			grant({ learnerIds: [longAgo], dueAt: iso(Date.now() - 10 * DAY) })
		);
		expect(await remindNonSubmitters(db, teacher, taskId, 'Hand it in by Friday')).toBe(13);
		const told = await notified('teacher_reminder');
		expect(told).toHaveLength(13);
		expect(told).not.toContain('student2');
		expect(told).not.toContain('student3');
		expect(told).not.toContain('student16');
		const row = await db
			.selectFrom('notifications')
			.select(['params_json', 'link'])
			.where('kind', '=', 'teacher_reminder')
			.executeTakeFirstOrThrow();
		expect(JSON.parse(row.params_json)).toMatchObject({ taskId, message: 'Hand it in by Friday' });
		expect(row.link).toBe(`/student/tasks/${taskId}`);
	});

	it('is refused on a draft task and to a teacher of another class', async () => {
		await expect(
			remindNonSubmitters(db, await sessionUser(db, 'teacher2'), taskId, '')
		).rejects.toMatchObject({
			status: 403
		});
		await setTaskState(db, teacher, taskId, 'draft');
		await expect(remindNonSubmitters(db, teacher, taskId, '')).rejects.toMatchObject({
			status: 409
		});
		expect(await notified('teacher_reminder')).toEqual([]);
	});

	it('is limited to once per task per hour', async () => {
		await remindNonSubmitters(db, teacher, taskId, '');
		await expect(remindNonSubmitters(db, teacher, taskId, 'again')).rejects.toMatchObject({
			status: 429
		});
		expect(await notified('teacher_reminder')).toHaveLength(15);
		await db
			.updateTable('audit_log')
			.set({ created_at: iso(Date.now() - 2 * HOUR) })
			.where('action', '=', 'task.remind')
			.execute();
		expect(await remindNonSubmitters(db, teacher, taskId, 'again')).toBe(15);
	});
});

describe('automatic reminders', () => {
	it('are enqueued on publish, moved with the dates and the settings, cancelled on unpublish', async () => {
		expect((await reminderJobs()).map((j) => [j.key, j.run_at])).toEqual([
			[reminderKey(taskId, 'due', iso(classDue)), iso(classDue - DAY)]
		]);
		const moved = classDue + DAY;
		const opens = iso(Date.now() + DAY);
		await saveTaskSettings({
			dueAt: iso(moved),
			peerEnabled: 'on',
			peerOpensAt: opens,
			peerClosesAt: iso(moved + 2 * DAY)
		});
		expect((await reminderJobs()).map((j) => [j.key, j.run_at])).toEqual([
			[reminderKey(taskId, 'due', iso(moved)), iso(moved - DAY)],
			[reminderKey(taskId, 'peer-closes', iso(moved + 2 * DAY)), iso(moved + DAY)],
			[reminderKey(taskId, 'peer-opens', opens), opens]
		]);
		await setReminderSettings(db, teacher, taskId, {
			beforeDue: false,
			peerOpens: true,
			beforePeerCloses: true
		});
		expect((await reminderJobs()).map((j) => j.key)).toEqual([
			reminderKey(taskId, 'peer-closes', iso(moved + 2 * DAY)),
			reminderKey(taskId, 'peer-opens', opens)
		]);
		await setTaskState(db, teacher, taskId, 'draft');
		expect(await reminderJobs()).toEqual([]);
	});

	it('a due date moved while its old date’s reminder is being run gets a reminder of its own', async () => {
		// A runner holds the reminder for the first date (its handler is running, or its runner died).
		const [held] = await claimDueJobs(db, 'busy-runner', new Date(classDue - DAY + 1000));
		expect(held?.key).toBe(reminderKey(taskId, 'due', iso(classDue)));
		const moved = classDue + 2 * DAY;
		await saveTaskSettings({ dueAt: iso(moved) });
		// The new date's job waits, beside the one being run (which tells nobody: its date has gone).
		expect(
			(await reminderJobs())
				.map((j) => [j.key, j.run_at])
				.filter(([key]) => key!.includes(iso(moved)))
		).toEqual([[reminderKey(taskId, 'due', iso(moved)), iso(moved - DAY)]]);
		// A day on, the held job's lease has long run out: it runs again beside the new one, for the
		// old date, and tells nobody; the new date's tells each learner once.
		expect(await runDueJobs(db, 'test', new Date(moved - DAY + 1000))).toBe(2);
		expect(await notified('due_tomorrow')).toHaveLength(15);
	});

	it('a learner with an extension has a job of their own, gone when the extension is', async () => {
		const student1 = await userId(db, 'student1');
		await grantExtensions(
			db,
			teacher,
			taskId,
			grant({ learnerIds: [student1], dueAt: iso(classDue + 2 * DAY) })
		);
		expect((await reminderJobs()).map((j) => [j.key, j.run_at])).toEqual([
			[reminderKey(taskId, 'due', iso(classDue)), iso(classDue - DAY)],
			[reminderKey(taskId, 'due', iso(classDue + 2 * DAY), student1), iso(classDue + DAY)]
		]);
		await removeExtensions(db, teacher, taskId, [student1]);
		expect((await reminderJobs()).map((j) => j.key)).toEqual([
			reminderKey(taskId, 'due', iso(classDue))
		]);
	});

	it('a learner with an extension is reminded at their own date, the others at the class’s, each once', async () => {
		const student1 = await userId(db, 'student1');
		const ownDue = classDue + 2 * DAY;
		await grantExtensions(
			db,
			teacher,
			taskId,
			grant({ learnerIds: [student1], dueAt: iso(ownDue) })
		);
		await handIn('student2');
		await runDueJobs(db, 'test', new Date(classDue - DAY + 1000));
		const told = await notified('due_tomorrow');
		expect(told).toHaveLength(13);
		expect(told).not.toContain('student1');
		expect(told).not.toContain('student2');
		await runDueJobs(db, 'test', new Date(ownDue - DAY + 1000));
		expect(await notified('due_tomorrow')).toHaveLength(14);
		expect(await notified('due_tomorrow')).toContain('student1');
		// Run again (a lease ran out, a second server): nobody is told twice.
		await db.updateTable('jobs').set({ state: 'queued', lease_until: null }).execute();
		await runDueJobs(db, 'test', new Date(ownDue - DAY + 2000));
		expect(await notified('due_tomorrow')).toHaveLength(14);
	});

	it('the handler tells nobody when the state changed after it was scheduled', async () => {
		// The date moved without the job being moved (as if by another server mid-change).
		await db
			.updateTable('tasks')
			.set({ due_at: iso(classDue + 5 * DAY) })
			.where('id', '=', taskId)
			.execute();
		await runDueJobs(db, 'test', new Date(classDue - DAY + 1000));
		expect(await notified('due_tomorrow')).toEqual([]);
		// Archived after scheduling: nothing either.
		await scheduleTaskReminders(db, taskId);
		await db.updateTable('tasks').set({ state: 'archived' }).where('id', '=', taskId).execute();
		await runDueJobs(db, 'test', new Date(classDue + 4 * DAY + 1000));
		expect(await notified('due_tomorrow')).toEqual([]);
	});

	it('tells reviewers how many reviews they have left when the window opens', async () => {
		await handIn('student2');
		await handIn('student3');
		const opens = Date.now() + HOUR;
		await db
			.updateTable('tasks')
			.set({ peer_opens_at: iso(opens) })
			.where('id', '=', taskId)
			.execute();
		// Allocated before the window opens: nobody is told yet, since nobody could start.
		await allocatePeers(db, teacher, taskId, 3);
		const early = await db
			.selectFrom('notifications')
			.select('id')
			.where('kind', '=', 'peer_reviews_waiting')
			.execute();
		expect(early).toEqual([]);
		await scheduleTaskReminders(db, taskId);
		await runDueJobs(db, 'test', new Date(opens + 1000));
		const rows = await db
			.selectFrom('notifications')
			.select(['params_json', 'link'])
			.where('kind', '=', 'peer_reviews_waiting')
			.execute();
		expect(rows).toHaveLength(2);
		expect(rows.every((r) => JSON.parse(r.params_json).count === 1)).toBe(true);
	});
});
