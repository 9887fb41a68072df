import { error } from '@sveltejs/kit';
import { getDb } from '$lib/server/db/connection';
import { publicAward } from '$lib/server/badges/awards';
import { publicJson } from '$lib/server/badges/public';
import type { RequestHandler } from './$types';

/** The signed Open Badges 3.0 credential at its stable address. */
export const GET: RequestHandler = async (event) => {
	const award = await publicAward(getDb(), event.params.identifier, event.url.origin);
	if (!award) error(404, 'There is no badge at this address.');
	return publicJson(award.credential, { contentType: 'application/vc+ld+json' });
};
