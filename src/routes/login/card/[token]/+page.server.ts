import { fail, redirect } from '@sveltejs/kit';
import { getDb } from '$lib/server/db/connection';
import { invalidateSession, setSessionTokenCookie } from '$lib/server/auth/sessions';
import { CARD_REFUSED, cardAtLink, signInWithCardLink } from '$lib/server/auth/sign-in-cards';
import type { Actions, PageServerLoad } from './$types';

/**
 * A card's QR code opens this page. Opening it changes nothing (link scanners and prefetching
 * must not spend the card); Continue does. The link's token is only in the address, never stored.
 */
export const load: PageServerLoad = async ({ params, setHeaders }) => {
	setHeaders({ 'cache-control': 'no-store' });
	const card = await cardAtLink(getDb(), params.token);
	return { name: card?.name ?? null, refused: card ? null : CARD_REFUSED };
};

export const actions: Actions = {
	default: async (event) => {
		const db = getDb();
		const signIn = await signInWithCardLink(db, event.params.token);
		if (!signIn) return fail(410, { message: CARD_REFUSED });
		// A shared device may still hold the previous child's session: the card's learner replaces it.
		if (event.locals.session) await invalidateSession(db, event.locals.session.id);
		setSessionTokenCookie(
			event.cookies,
			signIn.token,
			signIn.session.expiresAt,
			event.url.protocol === 'https:'
		);
		redirect(303, '/student');
	}
};
