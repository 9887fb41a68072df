import { fail, redirect } from '@sveltejs/kit';
import { requireCityAdmin } from '$lib/server/auth/guards';
import { getDb } from '$lib/server/db/connection';
import { actOn } from '$lib/server/http';
import { createRound, listRounds, roundChoices } from '$lib/server/city-moderation/rounds';
import { newRoundFromForm } from '$lib/schemas/city-moderation';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const { cityId } = requireCityAdmin(event);
	const db = getDb();
	const [rounds, choices] = await Promise.all([listRounds(db, cityId), roundChoices(db, cityId)]);
	return { rounds, choices };
};

export const actions: Actions = {
	draw: async (event) => {
		const { user, cityId } = requireCityAdmin(event);
		const parsed = newRoundFromForm(await event.request.formData());
		if (!parsed.success)
			return fail(400, { message: parsed.error.issues[0]?.message ?? 'Please check the form.' });
		const result = await actOn(async () => ({
			roundId: await createRound(getDb(), user, cityId, parsed.data)
		}));
		if ('roundId' in result) redirect(303, `/city/moderation/${result.roundId}`);
		return result;
	}
};
