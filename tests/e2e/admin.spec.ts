import { expect, test } from '@playwright/test';
import { chooseOwnPassword, expectAccessible, freshPage, signIn, storageFor } from './fixtures';

test.use({ storageState: storageFor('admin') });

/** A one-time password as the app shows it: three groups of four, on a line of its own. */
const ONE_TIME_PASSWORD = /^\w{4}-\w{4}-\w{4}$/;

test('an admin adds a student who can then sign in with the one-time password', async ({
	page,
	browser,
	baseURL
}) => {
	await page.goto('/admin/people');
	const form = page.getByRole('region', { name: 'Add a person' });
	await form.getByLabel('Role').selectOption('student');
	await form.getByLabel('Given name').fill('Ada');
	await form.getByLabel('Family name').fill('Lovelace');
	await form.getByLabel('Username').fill('ada.lovelace');
	await form.getByRole('button', { name: 'Add person' }).click();
	const status = page.getByRole('status');
	await expect(status).toContainText('ada.lovelace can now sign in');
	const password = (await status.getByText(ONE_TIME_PASSWORD).textContent())!.trim();
	expect(password).toMatch(ONE_TIME_PASSWORD);

	const learner = await freshPage(browser, baseURL);
	await signIn(learner, 'ada.lovelace', password);
	await chooseOwnPassword(learner, password, 'ada-chose-this');
	await expect(learner).toHaveURL(/\/student$/);
	await learner.close();
});

test('a taken username is explained next to the field', async ({ page }) => {
	await page.goto('/admin/people');
	const form = page.getByRole('region', { name: 'Add a person' });
	await form.getByLabel('Given name').fill('Another');
	await form.getByLabel('Family name').fill('Teacher');
	await form.getByLabel('Username').fill('teacher');
	await form.getByRole('button', { name: 'Add person' }).click();
	await expect(form.getByLabel('Username')).toHaveAccessibleDescription(/already taken/);
	await expect(form.getByLabel('Username')).toHaveAttribute('aria-invalid', 'true');
});

test('an admin resets a password (shown once) and deactivates an account', async ({
	page,
	browser,
	baseURL
}) => {
	const learner = await freshPage(browser, baseURL);
	await signIn(learner, 'student26');
	await expect(learner).toHaveURL(/\/student$/);

	await page.goto('/admin/people?q=student26');
	await page.getByRole('table').getByRole('link').first().click();
	await expect(page.getByRole('definition').filter({ hasText: 'student26' })).toBeVisible();
	await page.getByRole('button', { name: 'Reset password' }).click();
	const password = (await page
		.getByRole('status')
		.getByText(ONE_TIME_PASSWORD)
		.textContent())!.trim();

	// The old session ended with the reset.
	await learner.reload();
	await expect(learner).toHaveURL(/\/login/);
	await signIn(learner, 'student26', password);
	// Someone else set it: the learner must choose their own before anything else.
	await expect(learner).toHaveURL(/\/account$/);

	await page.getByRole('button', { name: 'Deactivate account' }).click();
	await expect(page.getByRole('status')).toHaveText('Account deactivated.');
	await learner.reload();
	await expect(learner).toHaveURL(/\/login/);
	await signIn(learner, 'student26', password);
	await expect(learner.getByRole('alert')).toContainText('do not match an active account');
	await page.getByRole('button', { name: 'Reactivate account' }).click();
	await expect(page.getByRole('status')).toHaveText('Account reactivated.');
	await learner.close();
});

test('an admin creates a class, assigns a teacher and enrols students', async ({ page }) => {
	await page.goto('/admin/classes');
	await page.getByLabel('Class name').fill('11Z Enterprise');
	await page.getByLabel('Year group (optional)').fill('11');
	await page.getByRole('button', { name: 'Create class' }).click();
	await expect(page.getByRole('heading', { name: '11Z Enterprise' })).toBeVisible();
	await expect(page.getByText('No teacher yet')).toBeVisible();

	await page.getByLabel('Assign a teacher').selectOption({
		label: (await page
			.getByLabel('Assign a teacher')
			.getByRole('option', { name: /\(teacher2\)/ })
			.textContent())!
	});
	await page.getByRole('button', { name: 'Assign' }).click();
	await expect(page.getByRole('status')).toHaveText('Teacher assigned.');

	await page.getByLabel('Find students by name or username').fill('student2');
	await page.getByRole('button', { name: 'Find', exact: true }).click();
	await expect(page).toHaveURL(/\?find=student2$/);
	await expect(page.getByText(/students? not in this class matching “student2”/)).toBeVisible();
	await page.getByRole('checkbox', { name: /\(student20,/ }).check();
	await page.getByRole('checkbox', { name: /\(student21,/ }).check();
	await page.getByRole('button', { name: 'Enrol selected students' }).click();
	await expect(page.getByRole('status')).toHaveText('2 students enrolled.');
	await expect(page.getByRole('heading', { name: 'Students (2)' })).toBeVisible();
	await expectAccessible(page);
});

test('changing your own password keeps you signed in here', async ({ browser, baseURL }) => {
	const page = await freshPage(browser, baseURL);
	await signIn(page, 'student25');
	await page.goto('/account');
	await page.getByLabel('Current password').fill('fusion-demo');
	await page.getByLabel('New password', { exact: true }).fill('short');
	await page.getByLabel('New password again').fill('short');
	await page.getByRole('button', { name: 'Change password' }).click();
	await expect(page.getByLabel('New password', { exact: true })).toHaveAccessibleDescription(
		/at least 8/
	);

	await page.getByLabel('Current password').fill('fusion-demo');
	await page.getByLabel('New password', { exact: true }).fill('brand-new-pass');
	await page.getByLabel('New password again').fill('brand-new-pass');
	await page.getByRole('button', { name: 'Change password' }).click();
	await expect(page.getByRole('status')).toHaveText('Your password has been changed.');
	await page.goto('/student');
	await expect(page).toHaveURL(/\/student$/);
	await page.close();
});

test('an admin finds one learner and opens their profile and PDF report from People', async ({
	page
}) => {
	await page.goto('/admin/people?q=student1');
	const profile = page.getByRole('link', { name: /^Profile of / }).first();
	const href = await profile.getAttribute('href');
	await profile.click();
	await expect(page).toHaveURL(new RegExp(`${href}$`));
	await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
	const pdf = await page.request.get(`${href}/report.pdf`);
	expect(pdf.status()).toBe(200);
	expect(pdf.headers()['content-type']).toContain('application/pdf');
});
