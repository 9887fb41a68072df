import { requireCityAdmin } from '$lib/server/auth/guards';
import { getDb } from '$lib/server/db/connection';
import { actOn, idParam, orHttpError } from '$lib/server/http';
import { closeRound, roundReport } from '$lib/server/city-moderation/rounds';
import { askToConfirm, isConfirmed } from '$lib/schemas/forms';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const { cityId } = requireCityAdmin(event);
	const roundId = idParam(event.params.roundId, 'round');
	return orHttpError(() => roundReport(getDb(), cityId, roundId));
};

export const actions: Actions = {
	close: async (event) => {
		const { cityId } = requireCityAdmin(event);
		const roundId = idParam(event.params.roundId, 'round');
		const form = await event.request.formData();
		return actOn(async () => {
			if (!isConfirmed(form)) {
				await roundReport(getDb(), cityId, roundId); // another city's round is refused first
				return askToConfirm();
			}
			await closeRound(getDb(), cityId, roundId);
			return { ok: true, message: 'Round closed: its marks are kept and no longer change.' };
		});
	}
};
