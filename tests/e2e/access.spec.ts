import { expect, test } from '@playwright/test';
import { DEMO_CLASS, storageFor } from './fixtures';

test.describe('a student', () => {
	test.use({ storageState: storageFor('student') });

	test('opening an admin page gets 403, not the page', async ({ page }) => {
		const response = await page.goto('/admin/people');
		expect(response?.status()).toBe(403);
		await expect(
			page.getByRole('heading', { name: 'You do not have access to this page' })
		).toBeVisible();
		await expect(page.getByText('only for school admins')).toBeVisible();
		await expect(page.getByRole('table')).toHaveCount(0);
	});

	test('cannot call an admin form action with a crafted request', async ({ page }) => {
		await page.goto('/student');
		const status = await page.evaluate(async () => {
			const body = new FormData();
			body.set('username', 'sneaky');
			body.set('givenName', 'Sneaky');
			body.set('familyName', 'Student');
			body.set('role', 'admin');
			const response = await fetch('/admin/people?/create', { method: 'POST', body });
			return response.status;
		});
		expect(status).toBe(403);
	});

	test('cannot open a teacher’s class page', async ({ page }) => {
		const response = await page.goto(`/teacher/classes/${DEMO_CLASS.first.id}`);
		expect(response?.status()).toBe(403);
	});
});

test.describe('a teacher of another class', () => {
	test.use({ storageState: storageFor('teacherOther') });

	test('is refused another teacher’s class', async ({ page }) => {
		const response = await page.goto(`/teacher/classes/${DEMO_CLASS.first.id}`);
		expect(response?.status()).toBe(403);
		await expect(page.getByText('not a member of this class')).toBeVisible();
	});

	test('sees their own class and its students', async ({ page }) => {
		await page.goto(`/teacher/classes/${DEMO_CLASS.second.id}`);
		await expect(page.getByRole('heading', { name: DEMO_CLASS.second.name })).toBeVisible();
		const students = page.getByRole('region', { name: /^Students/ });
		await expect(students.getByRole('row')).toHaveCount(13); // header + 12 students
	});

	test('gets 403 on the admin pages', async ({ page }) => {
		const response = await page.goto('/admin');
		expect(response?.status()).toBe(403);
	});
});

test('a signed-out visitor is sent to sign in', async ({ page }) => {
	await page.goto('/admin/classes');
	await expect(page).toHaveURL(/\/login\?redirectTo=%2Fadmin%2Fclasses$/);
	await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
});
