import { expect, test } from '@playwright/test';
import { DEMO_CLASS, expectAccessible, signIn } from './fixtures';

test.describe('signing in and out', () => {
	test('a teacher lands on a dashboard listing their classes, and can sign out', async ({
		page
	}) => {
		await signIn(page, 'teacher');
		await expect(page).toHaveURL(/\/teacher$/);
		await expect(page.getByRole('heading', { name: 'Your classes' })).toBeVisible();
		await expect(page.getByRole('link', { name: DEMO_CLASS.first.name })).toBeVisible();
		await expect(page.getByRole('link', { name: DEMO_CLASS.second.name })).toHaveCount(0);
		await expect(page.getByText('15 students')).toBeVisible();

		await page.getByRole('button', { name: 'Sign out' }).click();
		await expect(page).toHaveURL(/\/login$/);
		await page.goto('/teacher');
		await expect(page).toHaveURL(/\/login\?redirectTo=%2Fteacher$/);
	});

	test('a student lands on their own home', async ({ page }) => {
		await signIn(page, 'student1');
		await expect(page).toHaveURL(/\/student$/);
		await expect(page.getByRole('heading', { name: 'Your tasks' })).toBeVisible();
		await expect(page.getByText(DEMO_CLASS.first.name).first()).toBeVisible();
		await expect(page.getByText(DEMO_CLASS.second.name)).toHaveCount(0);
		await page.getByRole('button', { name: 'Sign out' }).click();
		await expect(page).toHaveURL(/\/login$/);
	});

	test('an admin lands on the school admin pages', async ({ page }) => {
		await signIn(page, 'admin');
		await expect(page).toHaveURL(/\/admin$/);
		await expect(page.getByRole('heading', { name: 'Northbridge Academy' })).toBeVisible();
		await expect(page.getByRole('link', { name: /\d+\s+students/ })).toBeVisible();
		await page.getByRole('button', { name: 'Sign out' }).click();
		await expect(page).toHaveURL(/\/login$/);
	});

	test('a wrong password is explained and the username kept', async ({ page }) => {
		await signIn(page, 'student2', 'not-the-password');
		await expect(page.getByRole('alert')).toContainText('do not match');
		await expect(page.getByLabel('Username')).toHaveValue('student2');
		await expectAccessible(page);
	});

	test('after signing in from a deep link, you return to it', async ({ page }) => {
		await page.goto(`/teacher/classes/${DEMO_CLASS.first.id}`);
		await expect(page).toHaveURL(/\/login\?redirectTo=/);
		await page.getByLabel('Username').fill('teacher');
		await page.getByLabel('Password').fill('fusion-demo');
		await page.getByRole('button', { name: 'Sign in' }).click();
		await expect(page).toHaveURL(new RegExp(`/teacher/classes/${DEMO_CLASS.first.id}$`));
		await expect(page.getByRole('heading', { name: DEMO_CLASS.first.name })).toBeVisible();
	});

	test('the session cookie is HttpOnly and SameSite=Lax', async ({ page, context }) => {
		await signIn(page, 'student3');
		await expect(page).toHaveURL(/\/student$/);
		const cookie = (await context.cookies()).find((c) => c.name === 'fusion_session');
		expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax' });
	});
});

test('GET /healthz answers ok and checks the database', async ({ request }) => {
	const response = await request.get('/healthz');
	expect(response.status()).toBe(200);
	expect(await response.json()).toEqual({ status: 'ok' });
});

test('every page is served with a hash-based CSP and the other security headers', async ({
	request
}) => {
	const response = await request.get('/login');
	const headers = response.headers();
	const csp = headers['content-security-policy'] ?? '';
	expect(csp).toContain("script-src 'self' 'sha256-");
	expect(csp).not.toContain("script-src 'self' 'unsafe-inline'");
	expect(csp).toContain("frame-ancestors 'none'");
	expect(csp).toContain("object-src 'none'");
	expect(headers['x-content-type-options']).toBe('nosniff');
	expect(headers['referrer-policy']).toBe('same-origin');
	expect(headers['x-frame-options']).toBe('DENY');
});
