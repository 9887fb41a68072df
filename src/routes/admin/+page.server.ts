import { requireRole } from '$lib/server/auth/guards';
import { getDb } from '$lib/server/db/connection';
import { schoolOverview } from '$lib/server/people/overview';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const admin = requireRole(event, 'admin');
	return { overview: await schoolOverview(getDb(), admin.schoolId) };
};
