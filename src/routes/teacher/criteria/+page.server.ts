import { z } from 'zod';
import { requireRole } from '$lib/server/auth/guards';
import { getDb } from '$lib/server/db/connection';
import { bankFilters, listBank } from '$lib/server/criteria/criteria';
import { idSchema } from '$lib/schemas/people';
import type { PageServerLoad } from './$types';

const filterSchema = z.object({
	capri: z.enum(['C', 'A', 'P', 'R', 'I']).optional().catch(undefined),
	skill: idSchema.optional().catch(undefined),
	q: z.string().trim().max(100).optional().catch(undefined)
});

export const load: PageServerLoad = async (event) => {
	const teacher = requireRole(event, 'teacher', 'admin');
	const filter = filterSchema.parse(Object.fromEntries(event.url.searchParams));
	const db = getDb();
	const [bank, filters] = await Promise.all([
		listBank(db, teacher.schoolId, {
			capri: filter.capri,
			fusionItemId: filter.skill,
			search: filter.q
		}),
		bankFilters(db)
	]);
	return {
		bank,
		filters,
		filter: {
			capri: filter.capri ?? '',
			skill: filter.skill ? String(filter.skill) : '',
			q: filter.q ?? ''
		}
	};
};
