import { expect, test } from '@playwright/test';
import { chooseOwnPassword, expectAccessible, freshPage, signIn, storageFor } from './fixtures';

test.use({ storageState: storageFor('admin') });

const file = (name: string, text: string) => ({
	name,
	mimeType: 'text/csv',
	buffer: Buffer.from(text)
});

test('the preview marks a bad row, explains it, and offers no import', async ({ page }) => {
	await page.goto('/admin/roster');
	await page
		.getByLabel('CSV files')
		.setInputFiles(
			file(
				'roster.csv',
				'username,given_name,family_name,role,class\nok.pupil,Ok,Pupil,student,7Q Drama\nbad pupil,Bad,Pupil,student,7Q Drama\n'
			)
		);
	await page.getByRole('button', { name: 'Preview import' }).click();
	await expect(page.getByRole('heading', { name: '2. Check the preview' })).toBeVisible();
	const badRow = page.getByRole('row').filter({ hasText: 'bad pupil' });
	await expect(badRow).toContainText('letters, digits, dots, dashes and underscores');
	await expect(badRow.getByRole('cell').nth(1)).toHaveText('3');
	await expect(page.getByText('Nothing has been imported')).toBeVisible();
	await expect(page.getByRole('button', { name: 'Import', exact: true })).toHaveCount(0);
	await expectAccessible(page);

	await page.goto('/admin/people?q=ok.pupil');
	await expect(page.getByText('No one matches')).toBeVisible();
});

test('a clean OneRoster set imports after the preview, and the new teacher can sign in', async ({
	page,
	browser,
	baseURL
}, testInfo) => {
	// Names of their own per attempt: a retry must not find the first attempt's people already there.
	const tag = `${testInfo.retry}${Date.now().toString(36).slice(-4)}`;
	const teacherName = `r.okoro${tag}`;
	const className = `8R Computing ${tag}`;
	await page.goto('/admin/roster');
	await page
		.getByLabel('CSV files')
		.setInputFiles([
			file(
				'users.csv',
				`sourcedId,status,role,username,givenName,familyName,grades\nt-${tag},active,teacher,${teacherName},Ruth,Okoro,\ns-${tag},active,student,p.nair${tag},Priya,Nair,08\n`
			),
			file(
				'classes.csv',
				`sourcedId,status,title,grades,subjects\nc-${tag},active,${className},08,Computing\n`
			),
			file(
				'enrollments.csv',
				`sourcedId,status,classSourcedId,userSourcedId,role\ne1-${tag},active,c-${tag},t-${tag},teacher\ne2-${tag},active,c-${tag},s-${tag},student\n`
			)
		]);
	await page.getByRole('button', { name: 'Preview import' }).click();
	await expect(page.getByText('0 problems')).toBeVisible();
	await page.getByRole('button', { name: 'Import', exact: true }).click();
	await expect(page.getByRole('heading', { name: 'Import complete' })).toBeVisible();
	await expect(page.getByRole('status')).toContainText('2 new people');
	await expect(page.getByRole('status')).toContainText('1 new class,');
	const row = page.getByRole('row').filter({ hasText: teacherName });
	const password = (await row.getByRole('code').textContent())!.trim();
	await expectAccessible(page);

	const teacher = await freshPage(browser, baseURL);
	await signIn(teacher, teacherName, password);
	await chooseOwnPassword(teacher, password, 'my-own-teacher-pass');
	await expect(teacher).toHaveURL(/\/teacher$/);
	await expect(teacher.getByRole('link', { name: className })).toBeVisible();
	await teacher.close();
});
