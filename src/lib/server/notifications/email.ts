import { createTransport, type Transporter } from 'nodemailer';
import type { DB } from '../db/connection';
import { enqueueJob, registerJobHandler } from '../jobs/queue';
import {
	describeNotification,
	NOTIFICATION_KINDS,
	type NotificationKind,
	type NotificationParams
} from '../../domain/notifications';
import { formatShortDateTime } from '../../domain/dates';
import { EMAIL_NOTIFICATION_JOB } from './email-queue';
import { emailRecipients, mailSettings, type MailSettings } from './email-settings';
import { unsubscribeToken } from './unsubscribe';

/**
 * E-mail from the notification centre, sent by jobs (so a slow mail server never holds up a
 * request, and a failed send is tried again): each notification at once for those who chose
 * that, one digest a day for the others. A message says what happened, links to it on the site
 * (absolute, from ORIGIN), names no other learner, and ends with why it came and a one-click
 * unsubscribe link (RFC 8058 headers too).
 */

const transports = new Map<string, Transporter>();

function transportFor(settings: MailSettings): Transporter {
	const key = JSON.stringify(settings);
	let transport = transports.get(key);
	if (!transport) {
		transport = createTransport({
			host: settings.host,
			port: settings.port,
			secure: settings.secure,
			auth: settings.user ? { user: settings.user, pass: settings.password ?? '' } : undefined
		});
		transports.set(key, transport);
	}
	return transport;
}

export interface OutgoingNotification {
	kind: NotificationKind;
	params: NotificationParams;
	link: string;
	createdAt: string;
}

export interface ComposedEmail {
	subject: string;
	text: string;
	html: string;
	unsubscribeUrl: string;
}

const escapeHtml = (text: string) =>
	text.replace(
		/[&<>"']/g,
		(c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!
	);

function htmlPage(title: string, body: string): string {
	return `<!doctype html>
<html lang="en-GB">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escapeHtml(title)}</title></head>
<body style="font-family: system-ui, sans-serif; font-size: 16px; line-height: 1.5; color: #1a1a1a; max-width: 36rem; margin: 0 auto; padding: 16px;">
${body}
</body>
</html>`;
}

function footer(why: string, origin: string, unsubscribeUrl: string) {
	const account = `${origin}/account`;
	return {
		text: `\n--\n${why}\nChoose what you get by e-mail: ${account}\nStop these e-mails: ${unsubscribeUrl}\n`,
		html: `<hr style="border: 0; border-top: 1px solid #ccc; margin: 24px 0 12px;">
<p style="font-size: 14px; color: #444;">${escapeHtml(why)}<br>
<a href="${escapeHtml(account)}" style="color: #0b5cad;">Choose what you get by e-mail</a> ·
<a href="${escapeHtml(unsubscribeUrl)}" style="color: #0b5cad;">Stop these e-mails</a></p>`
	};
}

/** One notification as a message. */
export function composeNotificationEmail(
	notification: OutgoingNotification,
	settings: { origin: string },
	unsubscribeUrl: string,
	schoolName: string
): ComposedEmail {
	const { subject, sentence } = describeNotification(notification.kind, notification.params);
	const url = settings.origin + notification.link;
	const why = `You get this e-mail because you asked Fusion Skills (${schoolName}) to e-mail you each notification.`;
	const end = footer(why, settings.origin, unsubscribeUrl);
	return {
		subject,
		unsubscribeUrl,
		text: `${sentence}\n\nOpen it: ${url}\n${end.text}`,
		html: htmlPage(
			subject,
			`<p>${escapeHtml(sentence)}</p>
<p><a href="${escapeHtml(url)}" style="display: inline-block; background: #0b5cad; color: #fff; padding: 10px 16px; border-radius: 6px; text-decoration: none;">Open it in Fusion Skills</a></p>
${end.html}`
		)
	};
}

/** A day's notifications in one message, newest first. */
export function composeDigestEmail(
	notifications: OutgoingNotification[],
	settings: { origin: string },
	unsubscribeUrl: string,
	schoolName: string,
	/** Beyond the most a digest lists: counted in the subject and named at the end, never dropped. */
	more = 0
): ComposedEmail {
	const n = notifications.length + more;
	const moreLine =
		more > 0 ? `…and ${more} more in your notification centre` : 'All your notifications';
	const subject = `Fusion Skills: ${n} new ${n === 1 ? 'notification' : 'notifications'}`;
	const items = notifications.map((item) => ({
		sentence: describeNotification(item.kind, item.params).sentence,
		when: formatShortDateTime(item.createdAt),
		url: settings.origin + item.link
	}));
	const why = `You get this e-mail because you asked Fusion Skills (${schoolName}) for a daily digest of your notifications.`;
	const end = footer(why, settings.origin, unsubscribeUrl);
	return {
		subject,
		unsubscribeUrl,
		text:
			`What happened since your last digest:\n\n` +
			items.map((i) => `- ${i.sentence} (${i.when})\n  ${i.url}`).join('\n') +
			`\n\n${moreLine}: ${settings.origin}/notifications\n${end.text}`,
		html: htmlPage(
			subject,
			`<p>What happened since your last digest:</p>
<ul>${items
				.map(
					(i) =>
						`<li style="margin-bottom: 8px;"><a href="${escapeHtml(i.url)}" style="color: #0b5cad;">${escapeHtml(i.sentence)}</a> <span style="color: #444;">(${escapeHtml(i.when)})</span></li>`
				)
				.join('')}</ul>
<p><a href="${escapeHtml(settings.origin)}/notifications" style="color: #0b5cad;">${escapeHtml(moreLine)}</a></p>
${end.html}`
		)
	};
}

async function send(settings: MailSettings, to: string, message: ComposedEmail) {
	await transportFor(settings).sendMail({
		from: settings.from,
		to,
		subject: message.subject,
		text: message.text,
		html: message.html,
		headers: {
			'Content-Language': 'en-GB',
			'List-Unsubscribe': `<${message.unsubscribeUrl}>`,
			'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
			'Auto-Submitted': 'auto-generated'
		}
	});
}

async function unsubscribeUrlFor(db: DB, settings: MailSettings, userId: number) {
	return `${settings.origin}/unsubscribe/${await unsubscribeToken(db, userId)}`;
}

async function schoolNameOf(db: DB, userId: number): Promise<string> {
	const row = await db
		.selectFrom('memberships')
		.innerJoin('schools', 'schools.id', 'memberships.school_id')
		.select('schools.name')
		.where('memberships.user_id', '=', userId)
		.orderBy('memberships.id')
		.executeTakeFirst();
	return row?.name ?? 'your school';
}

function outgoing(row: {
	kind: string;
	params_json: string;
	link: string;
	created_at: string;
}): OutgoingNotification | null {
	const kind = NOTIFICATION_KINDS.find((k) => k === row.kind);
	if (!kind) return null;
	return {
		kind,
		params: JSON.parse(row.params_json) as NotificationParams,
		link: row.link,
		createdAt: row.created_at
	};
}

/**
 * Sends one notification. It is marked e-mailed first, in one conditional UPDATE, and the mark is
 * taken back when the mail server refuses (the job then tries again): so a job run twice, or by
 * two runners, sends at most once. A process that dies between the mark and the send loses that
 * one message; the notification is still in the centre. Skipped when it was read meanwhile, or the
 * person no longer wants each one.
 */
export async function sendNotificationEmail(db: DB, notificationId: number, now: Date) {
	const settings = mailSettings();
	if (!settings) return;
	const waiting = await db
		.selectFrom('notifications')
		.select('user_id')
		.where('id', '=', notificationId)
		.executeTakeFirst();
	if (!waiting) return;
	// Checked before the mark: someone who changed to the digest meanwhile gets it there instead.
	const [recipient] = await emailRecipients(db, [waiting.user_id]);
	if (!recipient || recipient.preference !== 'each' || !recipient.address) return;
	const claimed = await db
		.updateTable('notifications')
		.set({ emailed_at: now.toISOString() })
		.where('id', '=', notificationId)
		.where('emailed_at', 'is', null)
		.where('read_at', 'is', null)
		.returning(['id', 'user_id', 'kind', 'params_json', 'link', 'created_at'])
		.executeTakeFirst();
	const item = claimed && outgoing(claimed);
	if (!claimed || !item) return;
	const message = composeNotificationEmail(
		item,
		settings,
		await unsubscribeUrlFor(db, settings, claimed.user_id),
		await schoolNameOf(db, claimed.user_id)
	);
	try {
		await send(settings, recipient.address, message);
	} catch (problem) {
		await db
			.updateTable('notifications')
			.set({ emailed_at: null })
			.where('id', '=', notificationId)
			.execute();
		throw problem;
	}
}

/** The digest goes out once a day at this hour (UTC): after the school day in the UK. */
export const DIGEST_HOUR_UTC = 16;
/** A digest names at most this many notifications, from at most this many days back. */
const DIGEST_MOST = 30;
const DIGEST_DAYS_BACK = 7;
export const EMAIL_DIGEST_JOB = 'email.digest';

/** The first digest hour strictly after `now`. */
export function nextDigestRun(now: Date): Date {
	const next = new Date(now);
	next.setUTCHours(DIGEST_HOUR_UTC, 0, 0, 0);
	if (next <= now) next.setUTCDate(next.getUTCDate() + 1);
	return next;
}

/**
 * Each person who chose the daily digest and has unread notifications not yet e-mailed gets one
 * message with them. Marked before sending, per person, and unmarked when the send fails, as for
 * single messages; one person's refusal does not stop the others' digests (the job fails at the
 * end and, tried again, sends only what is still unmarked).
 */
export async function sendDigests(db: DB, now: Date): Promise<number> {
	const settings = mailSettings();
	if (!settings) return 0;
	const since = new Date(now.getTime() - DIGEST_DAYS_BACK * 86_400_000).toISOString();
	const waiting = await db
		.selectFrom('notifications')
		.select('user_id')
		.distinct()
		.where('emailed_at', 'is', null)
		.where('read_at', 'is', null)
		.where('created_at', '>=', since)
		.execute();
	const recipients = (
		await emailRecipients(
			db,
			waiting.map((w) => w.user_id)
		)
	).filter((r) => r.preference === 'daily' && r.address);
	let sent = 0;
	let failure: unknown = null;
	for (const recipient of recipients) {
		const claimed = await db
			.updateTable('notifications')
			.set({ emailed_at: now.toISOString() })
			.where('user_id', '=', recipient.userId)
			.where('emailed_at', 'is', null)
			.where('read_at', 'is', null)
			.where('created_at', '>=', since)
			.returning(['id', 'kind', 'params_json', 'link', 'created_at'])
			.execute();
		const all = claimed
			.map(outgoing)
			.filter((i) => i !== null)
			.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
		const items = all.slice(0, DIGEST_MOST);
		if (items.length === 0) continue;
		const message = composeDigestEmail(
			items,
			settings,
			await unsubscribeUrlFor(db, settings, recipient.userId),
			await schoolNameOf(db, recipient.userId),
			all.length - items.length
		);
		try {
			await send(settings, recipient.address!, message);
			sent++;
		} catch (problem) {
			failure = problem;
			await db
				.updateTable('notifications')
				.set({ emailed_at: null })
				.where(
					'id',
					'in',
					claimed.map((c) => c.id)
				)
				.execute();
		}
	}
	if (failure) throw failure;
	return sent;
}

/** Read notifications are kept this long, then deleted by a daily job. */
export const READ_NOTIFICATIONS_KEPT_DAYS = 90;
export const NOTIFICATIONS_CLEANUP_JOB = 'notifications.cleanup';

export async function deleteOldReadNotifications(db: DB, now: Date): Promise<number> {
	const before = new Date(now.getTime() - READ_NOTIFICATIONS_KEPT_DAYS * 86_400_000).toISOString();
	const result = await db
		.deleteFrom('notifications')
		.where('read_at', 'is not', null)
		.where('read_at', '<', before)
		.executeTakeFirst();
	return Number(result.numDeletedRows);
}

const dayKey = (kind: string, at: Date) => `${kind}:${at.toISOString().slice(0, 10)}`;

/**
 * The daily jobs exist once a day (keyed by their date): each run enqueues the next, and the
 * server enqueues the next at start, so a database that never had them gets them, and a restart
 * adds nothing.
 */
export async function scheduleNotificationJobs(db: DB, now = new Date()): Promise<void> {
	const digestAt = nextDigestRun(now);
	await enqueueJob(
		db,
		{ kind: EMAIL_DIGEST_JOB, key: dayKey(EMAIL_DIGEST_JOB, digestAt), runAt: digestAt },
		now
	);
	const cleanupAt = new Date(now);
	cleanupAt.setUTCHours(3, 0, 0, 0);
	if (cleanupAt <= now) cleanupAt.setUTCDate(cleanupAt.getUTCDate() + 1);
	await enqueueJob(
		db,
		{
			kind: NOTIFICATIONS_CLEANUP_JOB,
			key: dayKey(NOTIFICATIONS_CLEANUP_JOB, cleanupAt),
			runAt: cleanupAt
		},
		now
	);
}

registerJobHandler(EMAIL_NOTIFICATION_JOB, async (db, job, now) => {
	const { notificationId } = job.payload as { notificationId: number };
	await sendNotificationEmail(db, notificationId, now);
});

registerJobHandler(EMAIL_DIGEST_JOB, async (db, _job, now) => {
	// The next day's run first, so a failing digest does not end the series.
	await scheduleNotificationJobs(db, now);
	await sendDigests(db, now);
});

registerJobHandler(NOTIFICATIONS_CLEANUP_JOB, async (db, _job, now) => {
	await scheduleNotificationJobs(db, now);
	await deleteOldReadNotifications(db, now);
});
