import { expect, test, type Page } from '@playwright/test';
import { demoUserId, expectAccessible, freshPage, signIn, storageFor, taskId } from './fixtures';

// No edit lost between two tabs or devices: tab A loads, tab B saves, tab A saves the same thing →
// A is told, both versions are shown, and the version the person chooses is the one kept.

/** "Two tabs" (C1.1, R3.2) is published in class 1 by seed-extras and used only here. */
const TWO_TABS = taskId('Two tabs');
const LEARNER = 'student12';

const slider = (page: Page, code: string) =>
	page.getByRole('slider', { name: new RegExp(`^${code.replace('.', '\\.')} `) });
const conflictHeading = (page: Page) =>
	page.getByRole('heading', { name: 'This was changed in another tab or device' });

async function open(page: Page, url: string) {
	await page.goto(url);
	await page.waitForLoadState('networkidle'); // hydrated, so typing is autosaved
}

test('a learner’s stale tab is told, shown both versions, and keeps the one chosen', async ({
	browser,
	baseURL
}) => {
	test.setTimeout(120_000);
	const tabA = await freshPage(browser, baseURL);
	await signIn(tabA, LEARNER);
	const tabB = await tabA.context().newPage(); // the same person, a second tab
	await open(tabA, `/student/tasks/${TWO_TABS}`);
	await open(tabB, `/student/tasks/${TWO_TABS}`);

	// Tab B places C1.1 and writes a reflection; it saves.
	await slider(tabB, 'C1.1').focus();
	await tabB.keyboard.press('End');
	await tabB.getByLabel('Your reflection on C1.1').fill('From tab B: I used my slides well.');
	await expect(tabB.getByText('All changes saved.')).toBeVisible();

	// Tab A, loaded before B saved, writes its own reflection on C1.1: not saved over B's.
	await tabA.getByLabel('Your reflection on C1.1').fill('From tab A: I kept eye contact.');
	await expect(conflictHeading(tabA)).toBeVisible();
	await expect(conflictHeading(tabA)).toBeFocused();
	await expect(tabA.getByRole('status')).toContainText(
		'Not saved: This was changed in another tab or device.'
	);
	// Both texts are there to copy from; A's own stays in the field until A chooses.
	await expect(tabA.getByLabel('Your version of the reflection')).toHaveValue(
		'From tab A: I kept eye contact.'
	);
	await expect(tabA.getByLabel('The other version of the reflection')).toHaveValue(
		'From tab B: I used my slides well.'
	);
	await expect(tabA.getByLabel('Your reflection on C1.1')).toHaveValue(
		'From tab A: I kept eye contact.'
	);
	await expectAccessible(tabA);
	// Nothing was lost on the server either: B's version is still what is stored.
	await tabB.reload();
	await expect(tabB.getByLabel('Your reflection on C1.1')).toHaveValue(
		'From tab B: I used my slides well.'
	);

	await tabA.getByRole('button', { name: /^Keep mine for C1\.1/ }).click();
	await expect(tabA.getByText('All changes saved.')).toBeVisible();
	await expect(conflictHeading(tabA)).toHaveCount(0);
	// B's slider, which A did not touch, is now shown in A too.
	await expect(slider(tabA, 'C1.1')).toHaveAttribute('aria-valuetext', /\(band 5 of 5\)/);
	await tabA.reload();
	await expect(tabA.getByLabel('Your reflection on C1.1')).toHaveValue(
		'From tab A: I kept eye contact.'
	);
	await expect(slider(tabA, 'C1.1')).toHaveAttribute('aria-valuetext', /\(band 5 of 5\)/);

	// A slider: B (now stale) moves R3.2; "Use the other" in B takes A's placement.
	await slider(tabA, 'R3.2').focus();
	await tabA.keyboard.press('Home');
	await expect(tabA.getByText('All changes saved.')).toBeVisible();
	await slider(tabB, 'R3.2').focus();
	await tabB.keyboard.press('End');
	await expect(conflictHeading(tabB)).toBeFocused();
	await expect(tabB.getByText(/The slider: yours .*, the other/)).toBeVisible();
	await tabB.getByRole('button', { name: /^Use the other for R3\.2/ }).click();
	await expect(slider(tabB, 'R3.2')).toHaveAttribute('aria-valuetext', /\(band 1 of 5\)/);
	await tabB.reload();
	await expect(slider(tabB, 'R3.2')).toHaveAttribute('aria-valuetext', /\(band 1 of 5\)/);
	await tabA.context().close();
});

test('a teacher’s comment from a stale tab is not saved over the newer one until chosen', async ({
	browser,
	baseURL
}) => {
	test.setTimeout(120_000);
	const context = await browser.newContext({ baseURL, storageState: storageFor('teacher') });
	const [tabA, tabB] = [await context.newPage(), await context.newPage()];
	const url = `/teacher/tasks/${TWO_TABS}/marking/${demoUserId(LEARNER)}`;
	await open(tabA, url);
	await open(tabB, url);

	await tabB.getByLabel('Your comment on C1.1').fill('From the laptop: clear structure.');
	await expect(tabB.getByText('All changes saved.')).toBeVisible();
	await tabA.getByLabel('Your comment on C1.1').fill('From the tablet: look up more.');
	await expect(conflictHeading(tabA)).toBeFocused();
	await expect(tabA.getByLabel('Your version of the comment')).toHaveValue(
		'From the tablet: look up more.'
	);
	await expect(tabA.getByLabel('The other version of the comment')).toHaveValue(
		'From the laptop: clear structure.'
	);
	await tabA.getByRole('button', { name: /^Keep mine for C1\.1/ }).click();
	await expect(tabA.getByText('All changes saved.')).toBeVisible();
	await tabA.reload();
	await expect(tabA.getByLabel('Your comment on C1.1')).toHaveValue(
		'From the tablet: look up more.'
	);

	// The overall comment has a revision too; "Use the other" takes the newer text into the field.
	await tabB.reload();
	await tabB.waitForLoadState('networkidle');
	await tabA.getByLabel(/^Your overall comment for/).fill('Overall, from the tablet.');
	await expect(tabA.getByText('All changes saved.')).toBeVisible();
	await tabB.getByLabel(/^Your overall comment for/).fill('Overall, from a stale laptop tab.');
	await tabB.getByRole('button', { name: /^Use the other for Your overall comment/ }).click();
	await expect(tabB.getByLabel(/^Your overall comment for/)).toHaveValue(
		'Overall, from the tablet.'
	);
	await tabB.reload();
	await expect(tabB.getByLabel(/^Your overall comment for/)).toHaveValue(
		'Overall, from the tablet.'
	);
	await context.close();
});

test('nothing typed is lost to a dropped connection, a closed tab or an ended session', async ({
	browser,
	baseURL
}) => {
	test.setTimeout(120_000);
	const page = await freshPage(browser, baseURL);
	const context = page.context();
	await signIn(page, 'student10'); // class 1; elsewhere only an outsider refused
	await open(page, `/student/tasks/${TWO_TABS}`);
	const reflection = (p: Page) => p.getByLabel('Your reflection on C1.1');

	// Offline: the change waits on the device; the tab is closed before it could be sent.
	await context.setOffline(true);
	await reflection(page).fill('Typed on the bus with no signal.');
	await expect(page.getByRole('status').first()).toContainText('Not saved yet');
	await page.close();
	await context.setOffline(false);

	// Opening the task again on this device restores it and saves it.
	const again = await context.newPage();
	await open(again, `/student/tasks/${TWO_TABS}`);
	await expect(reflection(again)).toHaveValue('Typed on the bus with no signal.');
	// Saved on the server, whichever way it got there (restored from this device and sent, or sent
	// by the closing tab): the server's own page, fetched without this device's copy, has it.
	await expect
		.poll(async () => (await context.request.get(`/student/tasks/${TWO_TABS}`)).text())
		.toContain('Typed on the bus with no signal.');
	await expect(again.getByRole('status').first()).toHaveText(
		/All changes saved\.|Changes save automatically\./
	);

	// The session ends mid-work: a sign-in dialog opens in place, and the change is then saved.
	await again.waitForLoadState('networkidle');
	await context.clearCookies();
	await reflection(again).fill('Typed after my session ended.');
	const dialog = again.getByRole('dialog', { name: 'Sign in to save your changes' });
	await expect(dialog).toBeVisible();
	await expect(dialog.getByLabel('Username')).toHaveValue('student10');
	await expectAccessible(again);
	await dialog.getByLabel('Password').fill('fusion-demo');
	await dialog.getByRole('button', { name: 'Sign in and save' }).click();
	await expect(dialog).toBeHidden();
	await expect(again.getByText('All changes saved.')).toBeVisible();
	await again.reload();
	await expect(reflection(again)).toHaveValue('Typed after my session ended.');
	await context.close();
});
