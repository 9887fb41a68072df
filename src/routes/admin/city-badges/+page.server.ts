import { requireRole } from '$lib/server/auth/guards';
import { getDb } from '$lib/server/db/connection';
import { adoptCityBadge, cityBadgesForSchool } from '$lib/server/city/badges';
import { actOn } from '$lib/server/http';
import { cityItemRef } from '$lib/schemas/city';
import { formFields } from '$lib/schemas/forms';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const admin = requireRole(event, 'admin');
	return cityBadgesForSchool(getDb(), admin.schoolId);
};

export const actions: Actions = {
	adopt: async (event) => {
		const admin = requireRole(event, 'admin');
		const form = formFields(await event.request.formData());
		return actOn(async () => {
			const { id } = cityItemRef.parse(form);
			await adoptCityBadge(getDb(), admin, id);
			return {
				ok: true,
				message:
					'Adopted: it is one of your school’s badges now, proposed and issued as the others.'
			};
		});
	}
};
