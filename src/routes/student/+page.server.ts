import { requireRole } from '$lib/server/auth/guards';
import { getDb } from '$lib/server/db/connection';
import { listLearnerClasses } from '$lib/server/classes/classes';
import { listLearnerTasks } from '$lib/server/tasks/tasks';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const learner = requireRole(event, 'student');
	const db = getDb();
	const [classes, tasks] = await Promise.all([
		listLearnerClasses(db, learner.id),
		listLearnerTasks(db, learner.id)
	]);
	return { classes, tasks, givenName: learner.givenName };
};
