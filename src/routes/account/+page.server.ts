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
import { z } from 'zod';
import { EMAIL_PREFERENCES } from '$lib/domain/notifications';
import {
	emailIsOn,
	emailRecipients,
	setEmailPreference
} from '$lib/server/notifications/email-settings';
import type { Actions, PageServerLoad } from './$types';

const emailPreferenceSchema = z.object({
	emailNotifications: z.enum(EMAIL_PREFERENCES, { message: 'Choose how you want to be e-mailed.' })
});

export const load: PageServerLoad = async (event) => {
	const user = requireUser(event);
	const [recipient] = await emailRecipients(getDb(), [user.id]);
	return {
		username: user.username,
		mustChangePassword: user.mustChangePassword ? MUST_CHANGE_PASSWORD_MESSAGE : null,
		email: {
			on: emailIsOn(),
			allowed: recipient?.allowed ?? false,
			hasAddress: Boolean(recipient?.address),
			preference: recipient?.preference ?? 'none'
		}
	};
};

export const actions: Actions = {
	emailPreference: async (event) => {
		const user = requireUser(event);
		const parsed = emailPreferenceSchema.safeParse(formFields(await event.request.formData()));
		if (!parsed.success)
			return fail(400, { message: parsed.error.issues[0]?.message ?? 'Choose an option.' });
		const db = getDb();
		const [recipient] = await emailRecipients(db, [user.id]);
		// A pupil under the school's age for e-mail cannot turn it on: the school decides.
		if (!recipient?.allowed)
			return fail(403, { message: 'Your school has not turned on e-mail for your year group.' });
		await setEmailPreference(db, user.id, parsed.data.emailNotifications);
		return { ok: true, message: 'Your e-mail choice is saved.' };
	},
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
