import type { LayoutServerLoad } from './$types';
import { displayName } from '$lib/domain/names';
import { getDb } from '$lib/server/db/connection';
import { unreadCount } from '$lib/server/notifications/centre';
import { schoolCityOf } from '$lib/server/city/criteria';

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
					// A city admin's city, and the city the person's school belongs to (its shared bank).
					city: user.city,
					schoolCity:
						user.roles.includes('admin') || user.roles.includes('teacher')
							? await schoolCityOf(getDb(), user.schoolId)
							: null,
					// The bell's count: one COUNT on the partial index of unread notifications.
					unreadNotifications: await unreadCount(getDb(), user.id)
				}
			: null
	};
};
