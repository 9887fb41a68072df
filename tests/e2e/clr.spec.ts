import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { demoUserId, signIn } from './fixtures';

// Read only: student19's own record (seed-extras: two released tasks and a badge), on a phone.
test.use({ storageState: { cookies: [], origins: [] }, viewport: { width: 360, height: 740 } });

test('a learner downloads their CLR 2.0 learner record from their profile at 360 px', async ({
	page
}) => {
	await signIn(page, 'student19');
	await page.goto(`/profile/${demoUserId('student19')}`);
	const link = page.getByRole('link', { name: 'Download learner record (CLR)' });
	await expect(link).toBeVisible();
	const box = (await link.boundingBox())!;
	expect(box.x).toBeGreaterThanOrEqual(0);
	expect(box.x + box.width).toBeLessThanOrEqual(360);

	const downloading = page.waitForEvent('download');
	await link.click();
	const download = await downloading;
	expect(download.suggestedFilename()).toMatch(/\.json$/);
	const record = JSON.parse(readFileSync((await download.path())!, 'utf8'));
	expect(record.type).toEqual(['VerifiableCredential', 'ClrCredential']);
	expect(record.proof[0]).toMatchObject({ cryptosuite: 'eddsa-rdfc-2022' });
	const inside = record.credentialSubject.verifiableCredential.map(
		(c: { type: string[] }) => c.type
	);
	expect(inside).toContainEqual(['VerifiableCredential', 'OpenBadgeCredential']);
	expect(inside).toContainEqual(['VerifiableCredential', 'AchievementCredential']);
});
