import { requireRole } from '$lib/server/auth/guards';
import { getDb } from '$lib/server/db/connection';
import { schoolOverview } from '$lib/server/people/overview';
import { adminHome } from '$lib/server/home/admin-home';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const admin = requireRole(event, 'admin');
	const db = getDb();
	const [overview, toDo] = await Promise.all([
		schoolOverview(db, admin.schoolId),
		adminHome(db, admin.schoolId, new Date())
	]);
	return { overview, toDo };
};
