import { describe, expect, it } from 'vitest';
import { seedDemoActivity } from '../../src/lib/server/db/demo-activity';
import { publicAward } from '../../src/lib/server/badges/awards';
import { demoDatabase, userId } from './helpers';

describe('the demo school’s activity', () => {
	it('fills every feature: two released tasks per class with self, peer and teacher work, moderation, and badges', async () => {
		const { db } = await demoDatabase();
		await seedDemoActivity(db, 'http://localhost:3000');
		const tasks = await db
			.selectFrom('tasks')
			.select(['class_id'])
			.where('state', '=', 'published')
			.execute();
		expect(tasks.filter((t) => t.class_id === 1)).toHaveLength(2);
		expect(tasks.filter((t) => t.class_id === 2)).toHaveLength(2);
		const counts = await db
			.selectFrom('assessments')
			.select(['role', (e) => e.fn.countAll<number>().as('n')])
			.groupBy('role')
			.execute();
		expect(Object.fromEntries(counts.map((c) => [c.role, Number(c.n)]))).toEqual({
			self: 216,
			teacher: 216 + 8,
			peer: 432
		});
		expect(
			Number(
				(
					await db
						.selectFrom('submissions')
						.select((e) => e.fn.countAll<number>().as('n'))
						.where('released_at', 'is not', null)
						.executeTakeFirstOrThrow()
				).n
			)
		).toBe(54);
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
});
