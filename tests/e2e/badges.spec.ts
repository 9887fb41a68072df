import { expect, test } from '@playwright/test';
import { demoName, expectAccessible, freshPage, signIn, storageFor } from './fixtures';

test('an admin defines a badge, a teacher confirms the proposed learner, anyone can verify it, and revoked it shows revoked', async ({
	browser,
	baseURL
}) => {
	test.setTimeout(180_000);
	const admin = await (
		await browser.newContext({ baseURL, storageState: storageFor('admin') })
	).newPage();
	await admin.goto('/admin/badges');
	await admin.getByLabel('Name').fill('Ideas person');
	await admin.getByLabel('Description').fill('Comes up with many ideas.');
	await admin
		.getByLabel(/What earns it/)
		.fill('Be judged Secure or above on an innovation criterion.');
	await admin.getByLabel('Teacher-agreed band at least').selectOption({ label: 'Secure' });
	await admin.getByLabel('on criteria for').selectOption({ label: 'I Innovation and creativity' });
	await admin.getByLabel('in at least').fill('1');
	await admin.getByRole('checkbox', { name: /FS-11/ }).check();
	await admin.getByRole('button', { name: 'Create badge' }).click();
	await expect(admin.getByRole('status')).toContainText('Badge “Ideas person” created');
	await expectAccessible(admin);

	// student2 was graded Secure on I1.1 in the Enterprise project (seed-extras), so the rule proposes
	// them.
	const teacher = await (
		await browser.newContext({ baseURL, storageState: storageFor('teacher') })
	).newPage();
	await teacher.goto('/teacher/badges');
	const proposal = teacher
		.getByRole('region', { name: /^Proposed by the rules/ })
		.getByRole('row')
		.filter({ hasText: demoName('student2') })
		.filter({ hasText: 'Ideas person' });
	await expect(proposal).toContainText('Enterprise project (I1.1)');
	await expectAccessible(teacher);
	await proposal.getByRole('button', { name: /Confirm and issue/ }).click();
	await teacher.getByRole('dialog').getByRole('button', { name: 'Yes, issue it' }).click();
	// The row stays where it was and says so.
	await expect(proposal).toContainText('Issued ✓');
	await expect(teacher.getByRole('status')).toContainText('Badge issued and signed.');
	const publicUrl = (await teacher
		.getByRole('link', { name: 'See its public page' })
		.getAttribute('href'))!;

	const anyone = await freshPage(browser, baseURL);
	await anyone.goto(publicUrl);
	await expect(anyone.getByRole('heading', { level: 1 })).toHaveText('Ideas person');
	// Shown as first name and initial until the learner chooses more.
	const [given, family] = demoName('student2').split(' ');
	await expect(anyone.getByText(`Awarded to ${given} ${family![0]}.`)).toBeVisible();
	await expect(anyone.getByRole('status')).toContainText(
		'Valid: the school’s digital signature checks out'
	);
	// Generic evidence only (task, criterion, band) until the learner opts in on this badge.
	await expect(anyone.getByText(/Enterprise project/)).toBeVisible();
	await expect(
		anyone.getByText(/A strong range of ideas, well tested with the client/)
	).toHaveCount(0);
	await expectAccessible(anyone);
	const learner = await freshPage(browser, baseURL);
	await signIn(learner, 'student2');
	await learner.goto('/student/badges');
	const earned = learner.getByRole('listitem').filter({ hasText: 'Ideas person' });
	await earned.getByLabel('My teacher’s comments').check();
	await earned.getByRole('button', { name: 'Save what is shown' }).click();
	await expect(learner.getByRole('status')).toContainText('now shows what you chose');
	await expect(earned.getByText('Prove this badge is yours')).toBeVisible();
	await expectAccessible(learner);
	await anyone.reload();
	await expect(
		anyone.getByText(/A strong range of ideas, well tested with the client/)
	).toBeVisible();
	const credentialResponse = await anyone.request.get(`${publicUrl}/credential.json`);
	expect(await credentialResponse.text()).not.toContain('A strong range of ideas');
	const credential = JSON.parse(await credentialResponse.text());
	expect(credential.type).toContain('OpenBadgeCredential');
	expect(credential.proof[0].cryptosuite).toBe('eddsa-rdfc-2022');
	expect((await anyone.request.get(`${publicUrl}/ob2`)).status()).toBe(200);
	const baked = await (await anyone.request.get(`${publicUrl}/baked.svg`)).text();
	expect(baked).toContain('<openbadges:credential>');

	await proposal.getByRole('button', { name: /^Revoke/ }).click();
	const revoke = teacher.getByRole('dialog');
	await expect(revoke).toContainText('a revoked credential stays revoked');
	await revoke.getByLabel(/Why is it revoked/).fill('Awarded by mistake');
	await revoke.getByRole('button', { name: 'Yes, revoke it' }).click();
	await expect(teacher.getByRole('status')).toContainText('Badge revoked');
	await anyone.reload();
	await expect(anyone.getByRole('status')).toContainText('Revoked by the school');
	expect((await anyone.request.get(`${publicUrl}/ob2`)).status()).toBe(410);
});

test.describe('a learner', () => {
	test.use({ storageState: storageFor('student') });
	test('asks for a badge with evidence, and sees it waiting', async ({ page }) => {
		await page.goto('/student/badges');
		await expect(page.getByRole('heading', { level: 1 })).toHaveText('My badges');
		const badge = page.getByRole('listitem').filter({ hasText: 'Seeded presenter' });
		await badge.getByText('Ask for this badge').click();
		await badge
			.getByLabel(/Why have you earned it/)
			.fill('I presented our app idea to the whole class.');
		await badge.getByRole('button', { name: 'Ask my teacher' }).click();
		await expect(page.getByRole('status')).toContainText('Asked');
		await expect(page.getByRole('listitem').filter({ hasText: 'Seeded presenter' })).toContainText(
			'You have asked for this badge.'
		);
		await expectAccessible(page);
	});
});
