import { requireRole } from '$lib/server/auth/guards';
import { getDb } from '$lib/server/db/connection';
import { listLearnerClasses } from '$lib/server/classes/classes';
import { studentHome } from '$lib/server/home/student-home';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const learner = requireRole(event, 'student');
	const db = getDb();
	const [classes, home] = await Promise.all([
		listLearnerClasses(db, learner.id),
		studentHome(db, learner, new Date())
	]);
	return { classes, ...home, givenName: learner.givenName };
};
