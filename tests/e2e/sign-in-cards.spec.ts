import { expect, test } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { DEMO_CLASS, classId, expectAccessible, storageFor } from './fixtures';

/**
 * Printable sign-in cards, as a school uses them: the admin prints cards for "card class"
 * (seed-extras), a child scans one on a shared device (a new browser with no session), confirms,
 * and lands on their home; the same card is refused the second time. A second card is typed as a
 * code on a device without a camera.
 */
// As screenshots.spec.ts: UPDATE_SCREENSHOTS=1 refreshes the committed copies in docs/screenshots.
const SHOTS =
	process.env.UPDATE_SCREENSHOTS === '1' ? 'docs/screenshots' : 'test-results/screenshots';
mkdirSync(SHOTS, { recursive: true });

test('the admin prints cards; a card signs its learner in once, by link or by code', async ({
	browser
}) => {
	const admin = await browser.newContext({
		storageState: storageFor('admin'),
		viewport: { width: 1280, height: 900 }
	});
	const page = await admin.newPage();
	await page.goto(`/admin/classes/${classId('card class')}`);
	await page.getByRole('link', { name: 'Print sign-in cards for this class' }).click();
	await expect(page.getByRole('heading', { name: 'Sign-in cards', level: 1 })).toBeVisible();
	await expect(page.getByLabel('Class')).toHaveValue(String(classId('card class')));
	await expectAccessible(page);
	await page.getByRole('radio', { name: '1 hour' }).check();
	await page.getByRole('button', { name: 'Make cards to print' }).click();

	await expect(page.getByRole('heading', { name: 'Sign-in cards ready to print' })).toBeVisible();
	const cards = page.getByRole('list', { name: 'Sign-in cards' }).getByRole('listitem');
	await expect(cards).toHaveCount(4);
	await expect(cards.first()).toContainText('Amira B.');
	await expect(cards.first()).toContainText('card class');
	await expect(
		cards.first().getByRole('img', { name: /QR code that signs Amira B\. in/ })
	).toBeVisible();
	await page.screenshot({ path: `${SHOTS}/admin-sign-in-cards.png`, fullPage: true });
	// What the printer gets: the cards alone, two across, without the app's header or buttons.
	// An A4 page's width at 96 dpi, so the shot is close to the paper.
	await page.setViewportSize({ width: 794, height: 1123 });
	await page.emulateMedia({ media: 'print' });
	await expect(page.getByRole('button', { name: 'Print cards' })).toBeHidden();
	await page.screenshot({ path: `${SHOTS}/admin-sign-in-cards-print.png`, fullPage: true });
	// Eight to an A4 page: eight cards (the four, twice) print on one page.
	await page.evaluate(() => {
		const sheet = document.querySelector('ul.sheet')!;
		const cards = [...sheet.children];
		for (const card of cards) sheet.append(card.cloneNode(true));
	});
	const pdf = (await page.pdf({ format: 'A4', preferCSSPageSize: true })).toString('latin1');
	expect(pdf.match(/\/Type\s*\/Page\b(?!s)/g)).toHaveLength(1);
	await page.evaluate(() => {
		const sheet = document.querySelector('ul.sheet')!;
		while (sheet.children.length > 4) sheet.lastElementChild!.remove(); // only for measuring
	});
	await page.emulateMedia({ media: 'screen' });
	await page.setViewportSize({ width: 1280, height: 900 });
	await expectAccessible(page);
	const amiraLink = await cards.first().locator('[data-card-link]').innerText();
	const benCode = (await cards.nth(1).locator('.code').innerText()).trim();
	expect(amiraLink).toMatch(/\/login\/card\/[a-z2-7]{32}$/);
	expect(benCode).toMatch(/^[2-9A-Z]{4}-[2-9A-Z]{4}$/);

	// A child on a shared phone-sized device scans Amira's card.
	const child = await browser.newContext({
		viewport: { width: 360, height: 740 },
		isMobile: true,
		hasTouch: true
	});
	const childPage = await child.newPage();
	await childPage.goto(new URL(amiraLink).pathname);
	await expect(childPage.getByRole('heading', { name: 'Sign in as Amira B.?' })).toBeVisible();
	await childPage.screenshot({ path: `${SHOTS}/sign-in-card-confirm-360.png`, fullPage: true });
	expect(await childPage.evaluate(() => document.documentElement.scrollWidth)).toBe(360);
	await expectAccessible(childPage);
	// Opening the page spent nothing: reloading still asks.
	await childPage.reload();
	await childPage.getByRole('button', { name: 'Continue' }).click();
	await expect(childPage).toHaveURL(/\/student$/);
	await expect(childPage.getByRole('main')).toContainText('Amira');

	// The second use of the card, from another device, is refused with the one message.
	const again = await browser.newContext();
	const againPage = await again.newPage();
	await againPage.goto(new URL(amiraLink).pathname);
	await expect(againPage.getByRole('alert')).toHaveText(
		'This card has been used or has expired. Ask your teacher for a new one.'
	);
	await expect(againPage.getByRole('button', { name: 'Continue' })).toHaveCount(0);

	// Ben types his code on a device without a camera.
	await againPage.goto('/login');
	await againPage.getByRole('link', { name: 'Have a sign-in card? Type its code' }).click();
	await expectAccessible(againPage);
	await againPage.getByLabel('Code').fill(benCode.toLowerCase());
	await againPage.getByRole('button', { name: 'Sign in' }).click();
	await expect(againPage).toHaveURL(/\/student$/);
	await expect(againPage.getByRole('main')).toContainText('Ben');

	await Promise.all([admin.close(), child.close(), again.close()]);
});

test("a teacher's sign-in cards page is reached from their class and passes axe", async ({
	browser
}) => {
	const context = await browser.newContext({ storageState: storageFor('teacher') });
	const page = await context.newPage();
	await page.goto(`/teacher/classes/${DEMO_CLASS.first.id}`);
	await page.getByRole('link', { name: 'Print sign-in cards' }).click();
	await expect(page.getByRole('heading', { level: 1 })).toHaveText(/^Sign-in cards for /);
	await expect(page.getByRole('radio', { name: '12 hours (a school day)' })).toBeChecked();
	await expectAccessible(page);
	await context.close();
});
