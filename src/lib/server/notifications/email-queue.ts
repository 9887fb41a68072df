import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema';
import { enqueueJob } from '../jobs/queue';
import { emailIsOn, emailRecipients } from './email-settings';

type Executor = Kysely<Database> | Transaction<Database>;

export const EMAIL_NOTIFICATION_JOB = 'email.notification';

/**
 * One `email.notification` job per notification just written whose recipient wants each one by
 * e-mail, may be e-mailed and has an address; keyed by the notification, so a notification counted
 * up again (`onRepeat: 'count'`) is not e-mailed a second time.
 */
export async function enqueueEmailsFor(
	db: Executor,
	written: { id: number; user_id: number }[],
	now: Date
): Promise<void> {
	if (written.length === 0 || !emailIsOn()) return;
	const wanting = new Set(
		(await emailRecipients(db, [...new Set(written.map((w) => w.user_id))]))
			.filter((r) => r.preference === 'each' && r.address)
			.map((r) => r.userId)
	);
	for (const notification of written) {
		if (!wanting.has(notification.user_id)) continue;
		await enqueueJob(
			db,
			{
				kind: EMAIL_NOTIFICATION_JOB,
				key: `${EMAIL_NOTIFICATION_JOB}:${notification.id}`,
				payload: { notificationId: notification.id }
			},
			now
		);
	}
}
