import { describe, expect, it } from 'vitest';
import { composeDigestEmail } from '../../src/lib/server/notifications/email';

describe('the daily digest e-mail', () => {
	const item = (taskTitle: string) => ({
		kind: 'task_published' as const,
		params: { taskId: 1, taskTitle, className: '9A' },
		link: '/student/tasks/1',
		createdAt: '2026-12-01T09:00:00.000Z'
	});
	const settings = { origin: 'https://skills.school.example' };

	it('counts what it could not list and says where the rest are, rather than dropping them', () => {
		const message = composeDigestEmail(
			[item('Pitch'), item('Poster')],
			settings,
			'https://skills.school.example/unsubscribe/x',
			'Northbridge Academy',
			3
		);
		expect(message.subject).toBe('Fusion Skills: 5 new notifications');
		expect(message.text).toContain(
			'…and 3 more in your notification centre: https://skills.school.example/notifications'
		);
		expect(message.html).toContain('…and 3 more in your notification centre');
	});

	it('with nothing left over, links to all notifications', () => {
		const message = composeDigestEmail(
			[item('Pitch')],
			settings,
			'https://skills.school.example/unsubscribe/x',
			'Northbridge Academy'
		);
		expect(message.subject).toBe('Fusion Skills: 1 new notification');
		expect(message.text).toContain(
			'All your notifications: https://skills.school.example/notifications'
		);
		expect(message.text).not.toContain('more in your notification centre');
	});
});
