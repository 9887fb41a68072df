import { requireRole } from '$lib/server/auth/guards';
import { getDb } from '$lib/server/db/connection';
import { openLiveSessionsFor } from '$lib/server/live/live';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const learner = requireRole(event, 'student');
	return { sessions: await openLiveSessionsFor(getDb(), learner) };
};
