import { requireCityAdmin } from '$lib/server/auth/guards';
import { getDb } from '$lib/server/db/connection';
import { LAYERS } from '$lib/server/badges/badges';
import { createCityBadge, listCityBadges, updateCityBadge } from '$lib/server/city/badges';
import { capriTree, fusionSkills } from '$lib/server/frameworks/frameworks';
import { LEVEL_LABELS } from '$lib/domain/scales';
import { actOn } from '$lib/server/http';
import { cityBadgeSchema, type CityBadgeInput } from '$lib/schemas/city';
import { formFields } from '$lib/schemas/forms';
import { idSchema } from '$lib/schemas/people';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const { cityId } = requireCityAdmin(event);
	const db = getDb();
	const [badges, skills, capri] = await Promise.all([
		listCityBadges(db, cityId),
		fusionSkills(db),
		capriTree(db)
	]);
	return {
		badges,
		skills: skills.map((s) => ({ id: s.id, code: s.code, title: s.title })),
		capri: capri.map((c) => ({ id: c.id, code: c.code, title: c.title })),
		levelLabels: LEVEL_LABELS,
		layers: LAYERS
	};
};

function definitionFrom(form: FormData) {
	const input: CityBadgeInput = cityBadgeSchema.parse({
		...formFields(form),
		alignmentItemIds: form.getAll('alignmentItemIds')
	});
	const [kind, target] = input.ruleTarget.split(':') as ['skill' | 'capri', string];
	return {
		name: input.name,
		description: input.description,
		criteriaNarrative: input.criteriaNarrative,
		layer: input.layer,
		rule: {
			kind,
			target: kind === 'skill' ? Number(target) : target,
			minBand: input.minBand,
			minTasks: input.minTasks
		},
		alignmentItemIds: input.alignmentItemIds
	};
}

export const actions: Actions = {
	create: async (event) => {
		const { user, cityId } = requireCityAdmin(event);
		const form = await event.request.formData();
		return actOn(async () => {
			const definition = definitionFrom(form);
			await createCityBadge(getDb(), cityId, user.id, definition);
			return {
				ok: true,
				message: `City badge “${definition.name}” published. School admins of the city can now adopt it.`
			};
		});
	},
	edit: async (event) => {
		const { user, cityId } = requireCityAdmin(event);
		const form = await event.request.formData();
		return actOn(async () => {
			const id = idSchema.parse(form.get('id'));
			const result = await updateCityBadge(getDb(), cityId, user.id, id, definitionFrom(form));
			return {
				ok: true,
				message: result.versioned
					? 'Saved as a new version: schools that adopted the old one are offered it.'
					: 'Changes saved.'
			};
		});
	}
};
