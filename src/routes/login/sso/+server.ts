import { redirect } from '@sveltejs/kit';
import { z } from 'zod';
import { getDb } from '$lib/server/db/connection';
import { sameOriginPath } from '$lib/server/http';
import { Refusal } from '$lib/server/errors';
import {
	ATTEMPT_LIFETIME_MS,
	CALLBACK_PATH,
	SSO_STATE_COOKIE,
	startSignIn
} from '$lib/server/sso/flow';
import type { RequestHandler } from './$types';

const providerChoice = z.object({ provider: z.coerce.number().int().positive() });

/**
 * A provider button on the login page, a link: the app's content security policy allows forms to
 * post only to this site, and a form post redirected to the provider would be blocked. A GET only
 * starts an attempt (bound to this browser by its state cookie, so a link someone else sends
 * cannot sign anyone in). The browser is sent to the school's provider; see server/sso/flow.ts.
 */
export const GET: RequestHandler = async (event) => {
	const parsed = providerChoice.safeParse(Object.fromEntries(event.url.searchParams));
	if (!parsed.success) redirect(303, '/login?refused=unavailable');
	let started: Awaited<ReturnType<typeof startSignIn>>;
	try {
		started = await startSignIn(getDb(), {
			providerId: parsed.data.provider,
			redirectUri: `${event.url.origin}${CALLBACK_PATH}`,
			returnTo: sameOriginPath(event.url.searchParams.get('redirectTo'), event.url.origin)
		});
	} catch (error) {
		if (error instanceof Refusal) redirect(303, '/login?refused=unavailable');
		throw error;
	}
	event.cookies.set(SSO_STATE_COOKIE, started.state, {
		path: CALLBACK_PATH,
		httpOnly: true,
		sameSite: 'lax',
		secure: event.url.protocol === 'https:',
		maxAge: ATTEMPT_LIFETIME_MS / 1000
	});
	redirect(303, started.authorizationUrl.href);
};
