import { fail, redirect } from '@sveltejs/kit';
import { getDb } from '$lib/server/db/connection';
import { homePathFor } from '$lib/server/auth/guards';
import { signIn } from '$lib/server/auth/sign-in';
import { waitMessage } from '$lib/server/auth/rate-limit';
import { DEVICE_COOKIE, setDeviceCookie } from '$lib/server/auth/device-cookie';
import { sameOriginPath } from '$lib/server/http';
import {
	createSession,
	generateSessionToken,
	setSessionTokenCookie
} from '$lib/server/auth/sessions';
import { loginSchool, SCHOOL_COOKIE } from '$lib/server/sso/login-page';
import { isSignInRefusal, SIGN_IN_REFUSALS } from '$lib/domain/single-sign-on';
import { loginSchema } from '$lib/schemas/people';
import { fieldErrors, formFields } from '$lib/schemas/forms';
import type { Actions, PageServerLoad } from './$types';

/** Only same-site paths: an attacker's link must not turn sign-in into a redirect to their site. */
function safeRedirectTarget(url: URL): string | null {
	return sameOriginPath(url.searchParams.get('redirectTo'), url.origin);
}

export const load: PageServerLoad = async ({ locals, url, cookies }) => {
	if (locals.user) redirect(303, safeRedirectTarget(url) ?? homePathFor(locals.user));
	const asked = url.searchParams.get('school') ?? cookies.get(SCHOOL_COOKIE);
	const school = await loginSchool(getDb(), asked ?? undefined);
	const refused = url.searchParams.get('refused');
	return {
		school,
		refusal: isSignInRefusal(refused) ? SIGN_IN_REFUSALS[refused] : null
	};
};

export const actions: Actions = {
	default: async (event) => {
		const fields = formFields(await event.request.formData());
		const parsed = loginSchema.safeParse(fields);
		if (!parsed.success)
			return fail(400, { username: fields.username ?? '', ...fieldErrors(parsed.error) });

		const db = getDb();
		const outcome = await signIn(db, parsed.data.username, parsed.data.password, {
			ip: event.getClientAddress(),
			deviceCookie: event.cookies.get(DEVICE_COOKIE)
		});
		if (outcome.kind === 'delayed') {
			event.setHeaders({ 'retry-after': String(outcome.retryAfterSeconds) });
			return fail(429, {
				username: parsed.data.username,
				message: waitMessage(outcome.retryAfterSeconds),
				retryAfterSeconds: outcome.retryAfterSeconds,
				errors: {} as Record<string, string>
			});
		}
		if (outcome.kind === 'refused') {
			return fail(400, {
				username: parsed.data.username,
				message:
					'That username and password do not match an active account. Check them and try again.',
				errors: {} as Record<string, string>
			});
		}
		if (outcome.kind === 'use-provider') {
			return fail(400, {
				username: parsed.data.username,
				message:
					'Your school signs in with its sign-in service, not passwords. Use its button on this page (open your school’s sign-in address if you do not see it).',
				errors: {} as Record<string, string>
			});
		}
		const token = generateSessionToken();
		const session = await createSession(db, token, outcome.user.id);
		const secure = event.url.protocol === 'https:';
		setSessionTokenCookie(event.cookies, token, session.expiresAt, secure);
		setDeviceCookie(event.cookies, outcome.deviceCookie, secure);
		redirect(303, safeRedirectTarget(event.url) ?? homePathFor(outcome.user));
	}
};
