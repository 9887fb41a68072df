import { expect, test } from '@playwright/test';
import { demoUserId, expectAccessible, signIn } from './fixtures';

/**
 * A learner reads their profile in the Skills Builder Universal Framework on a phone, and opens the
 * working of a figure. student2 has released grades on the Enterprise project (seed-extras); the
 * test only reads.
 */
test.use({ viewport: { width: 360, height: 740 }, hasTouch: true });

test('a learner switches their profile to Skills Builder at 360 px and opens the working', async ({
	page
}) => {
	await signIn(page, 'student2');
	await page.goto(`/profile/${demoUserId('student2')}`);
	await expect(page.getByRole('heading', { level: 1 })).toHaveText('My Fusion Skills profile');

	const chooser = page.getByRole('navigation', { name: 'Framework' });
	await chooser.getByRole('link', { name: 'Skills Builder' }).click();
	await expect(page).toHaveURL(/\?framework=skills-builder$/);
	await expect(chooser.getByRole('link', { name: 'Skills Builder' })).toHaveAttribute(
		'aria-current',
		'true'
	);
	await expect(
		page.getByRole('heading', { level: 2, name: 'Skills Builder Universal Framework' })
	).toBeVisible();
	await expect(page.getByText('not as Skills Builder steps 0–15')).toBeVisible();
	const skills = page.getByRole('list', { name: 'Skills Builder Universal Framework' });
	for (const skill of [
		'Listening',
		'Speaking',
		'Problem Solving',
		'Creativity',
		'Staying Positive',
		'Aiming High',
		'Leadership',
		'Teamwork'
	])
		await expect(skills.getByRole('listitem').filter({ hasText: skill }).first()).toBeVisible();

	// The first figure with evidence opens to its Fusion Skills, their shares and their results.
	const working = skills.locator('details').first();
	await working.getByText('How is this worked out?').click();
	await expect(working).toHaveAttribute('open', '');
	await expect(working).toContainText(/FS-\d\d [^:]+: share \d+% \(counts \d+%\)/);
	await expect(working).toContainText('Enterprise project');

	const sideways = await page.evaluate(
		() => document.documentElement.scrollWidth - document.documentElement.clientWidth
	);
	expect(sideways, 'no horizontal scroll at 360 px').toBeLessThanOrEqual(0);
	await expectAccessible(page);
	await page.screenshot({
		path: 'test-data/screens/profile-skills-builder-360.png',
		fullPage: true
	});
});
