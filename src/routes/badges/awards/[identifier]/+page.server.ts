import { error } from '@sveltejs/kit';
import { getDb } from '$lib/server/db/connection';
import { publicAward } from '$lib/server/badges/awards';
import type { PageServerLoad } from './$types';

/** Public: anyone with the link can check an award, no sign-in. */
export const load: PageServerLoad = async (event) => {
	const award = await publicAward(getDb(), event.params.identifier, event.url.origin);
	if (!award) error(404, 'There is no badge at this address.');
	const {
		credentialJson: _c,
		ob2Json: _o,
		credential: _cr,
		evidenceJson: _e,
		slug: _s,
		...shown
	} = award;
	return { award: shown };
};
