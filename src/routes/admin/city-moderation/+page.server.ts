import { requireRole } from '$lib/server/auth/guards';
import { getDb } from '$lib/server/db/connection';
import { roundsOfSchool } from '$lib/server/city-moderation/rounds';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const admin = requireRole(event, 'admin');
	return {
		rounds: await roundsOfSchool(getDb(), admin),
		schoolName: admin.schoolName,
		schoolId: admin.schoolId
	};
};
