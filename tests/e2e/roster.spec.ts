import { expect, test } from '@playwright/test';
import { expectAccessible, freshPage, signIn, storageFor } from './fixtures';

test.use({ storageState: storageFor('admin') });

const file = (name: string, text: string) => ({ name, mimeType: 'text/csv', buffer: Buffer.from(text) });

test('the preview marks a bad row, explains it, and offers no import', async ({ page }) => {
	await page.goto('/admin/roster');
	await page.getByLabel('CSV files').setInputFiles(
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

test('a clean OneRoster set imports after the preview, and the new teacher can sign in', async ({ page, browser, baseURL }) => {
	await page.goto('/admin/roster');
	await page.getByLabel('CSV files').setInputFiles([
		file('users.csv', 'sourcedId,status,role,username,givenName,familyName,grades\nt-9,active,teacher,r.okoro,Ruth,Okoro,\ns-9,active,student,p.nair,Priya,Nair,08\n'),
		file('classes.csv', 'sourcedId,status,title,grades,subjects\nc-8,active,8R Computing,08,Computing\n'),
		file('enrollments.csv', 'sourcedId,status,classSourcedId,userSourcedId,role\ne-1,active,c-8,t-9,teacher\ne-2,active,c-8,s-9,student\n')
	]);
	await page.getByRole('button', { name: 'Preview import' }).click();
	await expect(page.getByText('0 problems')).toBeVisible();
	await page.getByRole('button', { name: 'Import', exact: true }).click();
	await expect(page.getByRole('heading', { name: 'Import complete' })).toBeVisible();
	await expect(page.getByRole('status')).toContainText('2 new people');
	const row = page.getByRole('row').filter({ hasText: 'r.okoro' });
	const password = (await row.locator('code').textContent())!.trim();
	await expectAccessible(page);

	const teacher = await freshPage(browser, baseURL);
	await signIn(teacher, 'r.okoro', password);
	await expect(teacher.getByRole('link', { name: '8R Computing' })).toBeVisible();
	await teacher.close();
});
