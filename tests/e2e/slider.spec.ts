import { expect, test, type Browser, type Page } from '@playwright/test';
import { demoUserId, expectAccessible, peerReviewId, signIn, storageFor, taskId } from './fixtures';

/**
 * The first touch of an unplaced slider places the judgement where the person aimed, and each band
 * card places its band. "Slider placement" (C1.1, R3.2, P1.1) is seed-extras' task in class 2:
 * here student17 self-assesses and reviews student18, and teacher2 marks student18;
 * tests/e2e/notices.spec.ts only makes refused requests on it (student19, teacher2).
 */
const SLIDER_TASK = taskId('Slider placement');

const slider = (page: Page, code: string) =>
	page.getByRole('slider', { name: new RegExp(`^${code.replace('.', '\\.')} `) });
const criterionCard = (page: Page, code: string) =>
	page.getByRole('article').filter({ has: slider(page, code) });

/** Open a page and wait until it is hydrated, so the first tap or key is the component's. */
async function open(page: Page, path: string) {
	await page.goto(path);
	await page.waitForLoadState('networkidle');
}

async function phone(browser: Browser, baseURL: string | undefined, username: string) {
	const context = await browser.newContext({
		baseURL,
		viewport: { width: 360, height: 740 },
		hasTouch: true,
		isMobile: true,
		storageState: { cookies: [], origins: [] }
	});
	const page = await context.newPage();
	await signIn(page, username);
	return page;
}

async function tapCentre(page: Page, code: string) {
	await slider(page, code).scrollIntoViewIfNeeded();
	const box = (await slider(page, code).boundingBox())!;
	await page.touchscreen.tap(box.x + box.width / 2, box.y + box.height / 2);
}

async function expectNoSidewaysScroll(page: Page) {
	expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
}

/**
 * On a phone the band cards are folded to the chosen one: open them, tap a band, and it is placed,
 * pressed and saved.
 */
async function tapBandCard(page: Page, code: string, band: string) {
	const card = criterionCard(page, code);
	await card.getByRole('button', { name: /^Show all 5 bands/ }).tap();
	const bandButton = card.getByRole('button', { name: band, exact: true });
	await expect(bandButton).toHaveAttribute('aria-pressed', 'false');
	await bandButton.tap();
	await expect(bandButton).toHaveAttribute('aria-pressed', 'true');
}

test('a learner’s first tap, key or band card places the judgement where they aimed, and it saves', async ({
	browser,
	baseURL
}) => {
	const page = await phone(browser, baseURL, 'student17');
	await open(page, `/student/tasks/${SLIDER_TASK}`);
	await expect(slider(page, 'C1.1')).toHaveAttribute('aria-valuetext', 'Not placed yet');

	// The unplaced thumb is drawn in the middle: a tap there places the middle band.
	await tapCentre(page, 'C1.1');
	await expect(slider(page, 'C1.1')).toHaveAttribute('aria-valuetext', 'Developing (band 3 of 5)');
	// The chosen band's descriptor is beside the slider, not five cards away.
	await expect(
		criterionCard(page, 'C1.1').getByRole('button', { name: 'Developing', exact: true })
	).toBeInViewport();

	// A first Page Up moves a band up from the drawn middle.
	await slider(page, 'R3.2').focus();
	await page.keyboard.press('PageUp');
	await expect(slider(page, 'R3.2')).toHaveAttribute('aria-valuetext', 'Secure (band 4 of 5)');

	await tapBandCard(page, 'P1.1', 'Emerging');
	await expect(slider(page, 'P1.1')).toHaveAttribute('aria-valuetext', 'Emerging (band 2 of 5)');
	await expect(page.getByText('All changes saved.')).toBeVisible();
	await expect(page.getByText('3 of 3 criteria placed')).toBeVisible();
	await expectNoSidewaysScroll(page);
	await expectAccessible(page);

	await page.reload();
	await expect(slider(page, 'C1.1')).toHaveAttribute('aria-valuetext', 'Developing (band 3 of 5)');
	await expect(slider(page, 'R3.2')).toHaveAttribute('aria-valuetext', 'Secure (band 4 of 5)');
	await expect(slider(page, 'P1.1')).toHaveAttribute('aria-valuetext', 'Emerging (band 2 of 5)');
	await page.context().close();
});

test('a peer reviewer’s first tap, key or band card places the judgement, and it saves', async ({
	browser,
	baseURL
}) => {
	const page = await phone(browser, baseURL, 'student17');
	await open(
		page,
		`/student/reviews/${peerReviewId('Slider placement', 'student17', 'student18')}`
	);
	await tapCentre(page, 'C1.1');
	await expect(slider(page, 'C1.1')).toHaveAttribute('aria-valuetext', 'Developing (band 3 of 5)');
	await slider(page, 'R3.2').focus();
	await page.keyboard.press('PageDown');
	await expect(slider(page, 'R3.2')).toHaveAttribute('aria-valuetext', 'Emerging (band 2 of 5)');
	await tapBandCard(page, 'P1.1', 'Excelling');
	await expect(slider(page, 'P1.1')).toHaveAttribute('aria-valuetext', 'Excelling (band 5 of 5)');
	await expect(page.getByText('All changes saved.')).toBeVisible();
	await expectNoSidewaysScroll(page);
	await expectAccessible(page);

	await page.reload();
	await expect(slider(page, 'C1.1')).toHaveAttribute('aria-valuetext', 'Developing (band 3 of 5)');
	await expect(slider(page, 'R3.2')).toHaveAttribute('aria-valuetext', 'Emerging (band 2 of 5)');
	await expect(slider(page, 'P1.1')).toHaveAttribute('aria-valuetext', 'Excelling (band 5 of 5)');
	await page.context().close();
});

test('a teacher’s first click or band card places the grade, and it saves', async ({
	browser,
	baseURL
}) => {
	const page = await (
		await browser.newContext({
			baseURL,
			viewport: { width: 1366, height: 768 },
			storageState: storageFor('teacherOther')
		})
	).newPage();
	await open(page, `/teacher/tasks/${SLIDER_TASK}/marking/${demoUserId('student18')}`);
	await slider(page, 'C1.1').click(); // the middle of the track
	await expect(slider(page, 'C1.1')).toHaveAttribute('aria-valuetext', 'Developing (band 3 of 5)');
	// On a wide screen every band card shows, and Enter on one places it.
	const secure = criterionCard(page, 'R3.2').getByRole('button', { name: 'Secure', exact: true });
	await secure.focus();
	await page.keyboard.press('Enter');
	await expect(secure).toHaveAttribute('aria-pressed', 'true');
	await expect(slider(page, 'R3.2')).toHaveAttribute('aria-valuetext', 'Secure (band 4 of 5)');
	await expect(page.getByText('All changes saved.')).toBeVisible();
	await expectAccessible(page);

	await page.reload();
	await expect(slider(page, 'C1.1')).toHaveAttribute('aria-valuetext', 'Developing (band 3 of 5)');
	await expect(slider(page, 'R3.2')).toHaveAttribute('aria-valuetext', 'Secure (band 4 of 5)');
	await page.context().close();
});
