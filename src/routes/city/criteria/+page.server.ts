import { requireCityAdmin } from '$lib/server/auth/guards';
import { getDb } from '$lib/server/db/connection';
import { listCityCriteria } from '$lib/server/city/criteria';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const { cityId } = requireCityAdmin(event);
	return { criteria: await listCityCriteria(getDb(), cityId) };
};
