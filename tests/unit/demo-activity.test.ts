import { describe, expect, it } from 'vitest';
import { seedDemoActivity } from '../../src/lib/server/db/demo-activity';
import { publicAward } from '../../src/lib/server/badges/awards';
import { studentHome } from '../../src/lib/server/home/student-home';
import { teacherHome } from '../../src/lib/server/home/teacher-home';
import { demoDatabase, sessionUser, userId } from './helpers';

describe('the demo school’s activity', () => {
	it('fills every feature: two released tasks per class with self, peer and teacher work, moderation, and badges', async () => {
		const { db } = await demoDatabase();
		await seedDemoActivity(db, 'http://localhost:3000');
		const tasks = await db
			.selectFrom('tasks')
			.select((eb) => [
				'class_id',
				'title',
				eb
					.selectFrom('submissions')
					.select((e) => e.fn.countAll<number>().as('n'))
					.whereRef('submissions.task_id', '=', 'tasks.id')
					.where('submissions.released_at', 'is not', null)
					.as('released')
			])
			.where('state', '=', 'published')
			.execute();
		// Two released tasks per class, and two under way (handed in and being reviewed; open).
		for (const classId of [1, 2]) {
			const ofClass = tasks.filter((t) => t.class_id === classId);
			expect(ofClass).toHaveLength(4);
			expect(ofClass.filter((t) => Number(t.released) > 0)).toHaveLength(2);
		}
		const counts = await db
			.selectFrom('assessments')
			.select(['role', (e) => e.fn.countAll<number>().as('n')])
			.groupBy('role')
			.execute();
		// Released: 27 learners × 2 tasks × 4 criteria. Under way: everyone's 4 on the reviewed task;
		// on the open task 7 + 6 hand in 3 each and 5 + 3 have placed one.
		expect(Object.fromEntries(counts.map((c) => [c.role, Number(c.n)]))).toEqual({
			self: 216 + 108 + (7 + 6) * 3 + (5 + 3),
			// 8 second-marker grades; 3 learners marked on each class's reviewed task.
			teacher: 216 + 8 + 2 * 3 * 4,
			// every review of the released tasks; every other reviewer's on the reviewed tasks
			peer: 432 + (14 + 12) * 4
		});
		expect(await db.selectFrom('agreed_grades').selectAll().execute()).toHaveLength(8);
		const badges = await db.selectFrom('badges').select('rule_json').execute();
		expect(badges.map((b) => JSON.parse(b.rule_json).target).sort()).toEqual([
			'A',
			'C',
			'I',
			'P',
			'R'
		]);
		const student1 = await userId(db, 'student1');
		const award = await db
			.selectFrom('badge_awards')
			.select('identifier')
			.where('learner_id', '=', student1)
			.where('state', '=', 'issued')
			.executeTakeFirstOrThrow();
		expect((await publicAward(db, award.identifier, 'http://localhost:3000'))!.valid).toBe(true);
		await db.destroy();
	}, 60_000);

	it('gives student1 an open task and a peer review to do, and teacher work ready to mark, whenever it is seeded', async () => {
		const { db } = await demoDatabase();
		await seedDemoActivity(db, 'http://localhost:3000');
		const now = new Date();
		const student1 = await studentHome(db, await sessionUser(db, 'student1'), now);
		const open = student1.openTasks.find((t) => t.title === 'Plan a school event')!;
		expect(open).toMatchObject({ state: 'not_started', overdue: false });
		expect(Date.parse(open.dueAt!)).toBeGreaterThan(now.getTime() + 6 * 86_400_000);
		expect(
			student1.openTasks.find((t) => t.title === 'Pitch a product to the class')
		).toMatchObject({ state: 'submitted', marked: false });
		// student1 reviews two classmates' submitted work and has done neither.
		expect(student1.reviewsToDo).toHaveLength(2);
		expect(student1.reviewsToDo.every((r) => r.taskTitle === 'Pitch a product to the class')).toBe(
			true
		);

		const teacher = await teacherHome(db, await sessionUser(db, 'teacher'));
		const [class1] = teacher.classes;
		expect(class1!.readyToMark.map((t) => [t.title, t.count])).toEqual(
			expect.arrayContaining([
				['Pitch a product to the class', 12],
				['Plan a school event', 7]
			])
		);
		expect(class1!.peerReviews).toEqual([
			expect.objectContaining({ title: 'Pitch a product to the class', allocated: 30, done: 14 })
		]);
		await db.destroy();
	}, 60_000);
});
