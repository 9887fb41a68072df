import { requireUser } from '$lib/server/auth/guards';
import { getDb } from '$lib/server/db/connection';
import { learnerProfile } from '$lib/server/profiles/profiles';
import { earnedBadges } from '$lib/server/reports/learner-report';
import { idParam } from '$lib/server/http';
import { frameworkViewOf } from '$lib/schemas/frameworks';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const user = requireUser(event);
	const learnerId = idParam(event.params.learnerId, 'learner');
	const db = getDb();
	const framework = frameworkViewOf(event.url.searchParams);
	const profile = await learnerProfile(db, user, learnerId, framework);
	return {
		profile,
		framework,
		isOwn: user.id === learnerId,
		// The CLR needs something to record: a released result or a badge.
		hasRecord: profile.resultCount > 0 || (await earnedBadges(db, learnerId)).length > 0
	};
};
