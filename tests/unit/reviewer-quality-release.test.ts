import { describe, expect, it } from 'vitest';
import { seedDemoActivity } from '../../src/lib/server/db/demo-activity';
import { myReviews } from '../../src/lib/server/peer/reviewing';
import { demoDatabase, sessionUser } from './helpers';

// Found by the red-team pass: a reviewer's quality figures (mean signed gap to the teacher) gave
// away a classmate's teacher grade before it was released to that classmate.
describe('a reviewer’s quality figures', () => {
	it('compare only with released grades, so they reveal nothing the reviewee has not seen', async () => {
		const { db } = await demoDatabase();
		await seedDemoActivity(db, 'http://localhost:3000');
		const reviewer = await sessionUser(db, 'student1');
		const released = (await myReviews(db, reviewer)).filter((r) => r.quality !== null);
		expect(released.length).toBeGreaterThan(0);

		const taskIds = released.map((r) => r.taskId);
		await db
			.updateTable('submissions')
			.set({ released_at: null })
			.where('task_id', 'in', taskIds)
			.execute();
		const unreleased = await myReviews(db, reviewer);
		expect(unreleased.filter((r) => taskIds.includes(r.taskId)).map((r) => r.quality)).toEqual(
			unreleased.filter((r) => taskIds.includes(r.taskId)).map(() => null)
		);
	});
});
