import { expect, test, type Browser, type Locator, type Page } from '@playwright/test';
import Database from 'better-sqlite3';
import { E2E_DATABASE, expectAccessible, signIn } from './fixtures';
import { UNDO_BADGE, UNDO_TASK, undoName, type UndoUsername } from './undo-fixtures';

// Issue 13 item 9: submit, release, revoke and bulk issue ask once (a native dialog: Escape
// cancels and changes nothing), a learner takes back a submission, a teacher holds released grades
// back again, and issuing a badge never moves another learner's button. Fixtures: Undo School
// (tests/e2e/undo-fixtures.ts).

const SHOTS = 'docs/screenshots';

function idOf(sql: string, ...params: string[]): number {
	const db = new Database(E2E_DATABASE, { readonly: true, fileMustExist: true });
	try {
		return (db.prepare(sql).get(...params) as { id: number }).id;
	} finally {
		db.close();
	}
}
const undoTaskId = () => idOf('select id from tasks where title = ?', UNDO_TASK);
const userId = (username: UndoUsername) =>
	idOf('select id from users where username = ?', username);

async function signedIn(
	browser: Browser,
	baseURL: string | undefined,
	username: UndoUsername,
	viewport: { width: number; height: number },
	touch = false
): Promise<Page> {
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

/** Focus is inside the open dialog. */
async function expectFocusIn(dialog: Locator) {
	await expect.poll(() => dialog.evaluate((d) => d.contains(document.activeElement))).toBe(true);
}

test('a learner is asked once before submitting, Escape changes nothing, and they can take the submission back until marking starts', async ({
	browser,
	baseURL
}) => {
	const page = await signedIn(browser, baseURL, 'undo1', { width: 360, height: 740 }, true);
	await page.goto(`/student/tasks/${undoTaskId()}`);
	await page.waitForLoadState('networkidle');
	const submit = page.getByRole('button', { name: 'Submit my self-assessment' });
	await submit.scrollIntoViewIfNeeded();
	await submit.tap();
	const dialog = page.getByRole('dialog', { name: 'Submit your self-assessment?' });
	await expect(dialog).toBeVisible();
	await expect(dialog).toContainText(
		'Your teacher will see it and you can take it back until they start marking.'
	);
	await expectFocusIn(dialog);
	await expect(dialog).toBeInViewport({ ratio: 1 });
	await expectAccessible(page);
	await page.screenshot({ path: `${SHOTS}/student-submit-confirm-phone.png` });

	// Escape cancels: the dialog closes, focus is back on the button, nothing was sent.
	await page.keyboard.press('Escape');
	await expect(dialog).toBeHidden();
	await expect(submit).toBeFocused();
	await page.reload();
	await expect(page.getByRole('slider')).toHaveCount(2);
	await expect(page.getByRole('button', { name: 'Take back my submission' })).toHaveCount(0);

	// "Yes" submits.
	await submit.tap();
	await dialog.getByRole('button', { name: 'Yes, submit' }).tap();
	await expect(page.getByRole('status').filter({ hasText: /^Submitted\./ })).toBeFocused();
	await expect(page.getByRole('slider')).toHaveCount(0);

	// Taken back (nobody has marked it yet): editable again, and submitted again.
	await page.getByRole('button', { name: 'Take back my submission' }).tap();
	await expect(page.getByRole('status').filter({ hasText: /^Taken back\./ })).toBeVisible();
	await expect(page.getByRole('slider')).toHaveCount(2);
	await submit.tap();
	await dialog.getByRole('button', { name: 'Yes, submit' }).tap();
	await expect(page.getByRole('status').filter({ hasText: /^Submitted\./ })).toBeVisible();
	await expect(page.getByRole('button', { name: 'Take back my submission' })).toBeVisible();
	await page.context().close();
});

test('without JavaScript the server asks the same question first, and nothing is done until “Yes”', async ({
	browser,
	baseURL
}) => {
	const context = await browser.newContext({
		baseURL,
		javaScriptEnabled: false,
		storageState: { cookies: [], origins: [] }
	});
	const page = await context.newPage();
	await signIn(page, 'undo7');
	await page.goto(`/student/tasks/${undoTaskId()}`);
	await page.getByRole('button', { name: 'Submit my self-assessment' }).click();
	const question = page.getByRole('alert').filter({ hasText: 'Submit your self-assessment?' });
	await expect(question).toContainText('you can take it back until they start marking');
	await expect(page.getByRole('button', { name: 'Submit my self-assessment' })).toHaveCount(0);
	// "No" is a link back: still not submitted.
	await page.getByRole('link', { name: 'No, keep working' }).click();
	await expect(page.getByRole('slider')).toHaveCount(2);
	await page.getByRole('button', { name: 'Submit my self-assessment' }).click();
	await page.getByRole('button', { name: 'Yes, submit' }).click();
	await expect(page.getByRole('status').filter({ hasText: /^Submitted\./ })).toBeVisible();
	await expect(page.getByRole('slider')).toHaveCount(0);
	await page.getByRole('button', { name: 'Take back my submission' }).click();
	await expect(page.getByRole('status').filter({ hasText: /^Taken back\./ })).toBeVisible();
	await expect(page.getByRole('slider')).toHaveCount(2);
	await context.close();
});

test('a teacher holds released grades back again: asked once, recorded, and the learner no longer sees them', async ({
	browser,
	baseURL
}) => {
	const taskId = undoTaskId();
	const learner = await signedIn(browser, baseURL, 'undo2', { width: 360, height: 740 }, true);
	await learner.goto(`/student/tasks/${taskId}`);
	await expect(learner.getByText('Your teacher has released their assessment')).toBeVisible();
	await expect(
		learner.getByText('A clear headline that a younger reader understands.')
	).toBeVisible();

	const teacher = await signedIn(browser, baseURL, 'undoteacher', { width: 1366, height: 768 });
	await teacher.goto(`/teacher/tasks/${taskId}/marking/${userId('undo2')}`);
	const hold = teacher.getByRole('button', { name: 'Hold grades back again' });
	await hold.click();
	const dialog = teacher.getByRole('dialog', {
		name: `Hold ${undoName('undo2')}’s grades back again?`
	});
	await expect(dialog).toContainText('Badges already issued from them stay issued');
	await expectFocusIn(dialog);
	await teacher.keyboard.press('Escape');
	await expect(dialog).toBeHidden();
	await expect(hold).toBeFocused();
	await learner.reload();
	await expect(learner.getByText('Your teacher has released their assessment')).toBeVisible();

	await hold.click();
	await dialog.getByRole('button', { name: 'Yes, hold them back' }).click();
	await expect(teacher.getByRole('status').filter({ hasText: /^Held back/ })).toBeFocused();
	await expect(teacher.getByRole('button', { name: 'Release grades to Ben' })).toBeVisible();
	await teacher.getByText(/^History/).click();
	await expect(teacher.getByText('Held the grades back again')).toBeVisible();

	await learner.reload();
	await expect(learner.getByText('Your teacher has released their assessment')).toHaveCount(0);
	await expect(
		learner.getByText('A clear headline that a younger reader understands.')
	).toHaveCount(0);
	await learner.context().close();

	// The release confirmation, for the screenshot (undo6 is marked, not released); cancelled.
	await teacher.goto(`/teacher/tasks/${taskId}/marking/${userId('undo6')}`);
	await teacher.getByRole('button', { name: 'Release grades to Finn' }).click();
	const release = teacher.getByRole('dialog', { name: `Release grades to ${undoName('undo6')}?` });
	await expect(release).toBeVisible();
	await expectAccessible(teacher);
	await teacher.screenshot({ path: `${SHOTS}/teacher-release-confirm.png` });
	await release.getByRole('button', { name: 'No, go back' }).click();
	await expect(release).toBeHidden();
	await teacher.reload();
	await expect(teacher.getByRole('button', { name: 'Release grades to Finn' })).toBeVisible();
	await teacher.context().close();
});

test('issuing badges keeps every row where it was: the next learner’s button does not move', async ({
	browser,
	baseURL
}) => {
	const teacher = await signedIn(browser, baseURL, 'undoteacher', { width: 1366, height: 768 });
	await teacher.goto('/teacher/badges');
	await teacher.waitForLoadState('networkidle');
	const proposals = teacher.getByRole('region', { name: /^Proposed by the rules/ });
	const row = (username: UndoUsername) =>
		proposals
			.getByRole('row')
			.filter({ hasText: undoName(username) })
			.filter({ hasText: UNDO_BADGE });
	const issueButton = (username: UndoUsername) =>
		row(username).getByRole('button', { name: /^Confirm and issue/ });
	await expect(issueButton('undo5')).toBeVisible();
	const before = {
		cara: (await row('undo3').boundingBox())!,
		dan: (await issueButton('undo4').boundingBox())!,
		esme: (await issueButton('undo5').boundingBox())!
	};

	await issueButton('undo3').click();
	const dialog = teacher.getByRole('dialog', {
		name: `Issue “${UNDO_BADGE}” to ${undoName('undo3')}?`
	});
	await expect(dialog).toContainText('a revoked credential stays revoked');
	await dialog.getByRole('button', { name: 'Yes, issue it' }).click();
	await expect(
		teacher.getByRole('status').filter({ hasText: 'Badge issued and signed.' })
	).toBeVisible();
	await expect(row('undo3')).toContainText('Issued ✓');
	await expect(row('undo3').getByRole('button', { name: /^Revoke/ })).toBeVisible();
	expect(await row('undo3').boundingBox()).toEqual(before.cara);
	expect(await issueButton('undo4').boundingBox()).toEqual(before.dan);
	expect(await issueButton('undo5').boundingBox()).toEqual(before.esme);
	await teacher.mouse.move(0, 0);
	await teacher.screenshot({ path: `${SHOTS}/teacher-badges-after-issue.png` });

	// Revoking asks, says it cannot be undone, and Escape leaves the badge issued.
	await row('undo3')
		.getByRole('button', { name: /^Revoke/ })
		.click();
	const revoke = teacher.getByRole('dialog', {
		name: `Revoke “${UNDO_BADGE}” from ${undoName('undo3')}?`
	});
	await expect(revoke).toContainText('This cannot be undone');
	await expectFocusIn(revoke);
	await teacher.keyboard.press('Escape');
	await expect(revoke).toBeHidden();
	await expect(row('undo3')).toContainText('Issued ✓');

	// Everyone still proposed at once: the dialog names how many and whom.
	await teacher.getByRole('button', { name: `Issue “${UNDO_BADGE}” to all 2 proposed` }).click();
	const bulk = teacher.getByRole('dialog', { name: `Issue “${UNDO_BADGE}” to 2 learners?` });
	await expect(bulk).toContainText(`${undoName('undo4')} and ${undoName('undo5')}`);
	await bulk.getByRole('button', { name: 'Yes, issue to all 2' }).click();
	await expect(
		teacher.getByRole('status').filter({ hasText: 'Badge issued and signed for 2 learners.' })
	).toBeVisible();
	for (const username of ['undo3', 'undo4', 'undo5'] as const)
		await expect(row(username)).toContainText('Issued ✓');
	expect(await row('undo3').boundingBox()).toEqual(before.cara);
	await teacher.context().close();
});
