import { error } from '@sveltejs/kit';
import { getDb } from '$lib/server/db/connection';
import { publicAward } from '$lib/server/badges/awards';
import { publicJson } from '$lib/server/badges/public';
import type { RequestHandler } from './$types';

/**
 * The Open Badges 2.0 hosted assertion; a revoked award answers 410 Gone, as 2.0 verifiers expect.
 */
export const GET: RequestHandler = async (event) => {
	const award = await publicAward(getDb(), event.params.identifier, event.url.origin);
	if (!award?.ob2Json) error(404, 'There is no badge at this address.');
	if (award.revoked)
		return publicJson(
			{ revoked: true, revocationReason: 'Revoked by the issuer.' },
			{ status: 410 }
		);
	return publicJson(JSON.parse(award.ob2Json));
};
