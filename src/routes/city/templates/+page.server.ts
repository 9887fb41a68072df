import { requireCityAdmin } from '$lib/server/auth/guards';
import { getDb } from '$lib/server/db/connection';
import { listCityCriteria } from '$lib/server/city/criteria';
import {
	createCityTemplate,
	listCityTemplates,
	updateCityTemplate
} from '$lib/server/city/templates';
import { listScales } from '$lib/server/scales/scales';
import { actOn } from '$lib/server/http';
import { templateFromForm, templateSchema } from '$lib/schemas/city';
import { idSchema } from '$lib/schemas/people';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const { cityId } = requireCityAdmin(event);
	const db = getDb();
	const [templates, criteria, scales] = await Promise.all([
		listCityTemplates(db, cityId),
		listCityCriteria(db, cityId),
		listScales(db, 0)
	]);
	return {
		templates,
		criteria: criteria.map((c) => ({
			id: c.id,
			title: c.title,
			scaleId: c.scaleId,
			version: c.version
		})),
		scales: scales.filter((s) => s.shared).map((s) => ({ id: s.id, name: s.name }))
	};
};

export const actions: Actions = {
	create: async (event) => {
		const { user, cityId } = requireCityAdmin(event);
		const form = await event.request.formData();
		return actOn(async () => {
			const input = templateSchema.parse(templateFromForm(form));
			await createCityTemplate(getDb(), cityId, user.id, input);
			return { ok: true, message: `Template “${input.title}” published to the city’s schools.` };
		});
	},
	edit: async (event) => {
		const { user, cityId } = requireCityAdmin(event);
		const form = await event.request.formData();
		return actOn(async () => {
			const id = idSchema.parse(form.get('id'));
			const input = templateSchema.parse(templateFromForm(form));
			const result = await updateCityTemplate(getDb(), cityId, user.id, id, input);
			return {
				ok: true,
				message: result.versioned
					? `Saved as a new version: tasks already made from the old one keep it.`
					: 'Changes saved.'
			};
		});
	}
};
