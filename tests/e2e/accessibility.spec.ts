import { expect, test } from '@playwright/test';
import {
	criterionId,
	DEMO_CLASS,
	demoUserId,
	expectAccessible,
	storageFor,
	taskId,
	type Persona
} from './fixtures';

/** Every page, as the person who uses it. A new page belongs here. */
const PAGES: { persona: Persona | null; path: string; heading: string | RegExp }[] = [
	{ persona: null, path: '/login', heading: 'Sign in' },
	{ persona: 'admin', path: '/admin', heading: 'Northbridge Academy' },
	{ persona: 'admin', path: '/admin/people', heading: 'People' },
	{ persona: 'admin', path: `/admin/people/${demoUserId('student1')}`, heading: /\w+ \w+/ },
	{ persona: 'admin', path: '/admin/classes', heading: 'Classes' },
	{
		persona: 'admin',
		path: `/admin/classes/${DEMO_CLASS.first.id}`,
		heading: DEMO_CLASS.first.name
	},
	{ persona: 'admin', path: '/admin/roster', heading: 'Import a roster' },
	{ persona: 'admin', path: '/account', heading: 'Your account' },
	{ persona: 'student', path: '/notifications', heading: 'Notifications' },
	{ persona: 'teacher', path: '/teacher', heading: /^Hello/ },
	{
		persona: 'teacher',
		path: `/teacher/classes/${DEMO_CLASS.first.id}`,
		heading: DEMO_CLASS.first.name
	},
	{ persona: 'student', path: '/student', heading: /^Hello/ },
	{
		persona: 'student',
		path: `/student/tasks/${taskId('Enterprise project')}`,
		heading: 'Enterprise project'
	},
	{
		persona: 'teacher',
		path: `/teacher/tasks/${taskId('Enterprise project')}`,
		heading: 'Enterprise project'
	},
	{
		persona: 'teacher',
		path: `/teacher/classes/${DEMO_CLASS.first.id}/tasks/new`,
		heading: /^New task/
	},
	{ persona: 'teacher', path: '/teacher/criteria', heading: 'Criteria bank' },
	{ persona: 'teacher', path: '/teacher/criteria/new', heading: 'Write a new criterion' },
	{ persona: 'teacher', path: `/teacher/criteria/${criterionId('C1.1')}`, heading: /C1\.1/ },
	{ persona: 'admin', path: '/admin/frameworks', heading: 'Frameworks' },
	{ persona: 'admin', path: '/admin/frameworks/crosswalk', heading: /crosswalk/ },
	{ persona: 'admin', path: '/admin/scales', heading: 'Grade scales' },
	{ persona: 'student', path: '/admin', heading: 'You do not have access to this page' }
];

for (const { persona, path, heading } of PAGES) {
	test.describe(`${path} as ${persona ?? 'a visitor'}`, () => {
		if (persona) test.use({ storageState: storageFor(persona) });
		test('has no serious or critical axe violation', async ({ page }) => {
			await page.goto(path);
			await expect(page.getByRole('heading', { level: 1, name: heading })).toBeVisible();
			await expectAccessible(page);
		});
	});
}

test.describe('at 360 px wide (a phone)', () => {
	test.use({ storageState: storageFor('student'), viewport: { width: 360, height: 740 } });
	test('the student home fits without sideways scrolling', async ({ page }) => {
		await page.goto('/student');
		const overflow = await page.evaluate(
			() => document.documentElement.scrollWidth - document.documentElement.clientWidth
		);
		expect(overflow).toBeLessThanOrEqual(0);
		await expectAccessible(page);
	});
});
