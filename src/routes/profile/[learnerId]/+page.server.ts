import { requireUser } from '$lib/server/auth/guards';
import { getDb } from '$lib/server/db/connection';
import { learnerProfile } from '$lib/server/profiles/profiles';
import { idParam } from '$lib/server/http';
import { frameworkViewOf } from '$lib/schemas/frameworks';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const user = requireUser(event);
	const framework = frameworkViewOf(event.url.searchParams);
	return {
		profile: await learnerProfile(
			getDb(),
			user,
			idParam(event.params.learnerId, 'learner'),
			framework
		),
		framework,
		isOwn: user.id === Number(event.params.learnerId)
	};
};
