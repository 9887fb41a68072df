import { error } from '@sveltejs/kit';
import { getDb } from '$lib/server/db/connection';
import { ob2Issuer, publicJson } from '$lib/server/badges/public';
import type { RequestHandler } from './$types';

/** The Open Badges 2.0 Issuer profile. */
export const GET: RequestHandler = async (event) => {
	const school = await getDb()
		.selectFrom('schools')
		.select(['slug', 'name', 'badge_contact_email'])
		.where('slug', '=', event.params.slug)
		.executeTakeFirst();
	if (!school) error(404, 'There is no issuer at this address.');
	return publicJson(ob2Issuer(event.url.origin, school));
};
