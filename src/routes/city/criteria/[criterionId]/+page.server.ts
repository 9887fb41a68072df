import { error, fail, redirect } from '@sveltejs/kit';
import { requireCityAdmin } from '$lib/server/auth/guards';
import { getDb } from '$lib/server/db/connection';
import { bankFilters } from '$lib/server/criteria/criteria';
import {
	cityCriterionVersions,
	requireCityCriterion,
	updateCityCriterion
} from '$lib/server/city/criteria';
import { listScales } from '$lib/server/scales/scales';
import { actOn, idParam, orHttpError } from '$lib/server/http';
import { criterionFromForm, criterionSchema } from '$lib/schemas/criteria';
import { fieldErrors } from '$lib/schemas/forms';
import type { Actions, PageServerLoad, RequestEvent } from './$types';

/** A criterion of the admin's own city; another city's is 404, as one that does not exist. */
async function citysCriterion(event: RequestEvent) {
	const { user, cityId } = requireCityAdmin(event);
	const id = idParam(event.params.criterionId, 'criterion');
	const row = await orHttpError(() => requireCityCriterion(getDb(), cityId, id));
	return { user, cityId, row };
}

export const load: PageServerLoad = async (event) => {
	const { cityId, row } = await citysCriterion(event);
	const db = getDb();
	const [versions, filters, scales] = await Promise.all([
		cityCriterionVersions(db, cityId, row.lineage_id),
		bankFilters(db),
		listScales(db, 0)
	]);
	const scale = scales.find((s) => s.id === row.scale_id);
	if (!scale) error(404, 'That criterion’s scale is gone.');
	const sub = filters.categories
		.flatMap((c) => c.subCategories)
		.find((s) => s.id === row.capri_item_id);
	const overrides = JSON.parse(row.skill_weights_json) as {
		fusionItemId: number;
		weight: number;
	}[];
	return {
		criterion: {
			id: row.id,
			version: row.version,
			title: row.title,
			description: row.description,
			descriptors: JSON.parse(row.descriptors_json) as string[],
			overrides: Object.fromEntries(overrides.map((o) => [o.fusionItemId, o.weight])),
			supersededAt: row.superseded_at,
			scaleId: row.scale_id,
			scaleName: scale.name,
			subCategory: sub ? `${sub.code} ${sub.title}` : ''
		},
		bands: scale.bands,
		versions,
		skills: filters.skills,
		created: event.url.searchParams.has('created'),
		versioned: event.url.searchParams.has('versioned')
	};
};

export const actions: Actions = {
	edit: async (event) => {
		const { user, cityId, row } = await citysCriterion(event);
		const form = await event.request.formData();
		const raw = criterionFromForm(form) as {
			descriptors: string[];
			skillOverrides: { fusionItemId: number; weight: number }[];
		};
		const values = {
			title: String(form.get('title') ?? ''),
			description: String(form.get('description') ?? ''),
			descriptors: raw.descriptors,
			overrides: Object.fromEntries(raw.skillOverrides.map((o) => [o.fusionItemId, o.weight]))
		};
		const parsed = criterionSchema.safeParse({
			...raw,
			subCategoryId: row.capri_item_id,
			scaleId: row.scale_id
		});
		if (!parsed.success) return fail(400, { values, ...fieldErrors(parsed.error) });
		return actOn(
			async () => {
				const result = await updateCityCriterion(getDb(), cityId, user.id, row.id, parsed.data);
				if (result.versioned) redirect(303, `/city/criteria/${result.id}?versioned=1`);
				return { ok: true, message: 'Changes saved. No school had adopted this version yet.' };
			},
			() => ({ values, errors: {} as Record<string, string> })
		);
	}
};
