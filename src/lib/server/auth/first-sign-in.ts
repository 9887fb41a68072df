import { json, redirect, text, type Handle } from '@sveltejs/kit';

/**
 * An account whose password someone else set (an admin's reset, a roster import, a new account,
 * the set-up command) may do one thing until its owner picks their own: change it. This is the
 * one place that holds that rule, as a handle in hooks.server.ts's sequence (after the session,
 * before role-by-path).
 */

export const PASSWORD_CHANGE_PATH = '/account';
export const MUST_CHANGE_PASSWORD_MESSAGE =
	'Your password was set by someone else; choose your own to continue.';

/** Exact paths only: anything else, however spelled, is refused (fails closed). */
const OPEN_BEFORE_CHANGE = new Set([PASSWORD_CHANGE_PATH, '/logout', '/healthz', '/livez']);

export function openBeforePasswordChange(pathname: string): boolean {
	return OPEN_BEFORE_CHANGE.has(pathname) || pathname.startsWith('/_app/');
}

/**
 * Page visits (and the data requests behind client-side navigation) are sent to /account; anything
 * else — form actions, JSON and file endpoints, other methods — is refused with 403 and the reason.
 */
export const passwordChangeFirst: Handle = ({ event, resolve }) => {
	if (!event.locals.user?.mustChangePassword || openBeforePasswordChange(event.url.pathname))
		return resolve(event);
	const method = event.request.method;
	const wantsJson = event.request.headers.get('accept')?.includes('application/json') ?? false;
	// A thrown redirect is answered by SvelteKit in the shape each kind of request expects.
	if ((method === 'GET' || method === 'HEAD') && (event.isDataRequest || !wantsJson))
		redirect(303, PASSWORD_CHANGE_PATH);
	return wantsJson
		? json({ message: MUST_CHANGE_PASSWORD_MESSAGE }, { status: 403 })
		: text(MUST_CHANGE_PASSWORD_MESSAGE, { status: 403 });
};
