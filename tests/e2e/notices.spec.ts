import { expect, test, type Browser, type Locator } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { demoUserId, signIn, taskId } from './fixtures';

/**
 * An action's message appears beside the button that asked for it, in view, and takes focus,
 * however long the page. Both actions here are refused, so nothing changes: "Slider placement" is
 * seed-extras' class-2 task, where student19 has placed nothing, and teacher2 moderates student18
 * (whom tests/e2e/slider.spec.ts marks; a refused agreed grade writes nothing).
 */
const SLIDER_TASK = taskId('Slider placement');

/** As screenshots.spec.ts: test-results/screenshots, or docs/screenshots with UPDATE_SCREENSHOTS=1. */
const SHOTS =
	process.env.UPDATE_SCREENSHOTS === '1' ? 'docs/screenshots' : 'test-results/screenshots';
mkdirSync(SHOTS, { recursive: true });

async function signedIn(
	browser: Browser,
	baseURL: string | undefined,
	username: string,
	viewport: { width: number; height: number },
	touch = false
) {
	const context = await browser.newContext({
		baseURL,
		viewport,
		hasTouch: touch,
		isMobile: touch,
		storageState: { cookies: [], origins: [] }
	});
	const page = await context.newPage();
	await signIn(page, username);
	return page;
}

/** The message is wholly inside the viewport, sits just by the button, and has focus. */
async function expectBesideAndFocused(message: Locator, button: Locator) {
	await expect(message).toBeInViewport({ ratio: 1 });
	const box = (await message.boundingBox())!;
	const near = (await button.boundingBox())!;
	const gap = Math.max(near.y - (box.y + box.height), box.y - (near.y + near.height));
	expect(gap, 'the message is beside the button').toBeLessThan(120);
	await expect(message).toBeFocused();
}

test('a refused submit on a phone: the message is beside the Submit button, in view and focused', async ({
	browser,
	baseURL
}) => {
	const page = await signedIn(browser, baseURL, 'student19', { width: 360, height: 740 }, true);
	await page.goto(`/student/tasks/${SLIDER_TASK}`);
	await page.waitForLoadState('networkidle');
	const submit = page.getByRole('button', { name: 'Submit my self-assessment' });
	await submit.scrollIntoViewIfNeeded();
	await submit.tap();
	await page.getByRole('dialog').getByRole('button', { name: 'Yes, submit' }).tap();
	const message = page
		.getByRole('alert')
		.filter({ hasText: 'Place your slider on every criterion' });
	await expect(message).toBeVisible();
	await expectBesideAndFocused(message, submit);
	await page.screenshot({ path: `${SHOTS}/student-submit-refused-phone.png` });
	await page.context().close();
});

test('a refused agreed grade at 1366×768: the message is beside that criterion’s Save, in view and focused', async ({
	browser,
	baseURL
}) => {
	const page = await signedIn(browser, baseURL, 'teacher2', { width: 1366, height: 768 });
	await page.goto(`/teacher/tasks/${SLIDER_TASK}/moderation/${demoUserId('student18')}`);
	await page.waitForLoadState('networkidle');
	// The last criterion, far down the page; a band without the note that must go with it.
	const section = page.getByRole('region').filter({ hasText: 'P1.1' });
	await section.getByRole('combobox', { name: 'Agreed band' }).selectOption({ index: 2 });
	const save = section.getByRole('button', { name: /^Save/ });
	await save.click();
	const message = page.getByRole('alert').filter({ hasText: 'Add a short note' });
	await expect(message).toBeVisible();
	await expectBesideAndFocused(message, save);
	await expect(section.getByRole('alert')).toHaveCount(1);
	await page.screenshot({ path: `${SHOTS}/teacher-moderation-refused.png` });
	await page.context().close();
});
