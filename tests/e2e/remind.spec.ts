import { expect, test } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { expectAccessible, signIn, storageFor, taskId } from './fixtures';

// The teacher's side of issue 15's reminders, on "remind class" (seed-extras: three learners of
// its own, so nothing here tells anyone another spec counts): grant one learner an extension, see
// it in the list and in the learner's own due date, then remind those who have not submitted.

test('a teacher grants an extension and reminds those who have not submitted', async ({
	browser,
	baseURL
}) => {
	test.setTimeout(90_000);
	const homework = taskId('Remind: homework');
	const teacher = await (
		await browser.newContext({ baseURL, storageState: storageFor('teacher') })
	).newPage();
	await teacher.goto(`/teacher/tasks/${homework}`);
	await teacher.getByRole('link', { name: 'Extensions and reminders' }).click();
	await expect(teacher.getByRole('heading', { level: 1 })).toContainText(
		'Extensions and reminders'
	);
	await expectAccessible(teacher);

	await teacher.getByRole('checkbox', { name: 'Rhea Remind' }).check();
	await teacher.getByLabel('Their due date').fill('2030-06-30');
	await teacher.getByLabel('Reason (optional, kept in the record)').fill('Away on a school trip');
	await teacher.getByRole('button', { name: 'Grant extension' }).click();
	await expect(
		teacher.getByText('Extension saved for 1 learner; they have been told.')
	).toBeVisible();
	await expect(teacher.getByRole('heading', { name: 'Extensions (1)' })).toBeVisible();
	await expect(teacher.getByText('“Away on a school trip”')).toBeVisible();
	mkdirSync('test-results/screenshots', { recursive: true });
	await teacher.screenshot({ path: 'test-results/screenshots/extensions.png', fullPage: true });

	// The learner sees their own date, and was told.
	const learner = await browser.newPage({ baseURL });
	await signIn(learner, 'remind1');
	await learner.goto(`/student/tasks/${homework}`);
	await expect(learner.getByText(/due Sunday 30 June \(your extension\)/)).toBeVisible();

	await teacher.goto(`/teacher/tasks/${homework}`);
	await teacher.getByLabel('Message (optional)').fill('Please hand it in by Friday.');
	await teacher.getByRole('button', { name: 'Remind 3 learners' }).click();
	await expect(teacher.getByText('Reminded 3 learners who have not submitted.')).toBeVisible();
	await teacher.screenshot({ path: 'test-results/screenshots/remind.png' });
	// At most once an hour per task.
	await teacher.getByRole('button', { name: 'Remind 3 learners' }).click();
	await expect(teacher.getByText(/Remind them again an hour after that/)).toBeVisible();
});
