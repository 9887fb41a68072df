import type { LayoutServerLoad } from './$types';
import { displayName } from '$lib/domain/names';
import { getDb } from '$lib/server/db/connection';
import { unreadCount } from '$lib/server/notifications/centre';

export const load: LayoutServerLoad = async ({ locals }) => {
	const user = locals.user;
	return {
		user: user
			? {
					id: user.id,
					username: user.username,
					displayName: displayName(user),
					schoolName: user.schoolName,
					roles: user.roles,
					// The bell's count: one COUNT on the partial index of unread notifications.
					unreadNotifications: await unreadCount(getDb(), user.id)
				}
			: null
	};
};
