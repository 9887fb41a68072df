import { expect, test, type Page } from '@playwright/test';
import { createHmac } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import Database from 'better-sqlite3';
import { createTransport } from 'nodemailer';
import { E2E_DATABASE, expectAccessible, freshPage, signIn } from './fixtures';
import { composeNotificationEmail } from '../../src/lib/server/notifications/email';
import { decodeHeader, startInbox } from '../unit/smtp-inbox';

/**
 * The notification centre for the `notif` fixture learners (tests/e2e/seed-extras.ts, a school of
 * their own): the bell's count, the page at phone width, reading and marking, that nobody opens
 * another's, unsubscribing signed out, and an e-mail as a mail server received it.
 */
const OUT = 'test-results/screenshots';
const LEARNER = 'notifstudent1';
const OTHER = 'notifstudent2';

function database() {
	return new Database(E2E_DATABASE, { readonly: true, fileMustExist: true });
}
function userIdOf(username: string): number {
	const db = database();
	try {
		return (db.prepare('select id from users where username = ?').get(username) as { id: number })
			.id;
	} finally {
		db.close();
	}
}
function emailPreferenceOf(username: string): string | null {
	const db = database();
	try {
		return (
			db.prepare('select email_notifications as p from users where username = ?').get(username) as {
				p: string | null;
			}
		).p;
	} finally {
		db.close();
	}
}
/** The link an e-mail would carry, signed with the server's key as the app signs it. */
function unsubscribePath(userId: number): string {
	const db = database();
	try {
		const { secret } = db
			.prepare("select secret from server_secrets where name = 'email-unsubscribe'")
			.get() as { secret: string };
		const signature = createHmac('sha256', Buffer.from(secret, 'base64url'))
			.update(`email-unsubscribe:${userId}`)
			.digest('base64url');
		return `/unsubscribe/${userId}.${signature}`;
	} finally {
		db.close();
	}
}

const bell = (page: Page) => page.getByRole('link', { name: /^Notifications, \d+ unread$/ });

test.describe.configure({ mode: 'serial' });

test('the bell counts unread notifications; the centre reads, marks and marks all at 360 px', async ({
	browser,
	baseURL
}) => {
	const context = await browser.newContext({
		baseURL,
		storageState: { cookies: [], origins: [] },
		viewport: { width: 360, height: 740 },
		isMobile: true,
		hasTouch: true
	});
	const page = await context.newPage();
	await signIn(page, LEARNER);
	await expect(bell(page)).toHaveAccessibleName('Notifications, 4 unread');
	await expect(bell(page).locator('.bell-count')).toHaveText('4');
	await bell(page).click();
	await expect(page).toHaveURL(/\/notifications$/);
	await expect(page.getByRole('heading', { level: 1, name: 'Notifications' })).toBeVisible();
	const items = page.getByRole('listitem').filter({ has: page.getByRole('button') });
	await expect(items).toHaveCount(5);
	// Newest first; unread ones say "New" in words.
	await expect(items.first()).toContainText('You were awarded the badge “Team player”.');
	await expect(items.last()).toContainText(
		'Your teacher released your grades for “Persuasive letter”.'
	);
	await expect(page.getByText('New', { exact: true })).toHaveCount(4);
	// Fits the phone: nothing wider than the screen.
	expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
	await page.waitForLoadState('networkidle');
	mkdirSync(OUT, { recursive: true });
	await page.screenshot({ path: `${OUT}/notification-centre-phone.png`, fullPage: true });
	await expectAccessible(page);

	await page
		.getByRole('button', {
			name: /^Mark as read ?: You have 2 peer reviews/
		})
		.click();
	await expect(bell(page)).toHaveAccessibleName('Notifications, 3 unread');
	await page
		.getByRole('button', {
			name: /^Mark as unread ?: You have 2 peer reviews/
		})
		.click();
	await expect(bell(page)).toHaveAccessibleName('Notifications, 4 unread');

	// Opening an item reads it and goes to its page.
	await page.getByRole('button', { name: /^New You were awarded the badge “Team player”/ }).click();
	await expect(page).toHaveURL(/\/student\/badges$/);
	await expect(bell(page)).toHaveAccessibleName('Notifications, 3 unread');

	await page.goto('/notifications');
	await page.getByRole('button', { name: 'Mark all as read' }).click();
	await expect(bell(page)).toHaveAccessibleName('Notifications, 0 unread');
	await expect(page.getByText('New', { exact: true })).toHaveCount(0);
	await expect(page.getByRole('button', { name: 'Mark all as read' })).toHaveCount(0);
	await context.close();
});

test('nobody can open or mark another person’s notification', async ({ browser, baseURL }) => {
	const db = database();
	const theirs = (
		db
			.prepare('select id from notifications where user_id = ? order by id limit 1')
			.get(userIdOf(LEARNER)) as { id: number }
	).id;
	db.close();
	const page = await freshPage(browser, baseURL);
	await signIn(page, OTHER);
	for (const action of ['open', 'read', 'unread']) {
		const response = await page.request.post(`/notifications?/${action}`, {
			form: { id: String(theirs) },
			headers: { origin: baseURL!, accept: 'text/html' },
			maxRedirects: 0
		});
		expect(response.status(), action).toBe(404);
	}
	await page.goto('/notifications');
	await expect(
		page.getByRole('button', { name: /^New Your teacher released your grades for “Not yours”/ })
	).toBeVisible();
	await expect(page.getByText('Team player')).toHaveCount(0);
	await page.context().close();
});

test('unsubscribing works signed out, only by the button (or a one-click POST); a changed link is refused', async ({
	browser,
	baseURL
}) => {
	const page = await freshPage(browser, baseURL);
	const path = unsubscribePath(userIdOf(LEARNER));
	await page.goto(path);
	await expect(
		page.getByRole('heading', { name: 'Stop e-mails from Fusion Skills' })
	).toBeVisible();
	// Opening the link (as a mail scanner does) changes nothing.
	expect(emailPreferenceOf(LEARNER)).toBeNull();
	await expectAccessible(page);
	await page.getByRole('button', { name: 'Stop my e-mails' }).click();
	await expect(page.getByRole('status')).toHaveText(
		'Done: you will get no more e-mails from Fusion Skills.'
	);
	expect(emailPreferenceOf(LEARNER)).toBe('none');

	const changed = path.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
	const refused = await page.goto(changed);
	expect(refused?.status()).toBe(404);
	await expect(page.getByText('This unsubscribe link is not valid')).toBeVisible();

	// RFC 8058: the mail provider's server posts List-Unsubscribe=One-Click to the same address,
	// from no site, so with no Origin (the one form POST the app takes without one).
	const oneClick = await page.request.post(unsubscribePath(userIdOf(OTHER)), {
		form: { 'List-Unsubscribe': 'One-Click' },
		maxRedirects: 0
	});
	expect(oneClick.status()).toBeLessThan(400);
	expect(emailPreferenceOf(OTHER)).toBe('none');
	await page.context().close();
});

test('an e-mail as received: the message a real SMTP server got, rendered', async ({ page }) => {
	const inbox = await startInbox();
	try {
		const origin = 'https://fusion.school.example';
		const message = composeNotificationEmail(
			{
				kind: 'ready_to_mark',
				params: { taskId: 12, taskTitle: 'Volcano report', className: '9A Science', count: 3 },
				link: '/teacher/tasks/12/marking',
				createdAt: new Date().toISOString()
			},
			{ origin },
			`${origin}/unsubscribe/12.example`,
			'Notif School'
		);
		await createTransport({ host: '127.0.0.1', port: inbox.port, secure: false }).sendMail({
			from: 'Fusion Skills <no-reply@school.example>',
			to: 'teacher@school.example',
			subject: message.subject,
			text: message.text,
			html: message.html,
			headers: { 'Content-Language': 'en-GB' }
		});
		const [received] = inbox.messages;
		expect(received!.to).toEqual(['teacher@school.example']);
		const subject = decodeHeader(received!.headers.get('subject')!);
		expect(subject).toBe('Ready to mark: Volcano report');
		await page.setViewportSize({ width: 600, height: 520 });
		await page.setContent(received!.html);
		// A mail client's header lines above the body, from what was received.
		await page.evaluate(
			({ from, to, subject }) => {
				const head = document.createElement('div');
				head.style.cssText =
					'font: 14px system-ui, sans-serif; border-bottom: 1px solid #ccc; padding: 8px 16px; background: #f3f4f6;';
				for (const [label, value] of [
					['From', from],
					['To', to],
					['Subject', subject]
				]) {
					const line = document.createElement('div');
					line.textContent = `${label}: ${value}`;
					head.append(line);
				}
				document.body.prepend(head);
			},
			{ from: received!.headers.get('from')!, to: received!.to.join(', '), subject }
		);
		await expect(page.getByRole('link', { name: 'Open it in Fusion Skills' })).toHaveAttribute(
			'href',
			`${origin}/teacher/tasks/12/marking`
		);
		expect(await page.evaluate(() => document.documentElement.lang)).toBe('en-GB');
		mkdirSync(OUT, { recursive: true });
		await page.screenshot({ path: `${OUT}/notification-email-received.png`, fullPage: true });
	} finally {
		await inbox.close();
	}
});
