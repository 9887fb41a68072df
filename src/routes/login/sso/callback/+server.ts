import { redirect } from '@sveltejs/kit';
import { getDb } from '$lib/server/db/connection';
import { homePathFor } from '$lib/server/auth/guards';
import {
	createSession,
	generateSessionToken,
	setSessionTokenCookie
} from '$lib/server/auth/sessions';
import { CALLBACK_PATH, finishSignIn, SSO_STATE_COOKIE } from '$lib/server/sso/flow';
import { rememberLoginSchool, schoolSlug } from '$lib/server/sso/login-page';
import type { RequestHandler } from './$types';

/**
 * Where a school's provider sends the browser back. Signed in: the same session as a password
 * sign-in. Refused: back to the login page with the reason, and nothing created.
 */
export const GET: RequestHandler = async (event) => {
	const db = getDb();
	const stateCookie = event.cookies.get(SSO_STATE_COOKIE);
	event.cookies.delete(SSO_STATE_COOKIE, { path: CALLBACK_PATH });
	// Our redirect URI (as registered with the provider) with the query the provider sent.
	const callbackUrl = new URL(`${event.url.origin}${CALLBACK_PATH}${event.url.search}`);
	const result = await finishSignIn(db, { callbackUrl, stateCookie });
	if (result.kind === 'refused') {
		const slug = await schoolSlug(db, result.schoolId);
		const query = new URLSearchParams({
			...(slug ? { school: slug } : {}),
			refused: result.reason
		});
		redirect(303, `/login?${query}`);
	}
	const token = generateSessionToken();
	// Marked as a provider's session: a password someone else set is not asked to be changed by a
	// person who signs in without it.
	const session = await createSession(db, token, result.user.id, new Date(), 'sso');
	const secure = event.url.protocol === 'https:';
	setSessionTokenCookie(event.cookies, token, session.expiresAt, secure);
	const slug = await schoolSlug(db, result.schoolId);
	if (slug) rememberLoginSchool(event.cookies, slug, secure);
	redirect(303, result.returnTo ?? homePathFor(result.user));
};
