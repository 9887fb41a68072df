import { requireRole } from '$lib/server/auth/guards';
import { getDb } from '$lib/server/db/connection';
import { listLearnerClasses } from '$lib/server/classes/classes';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const learner = requireRole(event, 'student');
	return { classes: await listLearnerClasses(getDb(), learner.id), givenName: learner.givenName };
};
