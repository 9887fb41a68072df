import { requireRole } from '$lib/server/auth/guards';
import { getDb } from '$lib/server/db/connection';
import { myReviews } from '$lib/server/peer/reviewing';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const learner = requireRole(event, 'student');
	return { reviews: await myReviews(getDb(), learner) };
};
