import { error } from '@sveltejs/kit';
import { getDb } from '$lib/server/db/connection';
import { idParam } from '$lib/server/http';
import { statusListCredential } from '$lib/server/badges/status-lists';
import { publicJson } from '$lib/server/badges/public';
import type { RequestHandler } from './$types';

/**
 * One of the school's revocation lists, as a signed BitstringStatusListCredential: public, bits
 * only. Cached a minute at most, so a revocation reaches verifiers quickly.
 */
export const GET: RequestHandler = async (event) => {
	const number = idParam(event.params.number, 'status list');
	const credential = await statusListCredential(
		getDb(),
		event.params.slug,
		number,
		event.url.origin
	);
	if (!credential) error(404, 'There is no status list at this address.');
	return publicJson(credential, {
		contentType: 'application/vc+ld+json',
		cacheControl: 'public, max-age=60, must-revalidate'
	});
};
