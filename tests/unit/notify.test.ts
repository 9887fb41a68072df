import { describe, expect, it } from 'vitest';
import { notify } from '$lib/server/notifications/notify';
import { demoDatabase, userId } from './helpers';

describe('notify', () => {
	it('tells each person once per dedupe key, however often the event is raised', async () => {
		const { db } = await demoDatabase();
		const learner = await userId(db, 'student1');
		const request = {
			userIds: [learner, learner],
			kind: 'due_tomorrow' as const,
			params: { taskId: 1, taskTitle: 'Pitch' },
			link: '/student/tasks/1',
			dedupeKey: 'due_tomorrow:task:1'
		};
		await notify(db, request);
		await notify(db, request);
		const rows = await db
			.selectFrom('notifications')
			.selectAll()
			.where('user_id', '=', learner)
			.execute();
		expect(rows).toHaveLength(1);
		expect(rows[0]).toMatchObject({ kind: 'due_tomorrow', read_at: null, emailed_at: null });
	});
});
