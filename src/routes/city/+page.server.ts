import { requireCityAdmin } from '$lib/server/auth/guards';
import { getDb } from '$lib/server/db/connection';
import { cityOverview, createCitySchool } from '$lib/server/city/schools';
import { actOn } from '$lib/server/http';
import { formFields } from '$lib/schemas/forms';
import { newSchoolSchema } from '$lib/schemas/people';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const { cityId } = requireCityAdmin(event);
	return cityOverview(getDb(), cityId);
};

export const actions: Actions = {
	createSchool: async (event) => {
		const { user, cityId } = requireCityAdmin(event);
		const form = formFields(await event.request.formData());
		return actOn(async () => {
			const input = newSchoolSchema.parse(form);
			const created = await createCitySchool(getDb(), cityId, user.id, input, event.url.origin);
			return {
				ok: true,
				message: `${input.schoolName} is set up in the city. Give its admin ${created.username} this one-time password; they choose their own at first sign-in.`,
				created: { username: created.username, password: created.password }
			};
		});
	}
};
