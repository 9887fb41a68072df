import { jsonTextWithCountAdded } from '../db/dialect';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../db/schema';
import {
	isSameSitePath,
	type NotificationKind,
	type NotificationParams
} from '../../domain/notifications';
import { enqueueEmailsFor } from './email-queue';

type Executor = Kysely<Database> | Transaction<Database>;

export interface NotificationRequest {
	/** Who is told: one row each, set-based. */
	userIds: number[];
	kind: NotificationKind;
	params: NotificationParams;
	/** The same-site path the notification opens. */
	link: string;
	/** Tells each person once however often the event is raised (e.g. `due_tomorrow:task:12`). */
	dedupeKey?: string;
	/**
	 * With a dedupe key, what a repeat does: nothing (the default), or add its `count` to the
	 * notification's and mark it unread and new again ("3 learners submitted today": one
	 * notification a task a day, not one a learner).
	 */
	onRepeat?: 'ignore' | 'count';
}

/**
 * The one way anything tells a person something: written in the caller's transaction, so a
 * notification exists exactly when the change it reports does. For each recipient who wants each
 * notification by e-mail (and may be e-mailed), an `email.notification` job is enqueued in the
 * same transaction (`email-queue.ts`).
 */
export async function notify(
	db: Executor,
	request: NotificationRequest,
	now = new Date()
): Promise<void> {
	if (!isSameSitePath(request.link))
		throw new Error(`A notification opens a page of this site, not "${request.link}"`);
	const userIds = [...new Set(request.userIds)];
	if (userIds.length === 0) return;
	const paramsJson = JSON.stringify(request.params);
	const createdAt = now.toISOString();
	const counting = request.onRepeat === 'count' && request.dedupeKey !== undefined;
	const added = request.params.count ?? 1;
	const written: { id: number; user_id: number }[] = [];
	for (let i = 0; i < userIds.length; i += 500) {
		const rows = await db
			.insertInto('notifications')
			.values(
				userIds.slice(i, i + 500).map((userId) => ({
					user_id: userId,
					kind: request.kind,
					params_json: paramsJson,
					link: request.link,
					dedupe_key: request.dedupeKey ?? null,
					created_at: createdAt
				}))
			)
			.onConflict((oc) =>
				counting
					? oc.columns(['user_id', 'dedupe_key']).doUpdateSet({
							params_json: jsonTextWithCountAdded(
								db,
								sql.ref<string>('notifications.params_json'),
								'count',
								added
							),
							read_at: null,
							created_at: createdAt
						})
					: oc.columns(['user_id', 'dedupe_key']).doNothing()
			)
			.returning(['id', 'user_id'])
			.execute();
		written.push(...rows);
	}
	await enqueueEmailsFor(db, written, now);
}
