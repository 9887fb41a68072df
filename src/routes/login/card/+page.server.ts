import { fail, redirect } from '@sveltejs/kit';
import { getDb } from '$lib/server/db/connection';
import { invalidateSession, setSessionTokenCookie } from '$lib/server/auth/sessions';
import { waitMessage } from '$lib/server/auth/rate-limit';
import { CARD_REFUSED, signInWithCardCode } from '$lib/server/auth/sign-in-cards';
import { cardCodeSchema } from '$lib/schemas/sign-in-cards';
import { fieldErrors, formFields } from '$lib/schemas/forms';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = ({ setHeaders }) => {
	setHeaders({ 'cache-control': 'no-store' });
	return {};
};

/** The card's short code, typed on a device without a camera: signs in at once (typing is a choice). */
export const actions: Actions = {
	default: async (event) => {
		const fields = formFields(await event.request.formData());
		const parsed = cardCodeSchema.safeParse(fields);
		if (!parsed.success) return fail(400, fieldErrors(parsed.error));
		const db = getDb();
		const outcome = await signInWithCardCode(db, parsed.data.code, {
			ip: event.getClientAddress()
		});
		if (outcome.kind === 'not-a-code')
			return fail(400, {
				message:
					'A card’s code has eight letters and numbers, like K7QM-3XTA. Check it and try again.',
				errors: { code: 'Eight letters and numbers, like K7QM-3XTA.' }
			});
		if (outcome.kind === 'delayed') {
			event.setHeaders({ 'retry-after': String(outcome.retryAfterSeconds) });
			return fail(429, { message: waitMessage(outcome.retryAfterSeconds, 'wrong codes') });
		}
		if (outcome.kind === 'refused') return fail(400, { message: CARD_REFUSED });
		if (event.locals.session) await invalidateSession(db, event.locals.session.id);
		setSessionTokenCookie(
			event.cookies,
			outcome.signIn.token,
			outcome.signIn.session.expiresAt,
			event.url.protocol === 'https:'
		);
		redirect(303, '/student');
	}
};
