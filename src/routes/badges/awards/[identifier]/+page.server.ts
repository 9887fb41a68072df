import { error } from '@sveltejs/kit';
import { getDb } from '$lib/server/db/connection';
import { ERASED_AWARD_MESSAGE, isErasedAward, publicAward } from '$lib/server/badges/awards';
import type { PageServerLoad } from './$types';

/** Public: anyone with the link can check an award, no sign-in. */
export const load: PageServerLoad = async (event) => {
	const db = getDb();
	if (await isErasedAward(db, event.params.identifier)) error(410, ERASED_AWARD_MESSAGE);
	const award = await publicAward(db, event.params.identifier, event.url.origin);
	if (!award) error(404, 'There is no badge at this address.');
	const {
		credentialJson: _c,
		ob2Json: _o,
		credential: _cr,
		evidenceJson: _e,
		showOwnWords: _w,
		showTeacherComments: _t,
		slug: _s,
		schoolId: _i,
		statusListIndex: _l,
		...shown
	} = award;
	return { award: shown };
};
