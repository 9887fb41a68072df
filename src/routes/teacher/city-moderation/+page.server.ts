import { requireRole } from '$lib/server/auth/guards';
import { getDb } from '$lib/server/db/connection';
import { samplesToModerate } from '$lib/server/city-moderation/marking';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const teacher = requireRole(event, 'teacher', 'admin');
	return { rounds: await samplesToModerate(getDb(), teacher) };
};
