import { error } from '@sveltejs/kit';
import { getDb } from '$lib/server/db/connection';
import { setEmailPreference } from '$lib/server/notifications/email-settings';
import { userOfUnsubscribeToken } from '$lib/server/notifications/unsubscribe';
import type { Actions, PageServerLoad } from './$types';

/**
 * Works signed out: the signed token is the only authority, and it can do one thing, stop e-mail.
 * A GET only asks (mail scanners fetch links); the button's POST, or a mail client's RFC 8058
 * one-click POST to the same address, does it.
 */
async function personOf(token: string) {
	const userId = await userOfUnsubscribeToken(getDb(), token);
	if (userId === null)
		error(
			404,
			'This unsubscribe link is not valid: it may have been changed or cut short. Copy the whole link from the e-mail, or sign in and choose on your account page.'
		);
	return userId;
}

export const load: PageServerLoad = async ({ params }) => {
	await personOf(params.token);
	return {};
};

export const actions: Actions = {
	default: async ({ params }) => {
		await setEmailPreference(getDb(), await personOf(params.token), 'none');
		return { ok: true, message: 'Done: you will get no more e-mails from Fusion Skills.' };
	}
};
