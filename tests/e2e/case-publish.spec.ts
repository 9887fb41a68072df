import { expect, request as playwrightRequest, test } from '@playwright/test';
import { storageFor } from './fixtures';
import { CASE_TO_PUBLISH } from './case-fixtures';

test.use({ storageState: storageFor('admin') });

/**
 * An admin publishes the school's own framework; then anyone, signed out, reads it through the
 * CASE 1.1 endpoints and every uri its package names answers (the real built server).
 */
test('an admin publishes a framework and its CASE package and every uri in it answer anyone', async ({
	page,
	baseURL
}) => {
	// Signed out: no cookies (a context made here would otherwise take the admin's stored session).
	const anonymous = await playwrightRequest.newContext({
		baseURL,
		storageState: { cookies: [], origins: [] }
	});
	const packagePath = `/ims/case/v1p1/CFPackages/${CASE_TO_PUBLISH.document}`;
	expect((await anonymous.get(packagePath)).status()).toBe(404);

	await page.goto('/admin/frameworks');
	const row = page.getByRole('row', { name: new RegExp(CASE_TO_PUBLISH.title) });
	await expect(row).toContainText('Your school only');
	await row.getByRole('button', { name: `Publish ${CASE_TO_PUBLISH.title}` }).click();
	await expect(page.getByRole('status')).toContainText('Published');
	await expect(row).toContainText('Anyone: published');

	const response = await anonymous.get(packagePath);
	expect(response.status()).toBe(200);
	const pkg = await response.json();
	expect(pkg.CFDocument.title).toBe(CASE_TO_PUBLISH.title);
	const uris = [
		pkg.CFDocument.uri,
		...pkg.CFItems.map((i: { uri: string }) => i.uri),
		...pkg.CFAssociations.map((a: { uri: string }) => a.uri)
	];
	for (const uri of uris) {
		const answer = await anonymous.get(new URL(uri).pathname);
		expect(answer.status(), uri).toBe(200);
	}

	await row.getByRole('button', { name: `Withdraw ${CASE_TO_PUBLISH.title}` }).click();
	await expect(page.getByRole('status')).toContainText('Withdrawn');
	expect((await anonymous.get(packagePath)).status()).toBe(404);
	await anonymous.dispose();
});
