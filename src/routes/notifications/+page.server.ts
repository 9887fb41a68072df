import { redirect } from '@sveltejs/kit';
import { z } from 'zod';
import { getDb } from '$lib/server/db/connection';
import { requireUser } from '$lib/server/auth/guards';
import { actOn } from '$lib/server/http';
import { idSchema } from '$lib/schemas/people';
import {
	listNotifications,
	markAllRead,
	markNotification,
	openNotification
} from '$lib/server/notifications/centre';
import type { Actions, PageServerLoad } from './$types';

const olderSchema = z.object({ before: idSchema.optional() });
const notificationForm = z.object({ id: idSchema });

export const load: PageServerLoad = async (event) => {
	const user = requireUser(event);
	const parsed = olderSchema.safeParse({
		before: event.url.searchParams.get('before') ?? undefined
	});
	const before = parsed.success ? parsed.data.before : undefined;
	return { ...(await listNotifications(getDb(), user.id, before)), paged: before !== undefined };
};

async function notificationId(request: Request) {
	return notificationForm.parse(Object.fromEntries(await request.formData())).id;
}

export const actions: Actions = {
	/** Opening an item reads it, then goes to its page (a path of this site, checked). */
	open: async (event) => {
		const user = requireUser(event);
		const db = getDb();
		const result = await actOn(async () => ({
			link: await openNotification(db, user.id, await notificationId(event.request))
		}));
		if ('link' in result) redirect(303, result.link);
		return result;
	},
	read: async (event) => {
		const user = requireUser(event);
		return actOn(async () => {
			await markNotification(getDb(), user.id, await notificationId(event.request), true);
			return { ok: true, message: 'Marked as read.' };
		});
	},
	unread: async (event) => {
		const user = requireUser(event);
		return actOn(async () => {
			await markNotification(getDb(), user.id, await notificationId(event.request), false);
			return { ok: true, message: 'Marked as unread.' };
		});
	},
	readAll: async (event) => {
		const user = requireUser(event);
		const count = await markAllRead(getDb(), user.id);
		return {
			ok: true,
			message: count === 0 ? 'Nothing was unread.' : `Marked ${count} as read.`
		};
	}
};
