import type { LayoutServerLoad } from './$types';

export const load: LayoutServerLoad = ({ locals }) => {
	const user = locals.user;
	return {
		user: user
			? {
					id: user.id,
					username: user.username,
					displayName: `${user.givenName} ${user.familyName}`,
					schoolName: user.schoolName,
					roles: user.roles
				}
			: null
	};
};
