import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DB } from '../../src/lib/server/db/connection';
import type { SessionUser } from '../../src/lib/server/auth/sessions';
import {
	saveSelfAssessment,
	submitSelfAssessment
} from '../../src/lib/server/assessment/self-assessment';
import {
	markingList,
	releaseGrades,
	reopenSelfAssessment,
	saveTeacherGrade
} from '../../src/lib/server/assessment/marking';
import { allocatePeers, setReviewExcluded } from '../../src/lib/server/peer/allocation';
import { myReviews, savePeerReview, submitPeerReview } from '../../src/lib/server/peer/reviewing';
import { moderationMatrix, recordAgreedGrade } from '../../src/lib/server/moderation/moderation';
import { setLiveState, startLiveSession } from '../../src/lib/server/live/live';
import { createTask, setTaskState } from '../../src/lib/server/tasks/tasks';
import { addTaskCriterion } from '../../src/lib/server/tasks/task-criteria';
import { listBank } from '../../src/lib/server/criteria/criteria';
import { listScales } from '../../src/lib/server/scales/scales';
import { assignTeacher, createClass, enrolLearners } from '../../src/lib/server/classes/classes';
import { createPerson, listSchoolPeople } from '../../src/lib/server/people/accounts';
import { createBadge } from '../../src/lib/server/badges/badges';
import { capriTree } from '../../src/lib/server/frameworks/frameworks';
import { taskSettingsSchema } from '../../src/lib/schemas/tasks';
import { studentHome } from '../../src/lib/server/home/student-home';
import { teacherHome } from '../../src/lib/server/home/teacher-home';
import { adminHome } from '../../src/lib/server/home/admin-home';
import { demoDatabase, publishedTask, secondSchool, sessionUser, userId } from './helpers';

let db: DB;
let schoolId: number;
let teacher: SessionUser;
let taskId: number;
let criteria: { criterionId: number }[];
const DAY = 86_400_000;

beforeEach(async () => {
	({ db, schoolId } = await demoDatabase());
	teacher = await sessionUser(db, 'teacher');
	({ taskId, criteria } = await publishedTask(db, schoolId, teacher, ['C1.1', 'R3.2'], {
		peerEnabled: 'on',
		peerReviewersPerLearner: '2',
		peerAllocation: 'random'
	}));
});
afterEach(async () => db.destroy());

/** A learner places every slider at `value` and, unless told otherwise, hands the work in. */
async function work(username: string, value = 50, submit = true, task = taskId) {
	const learner = await sessionUser(db, username);
	for (const c of criteria)
		await saveSelfAssessment(db, learner, task, {
			kind: 'criterion',
			criterionId: c.criterionId,
			value
		});
	if (submit) await submitSelfAssessment(db, learner, task);
	return learner;
}

async function grade(username: string, values: number[], marker = teacher) {
	const id = await userId(db, username);
	for (const [i, value] of values.entries())
		await saveTeacherGrade(db, marker, taskId, id, {
			kind: 'criterion',
			criterionId: criteria[i]!.criterionId,
			value
		});
}

/** A published task in class 2 (teacher2's), with the same criteria codes. */
async function class2Task(title: string) {
	const teacher2 = await sessionUser(db, 'teacher2');
	const scaleId = (await listScales(db, schoolId)).find((s) =>
		s.name.startsWith('School scale')
	)!.id;
	const id = await createTask(
		db,
		teacher2,
		2,
		taskSettingsSchema.parse({
			title,
			brief: '',
			scaleId,
			selfMarkerVisibility: 'always',
			peerEnabled: 'on',
			peerReviewersPerLearner: '1',
			peerAllocation: 'random'
		})
	);
	const bank = await listBank(db, schoolId);
	for (const code of ['C1.1', 'R3.2'])
		await addTaskCriterion(db, teacher2, id, bank.find((c) => c.code === code)!.id);
	await setTaskState(db, teacher2, id, 'published');
	return { id, teacher2 };
}

describe('the teacher home figures', () => {
	it('counts work ready to mark as the marking list does: submitted, not every criterion graded', async () => {
		for (const u of ['student1', 'student2', 'student3', 'student4']) await work(u);
		await work('student5', 50, false); // in progress: not ready
		await grade('student1', [55, 55]); // fully marked: not ready
		await grade('student2', [55]); // half marked: still ready
		const home = await teacherHome(db, teacher);
		const class1 = home.classes.find((c) => c.id === 1)!;
		expect(class1.readyToMark).toEqual([
			expect.objectContaining({ taskId, title: 'Pitch', count: 3 })
		]);
		const list = await markingList(db, teacher, taskId);
		expect(list.learners.filter((l) => l.status === 'self_assessed')).toHaveLength(3);

		// Released work and a reopened self-assessment are no longer waiting to be marked.
		await grade('student3', [55, 55]);
		await releaseGrades(db, teacher, taskId, await userId(db, 'student3'));
		await reopenSelfAssessment(db, teacher, taskId, await userId(db, 'student4'));
		const after = (await teacherHome(db, teacher)).classes.find((c) => c.id === 1)!;
		expect(after.readyToMark.map((t) => t.count)).toEqual([1]);
	});

	it('counts peer reviews done of allocated, leaving out set-aside reviews and reopened work', async () => {
		for (const u of ['student1', 'student2', 'student3', 'student4']) await work(u);
		await allocatePeers(db, teacher, taskId, 7);
		const first = (await teacherHome(db, teacher)).classes.find((c) => c.id === 1)!;
		expect(first.peerReviews).toEqual([expect.objectContaining({ taskId, allocated: 8, done: 0 })]);
		const reviewer = await sessionUser(db, 'student1');
		const [review, other] = (await myReviews(db, reviewer)).filter((r) => r.taskId === taskId);
		for (const c of criteria)
			await savePeerReview(db, reviewer, review!.id, {
				kind: 'criterion',
				criterionId: c.criterionId,
				value: 60
			});
		await submitPeerReview(db, reviewer, review!.id);
		await setReviewExcluded(db, teacher, taskId, other!.id, true, 'Copied another review.');
		const later = (await teacherHome(db, teacher)).classes.find((c) => c.id === 1)!;
		expect(later.peerReviews).toEqual([expect.objectContaining({ allocated: 7, done: 1 })]);

		// Reopened work is not submitted: its reviews leave both counts until it is handed in again.
		const student2 = await userId(db, 'student2');
		const ofStudent2 = await db
			.selectFrom('peer_allocations')
			.innerJoin('submissions', 'submissions.id', 'peer_allocations.submission_id')
			.select(['peer_allocations.state', 'peer_allocations.excluded_at'])
			.where('submissions.learner_id', '=', student2)
			.where('peer_allocations.task_id', '=', taskId)
			.execute();
		const counted = ofStudent2.filter((a) => a.excluded_at === null);
		expect(counted.length).toBeGreaterThan(0);
		await reopenSelfAssessment(db, teacher, taskId, student2);
		const reopened = (await teacherHome(db, teacher)).classes.find((c) => c.id === 1)!;
		expect(reopened.peerReviews).toEqual([
			expect.objectContaining({
				allocated: 7 - counted.length,
				done: 1 - counted.filter((a) => a.state === 'submitted').length
			})
		]);
	});

	it('flags self–teacher gaps of more than one band, as the moderation matrix does', async () => {
		for (const u of ['student1', 'student2', 'student3']) await work(u);
		await grade('student1', [95, 55]); // self 50 vs 95: two bands apart, flagged; 55 is not
		await grade('student2', [10, 85]); // both two bands away: two flagged criteria
		await grade('student3', [65, 35]); // one band either way: not flagged
		const gapsOf = async () =>
			(await teacherHome(db, teacher)).classes.find((c) => c.id === 1)!.gaps;
		expect(await gapsOf()).toEqual([expect.objectContaining({ taskId, learners: 2, gaps: 3 })]);
		const matrix = await moderationMatrix(db, teacher, taskId);
		const flaggedInMatrix = matrix.rows.flatMap((r) =>
			r.cells.filter((c) => c.selfGap !== null && Math.abs(c.selfGap) > 1)
		);
		expect(flaggedInMatrix).toHaveLength(3);

		// An agreed grade is the teacher result: agreeing at the learner's band clears that gap; a
		// second marker's grade moves the mean.
		await recordAgreedGrade(
			db,
			teacher,
			taskId,
			await userId(db, 'student2'),
			criteria[0]!.criterionId,
			45,
			'Agreed.'
		);
		expect(await gapsOf()).toEqual([expect.objectContaining({ learners: 2, gaps: 2 })]);
		const teacher2 = await sessionUser(db, 'teacher2');
		await db
			.insertInto('task_markers')
			.values({ task_id: taskId, marker_id: teacher2.id })
			.execute();
		await grade('student1', [45], teacher2); // mean of 95 and 45 is 70: one band from 50
		expect(await gapsOf()).toEqual([expect.objectContaining({ learners: 1, gaps: 1 })]);
	});

	it('lists the live sessions open now in each class, not closed ones', async () => {
		const open = await startLiveSession(db, teacher, {
			classId: 1,
			taskId,
			criterionId: criteria[0]!.criterionId,
			exemplarTitle: 'Open one',
			exemplarBody: ''
		});
		const closed = await startLiveSession(db, teacher, {
			classId: 1,
			taskId,
			criterionId: criteria[0]!.criterionId,
			exemplarTitle: 'Closed one',
			exemplarBody: ''
		});
		await setLiveState(db, teacher, closed, { state: 'closed' });
		const class1 = (await teacherHome(db, teacher)).classes.find((c) => c.id === 1)!;
		expect(class1.live.map((s) => s.id)).toEqual([open]);
	});

	it('shows a teacher only the classes they teach, and another school nothing of this one', async () => {
		for (const u of ['student1', 'student2']) await work(u);
		const { id: task2, teacher2 } = await class2Task('Science fair');
		await work('student16', 50, true, task2);
		const mine = await teacherHome(db, teacher);
		expect(mine.classes.map((c) => c.id)).toEqual([1]);
		expect(mine.classes.flatMap((c) => c.readyToMark.map((t) => t.taskId))).toEqual([taskId]);
		const theirs = await teacherHome(db, teacher2);
		expect(theirs.classes.map((c) => c.id)).toEqual([2]);
		expect(theirs.classes[0]!.readyToMark).toEqual([
			expect.objectContaining({ taskId: task2, count: 1 })
		]);
		// Teaching both classes, the figures of both come from the same queries.
		await assignTeacher(db, schoolId, (await sessionUser(db, 'admin')).id, 1, teacher2.id);
		const both = await teacherHome(db, teacher2);
		expect(both.classes.map((c) => [c.id, c.readyToMark.map((t) => t.count)])).toEqual(
			expect.arrayContaining([
				[1, [2]],
				[2, [1]]
			])
		);
		await secondSchool(db);
		const outsider = await sessionUser(db, 'other-teacher');
		const outside = await teacherHome(db, outsider);
		expect(outside.classes.flatMap((c) => [...c.readyToMark, ...c.gaps, ...c.peerReviews])).toEqual(
			[]
		);
	});
});

describe('the student home', () => {
	it('lists open tasks to do first by due date, overdue ones marked, then handed-in work', async () => {
		const now = new Date();
		const due = (days: number) => new Date(now.getTime() + days * DAY).toISOString();
		const setDue = async (id: number, at: string | null) =>
			db.updateTable('tasks').set({ due_at: at }).where('id', '=', id).execute();
		const later = (await publishedTask(db, schoolId, teacher, ['C1.1'])).taskId;
		const overdue = (await publishedTask(db, schoolId, teacher, ['C1.1'])).taskId;
		const handedIn = (await publishedTask(db, schoolId, teacher, ['C1.1'])).taskId;
		await setDue(taskId, null);
		await setDue(later, due(3));
		await setDue(overdue, due(-1));
		await setDue(handedIn, due(-2));
		const learner = await sessionUser(db, 'student1');
		await saveSelfAssessment(db, learner, later, {
			kind: 'criterion',
			criterionId: (
				await db
					.selectFrom('task_criteria')
					.select('criterion_id')
					.where('task_id', '=', later)
					.executeTakeFirstOrThrow()
			).criterion_id,
			value: 40
		});
		const handedInCriterion = (
			await db
				.selectFrom('task_criteria')
				.select('criterion_id')
				.where('task_id', '=', handedIn)
				.executeTakeFirstOrThrow()
		).criterion_id;
		await saveSelfAssessment(db, learner, handedIn, {
			kind: 'criterion',
			criterionId: handedInCriterion,
			value: 40
		});
		await submitSelfAssessment(db, learner, handedIn);
		const home = await studentHome(db, learner, now);
		expect(home.openTasks.map((t) => [t.id, t.state, t.overdue])).toEqual([
			[overdue, 'not_started', true],
			[later, 'in_progress', false],
			[taskId, 'not_started', false],
			[handedIn, 'submitted', false]
		]);
	});

	it('shows reviews waiting, live sessions and new results of the learner’s own classes only', async () => {
		for (const u of ['student1', 'student2', 'student3']) await work(u);
		await allocatePeers(db, teacher, taskId, 3);
		const learner = await sessionUser(db, 'student1');
		const { id: task2, teacher2 } = await class2Task('Science fair');
		await startLiveSession(db, teacher2, {
			classId: 2,
			taskId: task2,
			criterionId: criteria[0]!.criterionId,
			exemplarTitle: 'Class 2 only',
			exemplarBody: ''
		});
		let home = await studentHome(db, learner, new Date());
		expect(home.reviewsToDo).toHaveLength(2);
		expect(home.liveSessions).toEqual([]);
		expect(home.newResults).toEqual([]);
		expect(home.openTasks.map((t) => t.id)).toEqual([taskId]);

		const [review] = home.reviewsToDo;
		for (const c of criteria)
			await savePeerReview(db, learner, review!.id, {
				kind: 'criterion',
				criterionId: c.criterionId,
				value: 50
			});
		await submitPeerReview(db, learner, review!.id);
		const live = await startLiveSession(db, teacher, {
			classId: 1,
			taskId,
			criterionId: criteria[0]!.criterionId,
			exemplarTitle: 'Our class',
			exemplarBody: ''
		});
		await grade('student1', [55, 55]);
		await releaseGrades(db, teacher, taskId, learner.id);
		home = await studentHome(db, learner, new Date());
		expect(home.reviewsToDo).toHaveLength(1);
		expect(home.liveSessions.map((s) => s.id)).toEqual([live]);
		expect(home.newResults.map((r) => r.id)).toEqual([taskId]);
		expect(home.openTasks).toEqual([]);

		// Released more than 14 days ago, a result is no longer new but still listed.
		const old = new Date(Date.now() - 15 * DAY).toISOString();
		await db
			.updateTable('submissions')
			.set({ released_at: old })
			.where('task_id', '=', taskId)
			.execute();
		home = await studentHome(db, learner, new Date());
		expect(home.newResults).toEqual([]);
		expect(home.earlierResults.map((r) => r.id)).toEqual([taskId]);

		const classmateElsewhere = await studentHome(
			db,
			await sessionUser(db, 'student16'),
			new Date()
		);
		expect(classmateElsewhere.openTasks.map((t) => t.id)).toEqual([task2]);
		expect(classmateElsewhere.reviewsToDo).toEqual([]);
		expect(classmateElsewhere.liveSessions.map((s) => s.exemplarTitle)).toEqual(['Class 2 only']);
	});
});

describe('the admin home', () => {
	it('counts the school’s to-dos, each as the list it links to shows them', async () => {
		const admin = await sessionUser(db, 'admin');
		const now = new Date();
		const start = await adminHome(db, schoolId, now);
		expect(start).toEqual({
			firstPassword: 0,
			learnersInNoClass: 0,
			teachersInNoClass: 0,
			badgeRequests: 0,
			classesWithoutTeacher: [],
			exportsReady: []
		});

		await createPerson(db, schoolId, admin.id, {
			username: 'newlearner',
			givenName: 'New',
			familyName: 'Learner',
			role: 'student'
		});
		await createPerson(db, schoolId, admin.id, {
			username: 'newteacher',
			givenName: 'New',
			familyName: 'Teacher',
			role: 'teacher'
		});
		const classId = await createClass(db, schoolId, admin.id, { name: '11Z Drama' });
		await db
			.insertInto('export_jobs')
			.values([
				{
					id: 'ready',
					school_id: schoolId,
					requested_by: admin.id,
					kind: 'learner-reports',
					state: 'done',
					created_at: now.toISOString(),
					finished_at: now.toISOString()
				},
				{
					id: 'running',
					school_id: schoolId,
					requested_by: admin.id,
					kind: 'learner-reports',
					state: 'running',
					created_at: now.toISOString(),
					finished_at: null
				},
				{
					id: 'expired',
					school_id: schoolId,
					requested_by: admin.id,
					kind: 'learner-reports',
					state: 'done',
					created_at: new Date(now.getTime() - 30 * DAY).toISOString(),
					finished_at: null
				}
			])
			.execute();
		const [capriC] = await capriTree(db);
		const badgeId = await createBadge(db, admin, {
			name: 'Speaker',
			description: 'Speaks clearly.',
			criteriaNarrative: 'Speaks clearly.',
			layer: 'engage',
			rule: { kind: 'capri', target: capriC!.code, minBand: 3, minTasks: 1 },
			alignmentItemIds: [capriC!.id]
		});
		const award = (learner: string, state: 'requested' | 'issued') => ({
			identifier: `award-${learner}-${state}`,
			badge_id: Number(badgeId),
			learner_id: 0,
			state,
			created_at: now.toISOString(),
			learner
		});
		for (const a of [
			award('student1', 'requested'),
			award('student2', 'requested'),
			award('student3', 'issued')
		]) {
			const { learner, ...row } = a;
			await db
				.insertInto('badge_awards')
				.values({ ...row, learner_id: await userId(db, learner) })
				.execute();
		}
		await secondSchool(db);

		const home = await adminHome(db, schoolId, now);
		expect(home).toMatchObject({
			firstPassword: 2,
			learnersInNoClass: 1,
			teachersInNoClass: 1,
			badgeRequests: 2,
			classesWithoutTeacher: [{ id: classId, name: '11Z Drama' }],
			exportsReady: [expect.objectContaining({ id: 'ready' })]
		});
		const list = async (filter: Parameters<typeof listSchoolPeople>[2]) =>
			(await listSchoolPeople(db, schoolId, filter)).map((p) => p.username).sort();
		expect(await list({ show: 'first-password' })).toEqual(['newlearner', 'newteacher']);
		expect(await list({ role: 'student', show: 'no-class' })).toEqual(['newlearner']);
		expect(await list({ role: 'teacher', show: 'no-class' })).toEqual(['newteacher']);

		// In a class (taught): counted no more; that class archived (last year's): in no class again.
		await enrolLearners(db, schoolId, admin.id, classId, [await userId(db, 'newlearner')]);
		await assignTeacher(db, schoolId, admin.id, classId, await userId(db, 'newteacher'));
		expect(await adminHome(db, schoolId, now)).toMatchObject({
			learnersInNoClass: 0,
			teachersInNoClass: 0
		});
		await db.updateTable('classes').set({ archived: 1 }).where('id', '=', classId).execute();
		expect(await adminHome(db, schoolId, now)).toMatchObject({
			learnersInNoClass: 1,
			teachersInNoClass: 1
		});
		expect(await list({ role: 'student', show: 'no-class' })).toEqual(['newlearner']);

		// The other school's admin sees their own school's to-dos, none of these.
		const otherSchool = (await sessionUser(db, 'other-admin')).schoolId;
		expect(await adminHome(db, otherSchool, now)).toMatchObject({
			firstPassword: 0,
			badgeRequests: 0,
			classesWithoutTeacher: [],
			exportsReady: []
		});
	});
});
