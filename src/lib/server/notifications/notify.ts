import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema';
import type { NotificationKind, NotificationParams } from '$lib/domain/notifications';

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
}

/**
 * The one way anything tells a person something: written in the caller's transaction, so a
 * notification exists exactly when the change it reports does.
 */
export async function notify(
	db: Executor,
	request: NotificationRequest,
	now = new Date()
): Promise<void> {
	const userIds = [...new Set(request.userIds)];
	if (userIds.length === 0) return;
	const paramsJson = JSON.stringify(request.params);
	const createdAt = now.toISOString();
	for (let i = 0; i < userIds.length; i += 500) {
		await db
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
			.onConflict((oc) => oc.columns(['user_id', 'dedupe_key']).doNothing())
			.execute();
	}
}
