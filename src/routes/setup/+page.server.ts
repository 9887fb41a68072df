import { error, fail } from '@sveltejs/kit';
import { getDb } from '$lib/server/db/connection';
import { orHttpError, actOn } from '$lib/server/http';
import {
	ALREADY_SET_UP,
	checkSetupToken,
	isSetUp,
	setUpSchoolWithToken
} from '$lib/server/setup/school-setup';
import { setupFormSchema } from '$lib/schemas/people';
import { fieldErrors, formFields } from '$lib/schemas/forms';
import type { Actions, PageServerLoad } from './$types';

const TOKEN = /^[a-z2-7]{32}$/;
const INVALID_LINK =
	'This set-up link is not valid. Use the latest link the server printed (each start prints a new one).';

/**
 * Open only through the one-time link the server prints while no school exists; afterwards 404.
 * The one exception is the answer to the set-up itself (a POST), which shows its result once.
 */
export const load: PageServerLoad = async (event) => {
	const db = getDb();
	if (await isSetUp(db)) {
		if (event.request.method === 'POST') return { token: '' };
		error(404, ALREADY_SET_UP);
	}
	const token = event.url.searchParams.get('token') ?? '';
	if (!TOKEN.test(token)) error(403, INVALID_LINK);
	await orHttpError(() => checkSetupToken(db, token));
	return { token };
};

export const actions: Actions = {
	default: async (event) => {
		const db = getDb();
		if (await isSetUp(db)) error(404, ALREADY_SET_UP);
		const fields = formFields(await event.request.formData());
		const values = {
			schoolName: fields.schoolName ?? '',
			givenName: fields.givenName ?? '',
			familyName: fields.familyName ?? '',
			username: fields.username ?? ''
		};
		const parsed = setupFormSchema.safeParse(fields);
		if (!parsed.success) return fail(400, { values, ...fieldErrors(parsed.error) });
		const { token, passwordChoice, password, ...school } = parsed.data;
		return actOn(
			async () => {
				const created = await setUpSchoolWithToken(
					db,
					token,
					school,
					passwordChoice === 'own' ? password! : null,
					event.url.origin
				);
				return {
					ok: true,
					message: `${school.schoolName} is set up. Sign in as ${created.username}.`,
					username: created.username,
					generatedPassword: created.generatedPassword
				};
			},
			() => ({ values, errors: {} as Record<string, string> })
		);
	}
};
