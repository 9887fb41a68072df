import { describe, expect, it } from 'vitest';
import { DEMO_SCHOOL, planSchool, schoolOfSize } from '../../src/lib/server/db/seed';
import { freshDatabase } from './helpers';
import { insertSchool } from '../../src/lib/server/db/seed';

describe('school generator', () => {
	it('makes the demo school the issue describes', () => {
		const plan = planSchool(DEMO_SCHOOL);
		const usernames = plan.people.map((p) => p.username);
		expect(usernames).toContain('admin');
		expect(usernames).toContain('teacher');
		expect(usernames).toContain('teacher2');
		expect(plan.people.filter((p) => p.role === 'student').map((p) => p.username)).toEqual(
			Array.from({ length: 27 }, (_, i) => `student${i + 1}`)
		);
		expect(plan.classes.map((c) => c.learners.length)).toEqual([15, 12]);
		expect(plan.classes.map((c) => c.teachers)).toEqual([['teacher'], ['teacher2']]);
	});

	it('is deterministic from its seed number, and another seed gives other names', () => {
		const spec = schoolOfSize(300, 10, 7);
		expect(planSchool(spec)).toEqual(planSchool(spec));
		expect(planSchool(schoolOfSize(300, 10, 8)).people.map((p) => p.givenName)).not.toEqual(
			planSchool(spec).people.map((p) => p.givenName)
		);
	});

	it('spreads 2,000 learners over 70 uniquely named classes', () => {
		const plan = planSchool(schoolOfSize(2000, 70));
		expect(plan.people.filter((p) => p.role === 'student')).toHaveLength(2000);
		expect(new Set(plan.classes.map((c) => c.name)).size).toBe(70);
		const sizes = plan.classes.map((c) => c.learners.length);
		expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
		expect(new Set(plan.people.map((p) => p.username)).size).toBe(plan.people.length);
	});

	it('writes a 2,000-learner school quickly (one shared password hash)', async () => {
		const db = await freshDatabase();
		const started = Date.now();
		await insertSchool(db, planSchool(schoolOfSize(2000, 70)), 'pw-for-test');
		const learners = await db
			.selectFrom('enrolments')
			.select((eb) => eb.fn.countAll<number>().as('n'))
			.executeTakeFirstOrThrow();
		expect(Number(learners.n)).toBe(2000);
		expect(Date.now() - started).toBeLessThan(15_000);
		await db.destroy();
	});
});
