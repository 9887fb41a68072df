import { fail } from '@sveltejs/kit';
import { getDb } from '$lib/server/db/connection';
import { requireUser } from '$lib/server/auth/guards';
import { MUST_CHANGE_PASSWORD_MESSAGE } from '$lib/server/auth/first-sign-in';
import {
	createSession,
	generateSessionToken,
	setSessionTokenCookie
} from '$lib/server/auth/sessions';
import { changeOwnPassword } from '$lib/server/people/accounts';
import { DEVICE_COOKIE } from '$lib/server/auth/device-cookie';
import { actOn } from '$lib/server/http';
import { changePasswordSchema } from '$lib/schemas/people';
import { fieldErrors, formFields } from '$lib/schemas/forms';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = (event) => {
	const user = requireUser(event);
	return {
		username: user.username,
		mustChangePassword: user.mustChangePassword ? MUST_CHANGE_PASSWORD_MESSAGE : null
	};
};

export const actions: Actions = {
	changePassword: async (event) => {
		const user = requireUser(event);
		const parsed = changePasswordSchema.safeParse(formFields(await event.request.formData()));
		if (!parsed.success) return fail(400, fieldErrors(parsed.error));
		const db = getDb();
		return actOn(
			async () => {
				await changeOwnPassword(db, user.id, parsed.data.currentPassword, parsed.data.newPassword, {
					ip: event.getClientAddress(),
					deviceCookie: event.cookies.get(DEVICE_COOKIE)
				});
				// Every session, this one included, ended with the change; keep this browser signed in.
				const token = generateSessionToken();
				const session = await createSession(db, token, user.id);
				setSessionTokenCookie(
					event.cookies,
					token,
					session.expiresAt,
					event.url.protocol === 'https:'
				);
				return { ok: true, message: 'Your password has been changed.' };
			},
			(message) => ({ errors: { currentPassword: message } })
		);
	}
};
