import { fail, redirect } from '@sveltejs/kit';
import { getDb } from '$lib/server/db/connection';
import { homePathFor } from '$lib/server/auth/guards';
import { signIn } from '$lib/server/auth/sign-in';
import {
	createSession,
	generateSessionToken,
	setSessionTokenCookie
} from '$lib/server/auth/sessions';
import { loginSchema } from '$lib/schemas/people';
import { fieldErrors, formFields } from '$lib/schemas/forms';
import type { Actions, PageServerLoad } from './$types';

/** Only same-site paths: an attacker's link must not turn sign-in into a redirect to their site. */
function safeRedirectTarget(value: string | null): string | null {
	return value && value.startsWith('/') && !value.startsWith('//') && !value.startsWith('/\\')
		? value
		: null;
}

export const load: PageServerLoad = ({ locals, url }) => {
	if (locals.user)
		redirect(
			303,
			safeRedirectTarget(url.searchParams.get('redirectTo')) ?? homePathFor(locals.user)
		);
	return {};
};

export const actions: Actions = {
	default: async (event) => {
		const fields = formFields(await event.request.formData());
		const parsed = loginSchema.safeParse(fields);
		if (!parsed.success)
			return fail(400, { username: fields.username ?? '', ...fieldErrors(parsed.error) });

		const db = getDb();
		const outcome = await signIn(
			db,
			parsed.data.username,
			parsed.data.password,
			event.getClientAddress()
		);
		if (outcome.kind === 'rate-limited') {
			return fail(429, {
				username: parsed.data.username,
				message:
					'Too many failed sign-in attempts. Wait 15 minutes and try again, or ask your teacher or school admin to reset your password.',
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
		const token = generateSessionToken();
		const session = await createSession(db, token, outcome.user.id);
		setSessionTokenCookie(event.cookies, token, session.expiresAt, event.url.protocol === 'https:');
		redirect(
			303,
			safeRedirectTarget(event.url.searchParams.get('redirectTo')) ?? homePathFor(outcome.user)
		);
	}
};
