import { error } from '@sveltejs/kit';
import { getDb } from '$lib/server/db/connection';
import { ERASED_AWARD_MESSAGE, isErasedAward, publicAward } from '$lib/server/badges/awards';
import { publicJson } from '$lib/server/badges/public';
import type { RequestHandler } from './$types';

/**
 * The Open Badges 2.0 hosted assertion; a revoked award answers 410 Gone, as 2.0 verifiers expect.
 */
export const GET: RequestHandler = async (event) => {
	const db = getDb();
	if (await isErasedAward(db, event.params.identifier))
		return publicJson(
			{ revoked: true, revocationReason: ERASED_AWARD_MESSAGE, message: ERASED_AWARD_MESSAGE },
			{ status: 410 }
		);
	const award = await publicAward(db, event.params.identifier, event.url.origin);
	if (!award?.ob2Json) error(404, 'There is no badge at this address.');
	if (award.revoked)
		return publicJson(
			{ revoked: true, revocationReason: 'Revoked by the issuer.' },
			{ status: 410 }
		);
	return publicJson(JSON.parse(award.ob2Json));
};
