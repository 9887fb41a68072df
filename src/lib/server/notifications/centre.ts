import { sql } from 'kysely';
import type { DB } from '../db/connection';
import { Refusal } from '../errors';
import {
	describeNotification,
	isSameSitePath,
	NOTIFICATION_KINDS,
	type NotificationParams
} from '../../domain/notifications';

/**
 * The notification centre: a person's own notifications only. Every query is by the signed-in
 * person's id, so someone else's notification is "not found", never read or changed.
 */

/** The bell's count: one COUNT on the partial index of unread rows. */
export async function unreadCount(db: DB, userId: number): Promise<number> {
	const row = await db
		.selectFrom('notifications')
		.select(sql<number>`count(*)`.as('count'))
		.where('user_id', '=', userId)
		.where('read_at', 'is', null)
		.executeTakeFirst();
	return Number(row?.count ?? 0);
}

export const NOTIFICATIONS_PAGE_SIZE = 25;

/** Newest first, a page at a time; `before` is the id the "older" link carries. */
export async function listNotifications(db: DB, userId: number, before?: number) {
	const rows = await db
		.selectFrom('notifications')
		.select(['id', 'kind', 'params_json', 'link', 'created_at', 'read_at'])
		.where('user_id', '=', userId)
		.$if(before !== undefined, (qb) => qb.where('id', '<', before!))
		.orderBy('id', 'desc')
		.limit(NOTIFICATIONS_PAGE_SIZE + 1)
		.execute();
	const items = rows.slice(0, NOTIFICATIONS_PAGE_SIZE).flatMap((row) => {
		const kind = NOTIFICATION_KINDS.find((k) => k === row.kind);
		if (!kind) return [];
		const { sentence } = describeNotification(
			kind,
			JSON.parse(row.params_json) as NotificationParams
		);
		return [{ id: row.id, kind, sentence, createdAt: row.created_at, read: row.read_at !== null }];
	});
	return {
		items,
		olderThan: rows.length > NOTIFICATIONS_PAGE_SIZE ? (items.at(-1)?.id ?? null) : null
	};
}

async function setRead(db: DB, userId: number, notificationId: number, read: boolean) {
	const row = await db
		.updateTable('notifications')
		.set({ read_at: read ? sql<string>`coalesce(read_at, ${new Date().toISOString()})` : null })
		.where('id', '=', notificationId)
		.where('user_id', '=', userId)
		.returning('link')
		.executeTakeFirst();
	if (!row) throw new Refusal('That notification does not exist.', 404);
	return row;
}

/** Opening a notification reads it; returns where it leads (always a page of this site). */
export async function openNotification(db: DB, userId: number, notificationId: number) {
	const { link } = await setRead(db, userId, notificationId, true);
	return isSameSitePath(link) ? link : '/notifications';
}

export async function markNotification(
	db: DB,
	userId: number,
	notificationId: number,
	read: boolean
): Promise<void> {
	await setRead(db, userId, notificationId, read);
}

export async function markAllRead(db: DB, userId: number): Promise<number> {
	const result = await db
		.updateTable('notifications')
		.set({ read_at: new Date().toISOString() })
		.where('user_id', '=', userId)
		.where('read_at', 'is', null)
		.executeTakeFirst();
	return Number(result.numUpdatedRows);
}
