import { requireRole } from '$lib/server/auth/guards';
import { getDb } from '$lib/server/db/connection';
import { listTeacherClasses } from '$lib/server/classes/classes';
import { tasksToSecondMark } from '$lib/server/moderation/moderation';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const teacher = requireRole(event, 'teacher', 'admin');
	const db = getDb();
	const [classes, secondMarking] = await Promise.all([
		listTeacherClasses(db, teacher.id),
		tasksToSecondMark(db, teacher)
	]);
	return { classes, secondMarking, givenName: teacher.givenName };
};
