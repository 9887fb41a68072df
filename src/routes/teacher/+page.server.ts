import { requireRole } from '$lib/server/auth/guards';
import { getDb } from '$lib/server/db/connection';
import { teacherHome } from '$lib/server/home/teacher-home';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const teacher = requireRole(event, 'teacher', 'admin');
	return { ...(await teacherHome(getDb(), teacher)), givenName: teacher.givenName };
};
