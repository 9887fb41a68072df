import { error } from '@sveltejs/kit';
import { getDb } from '$lib/server/db/connection';
import { ERASED_AWARD_MESSAGE, isErasedAward, publicAward } from '$lib/server/badges/awards';
import { publicJson } from '$lib/server/badges/public';
import type { RequestHandler } from './$types';

/** The signed Open Badges 3.0 credential at its stable address. */
export const GET: RequestHandler = async (event) => {
	const db = getDb();
	if (await isErasedAward(db, event.params.identifier))
		return publicJson({ message: ERASED_AWARD_MESSAGE }, { status: 410 });
	const award = await publicAward(db, event.params.identifier, event.url.origin);
	if (!award) error(404, 'There is no badge at this address.');
	return publicJson(award.credential, { contentType: 'application/vc+ld+json' });
};
