import { requireRole } from '$lib/server/auth/guards';
import { getDb } from '$lib/server/db/connection';
import { listTeacherClasses } from '$lib/server/classes/classes';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const teacher = requireRole(event, 'teacher', 'admin');
	return { classes: await listTeacherClasses(getDb(), teacher.id), givenName: teacher.givenName };
};
