import type { LayoutServerLoad } from './$types';
import { displayName } from '$lib/domain/names';

export const load: LayoutServerLoad = ({ locals }) => {
	const user = locals.user;
	return {
		user: user
			? {
					id: user.id,
					username: user.username,
					displayName: displayName(user),
					schoolName: user.schoolName,
					roles: user.roles
				}
			: null
	};
};
