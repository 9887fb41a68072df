import { expect, test, type Page } from '@playwright/test';
import {
	criterionId,
	demoUserId,
	evidenceId,
	expectAccessible,
	freshPage,
	signIn,
	storageFor,
	taskId
} from './fixtures';

/** "Assessment journey" (C1.1, R3.2) is published in class 1 by seed-extras and used only here. */
const JOURNEY_TASK = taskId('Assessment journey');
const STUDENT1_FILE = evidenceId('Enterprise project', 'student1', 'Sketch of the app');
const PNG = Buffer.from(
	'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=',
	'base64'
);

const slider = (page: Page, code: string) =>
	page.getByRole('slider', { name: new RegExp(`^${code.replace('.', '\\.')} `) });

test('a learner self-assesses by keyboard, a teacher marks beside it and releases, and the learner sees the gap', async ({
	browser,
	baseURL
}) => {
	test.setTimeout(180_000);
	const learner = await freshPage(browser, baseURL);
	await signIn(learner, 'student4');
	await expect(learner).toHaveURL(/\/student$/);
	await learner.goto(`/student/tasks/${JOURNEY_TASK}`);
	await expect(
		learner.getByRole('heading', { level: 1, name: 'Assessment journey' })
	).toBeVisible();
	await expectAccessible(learner);

	// Keyboard only: End jumps to the top band, Page Down moves down one band; Home and Page Up
	// likewise.
	await slider(learner, 'C1.1').focus();
	await learner.keyboard.press('End');
	await learner.keyboard.press('PageDown');
	await expect(slider(learner, 'C1.1')).toHaveAttribute('aria-valuetext', 'Secure (band 4 of 5)');
	await slider(learner, 'R3.2').focus();
	await learner.keyboard.press('Home');
	await learner.keyboard.press('PageUp');
	await learner.keyboard.press('PageUp');
	await learner.keyboard.press('ArrowRight');
	await expect(slider(learner, 'R3.2')).toHaveAttribute(
		'aria-valuetext',
		'Developing (band 3 of 5)'
	);
	await learner.getByLabel('Your reflection on C1.1').fill('I kept eye contact most of the time.');
	await expect(learner.getByText('All changes saved.')).toBeVisible();
	// The band the slider is in is named in words beside the track; no number is shown.
	await expect(learner.getByText(/\d\s*%/)).toHaveCount(0);

	await learner.reload();
	await expect(slider(learner, 'C1.1')).toHaveAttribute('aria-valuetext', 'Secure (band 4 of 5)');
	await expect(slider(learner, 'R3.2')).toHaveAttribute(
		'aria-valuetext',
		'Developing (band 3 of 5)'
	);
	await expect(learner.getByLabel('Your reflection on C1.1')).toHaveValue(
		'I kept eye contact most of the time.'
	);

	// A save the server fails (500) is shown, retried, and lands.
	let failures = 0;
	await learner.route('**/save', async (route) => {
		if (failures < 1) {
			failures++;
			await route.fulfill({
				status: 500,
				contentType: 'application/json',
				body: '{"message":"boom"}'
			});
		} else await route.continue();
	});
	await slider(learner, 'R3.2').focus();
	await learner.keyboard.press('PageUp'); // Developing → Secure
	await expect(learner.getByText(/Not saved yet/)).toBeVisible();
	await expect(learner.getByText('All changes saved.')).toBeVisible({ timeout: 10_000 });
	expect(failures).toBe(1);
	await learner.unroute('**/save');
	await learner.reload();
	await expect(slider(learner, 'R3.2')).toHaveAttribute('aria-valuetext', 'Secure (band 4 of 5)');

	await learner.getByRole('button', { name: 'Submit my self-assessment' }).click();
	await learner.getByRole('dialog').getByRole('button', { name: 'Yes, submit' }).click();
	await expect(
		learner.getByText('Submitted. Your teacher can now see your self-assessment.')
	).toBeVisible();
	await expect(learner.getByRole('slider')).toHaveCount(0);

	// Crafted requests cannot change a submitted self-assessment or any teacher grade.
	const locked = await learner.request.put(`/student/tasks/${JOURNEY_TASK}/save`, {
		data: { kind: 'criterion', criterionId: criterionId('C1.1'), value: 99 }
	});
	expect(locked.status()).toBe(409);
	const learnerId = demoUserId('student4');
	const forged = await learner.request.put(
		`/teacher/tasks/${JOURNEY_TASK}/marking/${learnerId}/save`,
		{
			data: { kind: 'criterion', criterionId: criterionId('C1.1'), value: 99 },
			headers: { accept: 'application/json' }
		}
	);
	expect(forged.status()).toBe(403);
	expect((await learner.request.get(`/evidence/${STUDENT1_FILE}`)).status()).toBe(404);

	// The teacher marks on the same cards, with the learner's own judgement visible.
	const teacher = await (
		await browser.newContext({ baseURL, storageState: storageFor('teacher') })
	).newPage();
	await teacher.goto(`/teacher/tasks/${JOURNEY_TASK}/marking`);
	const row = teacher.getByRole('row').filter({ hasText: 'Self-assessed' }).first();
	await expect(row).toBeVisible();
	await teacher.goto(`/teacher/tasks/${JOURNEY_TASK}/marking/${learnerId}`);
	const c11 = teacher
		.getByRole('article')
		.filter({ has: teacher.getByRole('heading', { name: 'Presenting your work aloud' }) });
	await expect(c11.getByText(/▼.*: Secure/)).toBeVisible();
	await slider(teacher, 'C1.1').focus();
	await teacher.keyboard.press('Home');
	await teacher.keyboard.press('PageUp');
	await teacher.keyboard.press('PageUp');
	await expect(slider(teacher, 'C1.1')).toHaveAttribute(
		'aria-valuetext',
		'Developing (band 3 of 5)'
	);
	await slider(teacher, 'R3.2').focus();
	await teacher.keyboard.press('End');
	await teacher.keyboard.press('PageDown');
	await teacher.getByLabel('Your comment on C1.1').fill('Clear, but look up from your notes more.');
	await expect(teacher.getByText('All changes saved.')).toBeVisible();
	await expectAccessible(teacher);
	await teacher.getByRole('button', { name: /^Release grades to/ }).click();
	await teacher.getByRole('dialog').getByRole('button', { name: 'Yes, release' }).click();
	await expect(teacher.getByText(/^Released: the learner can now compare/)).toBeVisible();

	// The learner now sees both markers, labelled, and the gap in bands.
	await learner.reload();
	const card = learner
		.getByRole('article')
		.filter({ has: learner.getByRole('heading', { name: 'Presenting your work aloud' }) });
	await expect(card.getByText('You placed yourself one band above your teacher.')).toBeVisible();
	await expect(card.getByText(/▼ You: Secure/)).toBeVisible();
	await expect(card.getByText(/▲ Your teacher: Developing/)).toBeVisible();
	await expect(card.getByText('Clear, but look up from your notes more.')).toBeVisible();
	const r32 = learner
		.getByRole('article')
		.filter({ has: learner.getByRole('heading', { name: /Evaluating your own work/ }) });
	await expect(r32.getByText('You and your teacher placed this in the same band.')).toBeVisible();
	await expectAccessible(learner);

	// After release, a change needs a reason and is kept in the history.
	await teacher.reload();
	await expect(slider(teacher, 'C1.1')).toBeDisabled();
	await teacher.getByLabel(/These grades are released/).fill('Looked again at the video evidence');
	await slider(teacher, 'C1.1').focus();
	await teacher.keyboard.press('PageUp');
	await expect(teacher.getByText('All changes saved.')).toBeVisible();
	await teacher.reload();
	await teacher.getByText(/^History/).click();
	await expect(teacher.getByText('Changed a released grade').first()).toBeVisible();
	await expect(teacher.getByText('Why: Looked again at the video evidence').first()).toBeVisible();
	await expect(teacher.getByText('C1.1: Developing → Secure').first()).toBeVisible();
});

test('evidence: a learner adds a note, a link and a file; a disguised file is refused; others cannot open it', async ({
	browser,
	baseURL
}) => {
	const learner = await freshPage(browser, baseURL);
	await signIn(learner, 'student5');
	await expect(learner).toHaveURL(/\/student$/);
	await learner.goto(`/student/tasks/${JOURNEY_TASK}`);

	await learner.getByLabel('Title').fill('What I learned');
	await learner
		.getByLabel('Note', { exact: true })
		.fill('Practising in front of my family helped.');
	await learner.getByRole('button', { name: 'Add evidence' }).click();
	await expect(learner.getByText('Evidence added.')).toBeVisible();

	await learner.getByLabel('A link').check();
	await learner.getByLabel('Title').fill('My video');
	await learner.getByLabel('Web address').fill('javascript:alert(1)');
	await learner.getByRole('button', { name: 'Add evidence' }).click();
	// The browser's own check or ours: either way nothing is added.
	await expect(learner.getByRole('link', { name: 'My video' })).toHaveCount(0);
	await learner.getByLabel('Web address').fill('https://example.org/video');
	await learner.getByRole('button', { name: 'Add evidence' }).click();
	await expect(learner.getByRole('link', { name: 'My video' })).toBeVisible();
	// The form is emptied for the next piece, but keeps the kind the learner chose.
	await expect(learner.getByLabel('A link')).toBeChecked();
	await expect(learner.getByLabel('Web address')).toHaveValue('');

	await learner.getByLabel('A file').check();
	await learner.getByLabel(/^File/).setInputFiles({
		name: 'not-really.png',
		mimeType: 'image/png',
		buffer: Buffer.from('<script>alert(1)</script>')
	});
	await learner.getByRole('button', { name: 'Add evidence' }).click();
	await expect(learner.getByRole('alert')).toContainText('That kind of file cannot be uploaded');

	await learner.getByLabel('A file').check();
	await learner
		.getByLabel(/^File/)
		.setInputFiles({ name: 'poster.png', mimeType: 'image/png', buffer: PNG });
	await learner.getByRole('button', { name: 'Add evidence' }).click();
	const link = learner.getByRole('link', { name: 'poster.png' });
	await expect(link).toBeVisible();
	const href = (await link.getAttribute('href'))!;
	const own = await learner.request.get(href);
	expect(own.status()).toBe(200);
	expect(own.headers()['content-type']).toBe('image/png');
	expect(own.headers()['content-disposition']).toContain('poster.png');
	expect(own.headers()['x-content-type-options']).toBe('nosniff');
	expect(own.headers()['content-security-policy']).toContain('sandbox');

	const other = await (
		await browser.newContext({ baseURL, storageState: storageFor('student') })
	).newPage();
	expect((await other.request.get(href)).status()).toBe(404);
	const otherClass = await (
		await browser.newContext({ baseURL, storageState: storageFor('teacherOther') })
	).newPage();
	expect((await otherClass.request.get(href)).status()).toBe(404);
	const classTeacher = await (
		await browser.newContext({ baseURL, storageState: storageFor('teacher') })
	).newPage();
	expect((await classTeacher.request.get(href)).status()).toBe(200);

	await learner.getByRole('button', { name: 'Remove What I learned' }).click();
	await expect(learner.getByText('What I learned')).toHaveCount(0);
});

test('the learner’s screen works at 360 px wide without sideways scrolling', async ({
	browser,
	baseURL
}) => {
	const context = await browser.newContext({
		baseURL,
		viewport: { width: 360, height: 740 },
		hasTouch: true,
		isMobile: true,
		storageState: { cookies: [], origins: [] }
	});
	const page = await context.newPage();
	await signIn(page, 'student6');
	await expect(page).toHaveURL(/\/student$/);
	await page.goto(`/student/tasks/${JOURNEY_TASK}`);
	await slider(page, 'C1.1').scrollIntoViewIfNeeded();
	const box = (await slider(page, 'C1.1').boundingBox())!;
	await page.touchscreen.tap(box.x + box.width * 0.9, box.y + box.height / 2);
	await expect(slider(page, 'C1.1')).toHaveAttribute('aria-valuetext', 'Excelling (band 5 of 5)');
	const overflow = await page.evaluate(
		() => document.documentElement.scrollWidth - document.documentElement.clientWidth
	);
	expect(overflow).toBeLessThanOrEqual(0);
	await expectAccessible(page);
});

// [ and ] between learners: tests/e2e/marking.spec.ts, on a class of its own.
