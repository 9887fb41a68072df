import { expect, test, type Browser, type Page } from '@playwright/test';
import { expectAccessible, signIn } from './fixtures';
import { NO_SESSION_WITH_CODE } from '../../src/lib/server/live/join-codes';

/**
 * Live calibration on a projector, as a class uses it: the projector (1280×720, no app chrome)
 * shows a short code and address, learners join by code on their phones (360×740, touch), place,
 * the teacher reveals (their placement saved as they placed it) and closes. seed-extras' class
 * "Live calibration": liveteacher with live1–live4; live5 is in no class.
 */
const PROJECTOR = { width: 1280, height: 720 };

async function person(
	browser: Browser,
	baseURL: string | undefined,
	username: string,
	device: 'projector' | 'phone'
): Promise<Page> {
	const context = await browser.newContext({
		baseURL,
		viewport: device === 'phone' ? { width: 360, height: 740 } : PROJECTOR,
		hasTouch: device === 'phone',
		isMobile: device === 'phone',
		storageState: { cookies: [], origins: [] }
	});
	const page = await context.newPage();
	await signIn(page, username);
	return page;
}

/** Types the code on /join and taps Join, as a child on a phone does. */
async function joinWith(phone: Page, code: string) {
	await phone.goto('/join');
	await phone.waitForLoadState('networkidle');
	await phone.getByLabel('Code on the projector').fill(code);
	await phone.getByRole('button', { name: 'Join' }).tap();
}

const barOf = (projector: Page, band: string) =>
	projector
		.getByRole('region', { name: /^Where the class placed it/ })
		.getByRole('listitem')
		.filter({ hasText: band })
		.getByTestId('bar');

test('a class joins by the projector’s code on their phones, equal counts draw equal bars, and closing ends it cleanly everywhere', async ({
	browser,
	baseURL
}) => {
	test.setTimeout(180_000);
	const projector = await person(browser, baseURL, 'liveteacher', 'projector');
	await projector.goto('/teacher/live/new');
	await projector.getByLabel('Class', { exact: true }).selectOption({ label: 'Live calibration' });
	await projector.getByLabel('Exemplar title').fill('Live: journey exemplar');
	await projector.getByLabel(/The exemplar/).fill('A poster about saving water at school.');
	await projector.getByRole('button', { name: 'Start the session' }).click();

	// The projector view: the session only, no app header; the code and the address to type.
	await expect(
		projector.getByRole('heading', { level: 1, name: 'Live: journey exemplar' })
	).toBeVisible();
	await expect(projector.getByRole('navigation', { name: 'Main' })).toHaveCount(0);
	await expect(projector.getByTestId('connection')).toHaveText('updating live');
	const shown = (await projector.getByTestId('join-code').textContent())!
		.replace('Code:', '')
		.trim();
	expect(shown).toMatch(/^[B-DF-HJ-NP-TV-Z2-9]{3} [B-DF-HJ-NP-TV-Z2-9]{3}$/);
	await expect(projector.getByText(`${new URL(baseURL!).host}/join`)).toBeVisible();
	await expect(projector.getByTestId('join-code')).toBeInViewport();
	await expect(projector.getByTestId('joined-count')).toHaveText('0');
	await expectAccessible(projector);

	// A learner types the code on a phone: a typo keeps what was typed beside the message.
	const ada = await person(browser, baseURL, 'live1', 'phone');
	const typo = shown.startsWith('B') ? 'CCC CCC' : 'BBB BBB';
	await joinWith(ada, typo);
	await expect(ada.getByRole('alert')).toHaveText(NO_SESSION_WITH_CODE);
	const field = ada.getByLabel('Code on the projector');
	await expect(field).toHaveValue(typo);
	await expect(field).toHaveAttribute('autocapitalize', 'characters');
	await expect(field).toHaveAttribute('inputmode', 'text');
	await expectAccessible(ada);
	// Lower case, as a phone types it, is the same code.
	await field.fill(shown.toLowerCase());
	await ada.getByRole('button', { name: 'Join' }).tap();
	await expect(ada).toHaveURL(/\/student\/live\/\d+$/);
	await ada.waitForLoadState('networkidle');
	expect(await ada.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
	await expect(projector.getByTestId('joined-count')).toHaveText('1');
	// A tap on the unplaced slider's centre places the middle band.
	const slider = ada.getByRole('slider');
	await slider.scrollIntoViewIfNeeded();
	const box = (await slider.boundingBox())!;
	await ada.touchscreen.tap(box.x + box.width / 2, box.y + box.height / 2);
	await expect(slider).toHaveAttribute('aria-valuetext', 'Developing (band 3 of 5)');
	await expect(ada.getByText('All changes saved.')).toBeVisible();
	await expect(projector.getByTestId('placed-count')).toHaveText('1');

	// A second learner joins by code and places at the top.
	const ben = await person(browser, baseURL, 'live2', 'phone');
	await joinWith(ben, shown.replace(' ', ''));
	await expect(ben).toHaveURL(/\/student\/live\/\d+$/);
	await ben.getByRole('slider').focus();
	await ben.keyboard.press('End');
	await expect(ben.getByText('All changes saved.')).toBeVisible();
	await expect(projector.getByTestId('placed-count')).toHaveText('2');
	await expect(projector.getByTestId('joined-count')).toHaveText('2');

	// Someone not in the class gets the same answer as a wrong code: the code says nothing.
	const outsider = await person(browser, baseURL, 'live5', 'phone');
	await joinWith(outsider, shown);
	await expect(outsider.getByRole('alert')).toHaveText(NO_SESSION_WITH_CODE);

	// The teacher places (saved as placed; no button for it) and reveals.
	await expect(projector.getByRole('button', { name: /Save my placement/ })).toHaveCount(0);
	await projector.getByText('Your placement (open this off the projector)').click();
	await projector.getByRole('slider', { name: 'Your judgement of the exemplar' }).focus();
	await projector.keyboard.press('Home');
	for (let i = 0; i < 3; i++) await projector.keyboard.press('PageUp');
	await expect(projector.getByText('All changes saved.')).toBeVisible();
	await projector.getByRole('button', { name: 'Reveal my placement' }).click();

	// One learner each in Developing and Excelling: the same length of bar, on one scale; empty
	// bands draw nothing; every count is printed beside its band's name.
	await expect(barOf(projector, 'Developing')).toBeVisible();
	const developing = (await barOf(projector, 'Developing').boundingBox())!;
	const excelling = (await barOf(projector, 'Excelling').boundingBox())!;
	expect(developing.width).toBeGreaterThan(100);
	expect(Math.abs(developing.width - excelling.width)).toBeLessThan(1);
	expect(Math.abs(developing.height - excelling.height)).toBeLessThan(1);
	expect((await barOf(projector, 'Emerging').boundingBox())?.width ?? 0).toBe(0);
	const rows = projector
		.getByRole('region', { name: /^Where the class placed it/ })
		.getByRole('listitem');
	await expect(rows).toHaveText([
		/^Not yet\s*0/,
		/^Emerging\s*0/,
		/^Developing\s*1/,
		/^Secure\s*0\s*▲ Teacher/,
		/^Excelling\s*1/
	]);
	await expect(rows.filter({ hasText: 'Developing' })).toBeInViewport();
	await expectAccessible(projector);
	await expect(ada.getByText('You placed it one band below your teacher.')).toBeVisible();

	// Close: a clean "Session closed" on the projector and on every phone, without a reload.
	await projector.getByRole('button', { name: 'Close the session' }).click();
	await expect(projector.getByRole('heading', { level: 1, name: 'Session closed' })).toBeVisible();
	await expect(projector.getByTestId('took-part')).toHaveText('2 learners took part');
	await expect(projector.getByRole('link', { name: 'Back to My classes' })).toBeVisible();
	await expect(projector.getByRole('navigation', { name: 'Main' })).toHaveCount(0);
	await expectAccessible(projector);
	for (const phone of [ada, ben]) {
		await expect(phone.getByRole('heading', { level: 1, name: 'Session closed' })).toBeVisible();
		await expect(phone.getByTestId('took-part')).toHaveText('2 learners took part');
		await expect(phone.getByRole('link', { name: 'Back to Live sessions' })).toBeVisible();
		await expect(phone.getByRole('navigation', { name: 'Main' })).toHaveCount(0);
	}
	await expectAccessible(ada);

	// A closed session's code no longer works.
	await joinWith(ada, shown);
	await expect(ada.getByRole('alert')).toHaveText(NO_SESSION_WITH_CODE);
});
