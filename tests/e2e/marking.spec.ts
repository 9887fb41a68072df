import { expect, test, type Page } from '@playwright/test';
import { demoUserId, expectAccessible, signIn, taskId } from './fixtures';

/**
 * seed-extras' "Marking: portfolio" in the Marking class (markingteacher; marking1–marking7, one in
 * each state). Read only: nothing here saves.
 *   Ashworth (not started), Brooks (in progress), Cole (submitted 2 March, with a PNG, a PDF, a
 *   Word file, a link and a note), Dalton (submitted 1 March), Evans (marked, a flagged gap of four
 *   bands), Foster (not started), Grant (released).
 */
const PORTFOLIO = taskId('Marking: portfolio');
const LIST = `/teacher/tasks/${PORTFOLIO}/marking`;
const learnerPage = (username: string, search = '') => `${LIST}/${demoUserId(username)}${search}`;

test.use({ storageState: { cookies: [], origins: [] }, viewport: { width: 1366, height: 768 } });
test.beforeEach(async ({ page }) => {
	await signIn(page, 'markingteacher');
});

const learnerNames = (page: Page) =>
	page.getByRole('table').getByRole('rowheader').allTextContents();
const heading = (page: Page) => page.getByRole('heading', { level: 1 });

test('the marking list puts work ready to mark first, filters and sorts from the URL', async ({
	page
}) => {
	await page.goto(LIST);
	expect(await learnerNames(page)).toEqual([
		'Dev Dalton',
		'Cara Cole',
		'Ben Brooks',
		'Eve Evans',
		'Gia Grant',
		'Ada Ashworth',
		'Finn Foster'
	]);
	const filters = page.getByRole('navigation', { name: 'Show learners' });
	for (const name of [
		'All (7)',
		'Ready to mark (2)',
		'Not started (2)',
		'In progress (1)',
		'Marked (2)',
		'Flagged gap (1)'
	])
		await expect(filters.getByRole('link', { name })).toBeVisible();
	await expect(filters.getByRole('link', { name: 'All (7)' })).toHaveAttribute(
		'aria-current',
		'page'
	);
	// The state is in words (and a shape), not in colour.
	await expect(page.getByRole('row', { name: /Eve Evans/ })).toContainText('4 bands ⚑ flagged');
	await expect(page.getByRole('row', { name: /Dev Dalton/ })).toContainText('Ready to mark');

	await filters.getByRole('link', { name: 'Ready to mark (2)' }).click();
	await expect(page).toHaveURL(/\?show=ready$/);
	expect(await learnerNames(page)).toEqual(['Dev Dalton', 'Cara Cole']);

	await page.getByLabel('Sort by').selectOption('name');
	await page.getByRole('button', { name: 'Sort' }).click();
	await expect(page).toHaveURL(/\?show=ready&sort=name$/);
	expect(await learnerNames(page)).toEqual(['Cara Cole', 'Dev Dalton']);
	await page.reload();
	expect(await learnerNames(page)).toEqual(['Cara Cole', 'Dev Dalton']);
	await expect(page.getByLabel('Sort by')).toHaveValue('name');

	// The filter keeps the chosen order; the learner's screen and its way back keep both.
	await filters.getByRole('link', { name: 'Flagged gap (1)' }).click();
	await expect(page).toHaveURL(/\?show=flagged&sort=name$/);
	expect(await learnerNames(page)).toEqual(['Eve Evans']);
	await page.getByRole('link', { name: 'Eve Evans' }).click();
	await expect(heading(page)).toHaveText('Eve Evans');
	await page.getByRole('link', { name: /^← Learners: flagged gap on/ }).click();
	await expect(page).toHaveURL(/\?show=flagged&sort=name$/);

	await page.goto(`${LIST}?sort=gap`);
	expect((await learnerNames(page)).slice(0, 2)).toEqual(['Eve Evans', 'Gia Grant']);
	await expectAccessible(page);
});

test('a bad filter or order falls back to the defaults, and the list works without JavaScript', async ({
	browser,
	baseURL,
	page
}) => {
	const answer = await page.goto(`${LIST}?show=%3Cscript%3E&sort=drop%20table&show=ready`);
	expect(answer?.status()).toBe(200);
	expect((await learnerNames(page)).length).toBe(7);
	await expect(
		page.getByRole('navigation', { name: 'Show learners' }).getByRole('link', { name: 'All (7)' })
	).toHaveAttribute('aria-current', 'page');

	const context = await browser.newContext({
		baseURL,
		javaScriptEnabled: false,
		storageState: await page.context().storageState()
	});
	const plain = await context.newPage();
	await plain.goto(LIST);
	await plain
		.getByRole('navigation', { name: 'Show learners' })
		.getByRole('link', { name: 'Not started (2)' })
		.click();
	await expect(plain).toHaveURL(/\?show=not_started$/);
	await plain.getByLabel('Sort by').selectOption('name');
	await plain.getByRole('button', { name: 'Sort' }).click();
	await expect(plain).toHaveURL(/\?show=not_started&sort=name$/);
	expect(await learnerNames(plain)).toEqual(['Ada Ashworth', 'Finn Foster']);
	await context.close();
});

test('] and [ skip learners who have not started, in the list’s order', async ({ page }) => {
	await page.goto(`${LIST}?sort=name`);
	await page.getByRole('link', { name: 'Ben Brooks' }).click();
	await expect(heading(page)).toHaveText('Ben Brooks');
	await page.waitForLoadState('networkidle'); // hydrated (a click before hydration loads the page anew)
	await expect(page.getByRole('navigation', { name: 'Learners' })).toContainText('1 of 5');
	// Ada Ashworth (not started) comes before Ben by name: there is no previous learner.
	await expect(page.getByRole('link', { name: '← Previous' })).toHaveCount(0);
	for (const next of ['Cara Cole', 'Dev Dalton', 'Eve Evans', 'Gia Grant']) {
		await page.keyboard.press(']');
		await expect(heading(page)).toHaveText(next);
		await expect(page).toHaveURL(/\?sort=name$/);
	}
	// Finn Foster (not started) sits between Evans and Grant and was skipped; Grant is the last.
	await expect(page.getByRole('link', { name: 'Next →' })).toHaveCount(0);
	await page.keyboard.press('[');
	await expect(heading(page)).toHaveText('Eve Evans');

	// Under the default order (ready to mark first), from the first ready learner.
	await page.goto(learnerPage('marking4'));
	await page.waitForLoadState('networkidle'); // hydrated, so the key reaches the page's handler
	await page.keyboard.press(']');
	await expect(heading(page)).toHaveText('Cara Cole');
	await page.getByRole('link', { name: 'Next →' }).click();
	await expect(heading(page)).toHaveText('Ben Brooks');
});

test('the marking screen previews a picture and a PDF’s first page; other files download', async ({
	page
}) => {
	await page.goto(learnerPage('marking3'));
	const work = page.getByRole('region', { name: 'Cara’s work' });

	const picture = work.getByRole('img', { name: 'Poster draft (open full size)' });
	await expect(picture).toBeVisible();
	expect(await picture.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(320);
	await expect(work.getByRole('link', { name: 'Poster draft (open full size)' })).toHaveAttribute(
		'href',
		/^\/evidence\/\d+$/
	);

	const pdfLink = work.getByRole('link', { name: /^Open Project plan \(PDF/ });
	await expect(pdfLink).toBeVisible();
	await expect(work.getByText('Page 1 of 2')).toBeVisible();
	const canvas = pdfLink.locator('canvas[data-rendered="true"]');
	await expect(canvas).toBeVisible();
	// Drawn, not blank: sample the pixels for the page's blue band and red box.
	const ink = await canvas.evaluate((c: HTMLCanvasElement) => {
		const { data } = c.getContext('2d')!.getImageData(0, 0, c.width, c.height);
		let blue = 0;
		let red = 0;
		let other = 0;
		for (let i = 0; i < data.length; i += 4) {
			const [r, g, b] = [data[i]!, data[i + 1]!, data[i + 2]!];
			if (b > 120 && r < 60) blue++;
			else if (r > 160 && g < 90 && b < 90) red++;
			else if (r < 240 || g < 240 || b < 240) other++;
		}
		return { blue, red, other, total: data.length / 4 };
	});
	expect(ink.blue / ink.total).toBeGreaterThan(0.1);
	expect(ink.red / ink.total).toBeGreaterThan(0.05);

	// pdf.js's worker came from the app itself.
	const scripts = await page.evaluate(() =>
		performance
			.getEntriesByType('resource')
			.map((e) => e.name)
			.filter((n) => /pdf/.test(n))
	);
	expect(scripts.some((n) => /\/_app\/immutable\/.*pdf\.worker/.test(n))).toBe(true);
	expect(scripts.every((n) => n.startsWith(new URL(page.url()).origin))).toBe(true);

	await expect(work.getByText(/Word document · notes\.docx · \d+ bytes/)).toBeVisible();
	await expect(work.getByRole('link', { name: 'Download Reflection notes' })).toHaveAttribute(
		'download',
		'notes.docx'
	);
	await expect(work.getByText('https://example.org/blog/poster')).toBeVisible();
	await expectAccessible(page);
});

/** Whether pdf.js itself (its "Setting up fake worker" fallback text) is among the page's scripts. */
const pdfjsLoaded = (page: Page) =>
	page.evaluate(async () => {
		const scripts = performance
			.getEntriesByType('resource')
			.map((e) => e.name)
			.filter((n) => n.endsWith('.js'));
		const texts = await Promise.all(scripts.map((n) => fetch(n).then((r) => r.text())));
		return texts.some((t) => t.includes('Setting up fake worker'));
	});

test('pdf.js is loaded only where a PDF is shown', async ({ page }) => {
	await page.goto(learnerPage('marking5'));
	await expect(heading(page)).toHaveText('Eve Evans');
	await page.waitForLoadState('networkidle');
	expect(await pdfjsLoaded(page)).toBe(false);
	await page.getByRole('link', { name: 'Next →' }).click();
	await expect(heading(page)).toHaveText('Gia Grant');
	await page.goto(learnerPage('marking3'));
	await expect(page.locator('canvas[data-rendered="true"]')).toBeVisible();
	expect(await pdfjsLoaded(page)).toBe(true);
});
