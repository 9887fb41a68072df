import { fail, redirect } from '@sveltejs/kit';
import { z } from 'zod';
import { requireCityAdmin } from '$lib/server/auth/guards';
import { getDb } from '$lib/server/db/connection';
import { bankFilters } from '$lib/server/criteria/criteria';
import { createCityCriterion } from '$lib/server/city/criteria';
import { actOn } from '$lib/server/http';
import { listScales } from '$lib/server/scales/scales';
import { criterionFromForm, criterionSchema } from '$lib/schemas/criteria';
import { fieldErrors } from '$lib/schemas/forms';
import { idSchema } from '$lib/schemas/people';
import type { Actions, PageServerLoad } from './$types';

/** The shared scales only: a city criterion must fit every school's bank. */
const sharedScales = async () => (await listScales(getDb(), 0)).filter((s) => s.shared);

export const load: PageServerLoad = async (event) => {
	requireCityAdmin(event);
	const [filters, scales] = await Promise.all([bankFilters(getDb()), sharedScales()]);
	const requested = z
		.object({ scale: idSchema.optional().catch(undefined) })
		.parse(Object.fromEntries(event.url.searchParams)).scale;
	const scale = scales.find((s) => s.id === requested) ?? scales[0]!;
	return { filters, scales: scales.map((s) => ({ id: s.id, name: s.name })), scale };
};

export const actions: Actions = {
	default: async (event) => {
		const { user, cityId } = requireCityAdmin(event);
		const form = await event.request.formData();
		const raw = criterionFromForm(form) as {
			descriptors: string[];
			skillOverrides: { fusionItemId: number; weight: number }[];
		};
		const values = {
			title: String(form.get('title') ?? ''),
			description: String(form.get('description') ?? ''),
			descriptors: raw.descriptors,
			overrides: Object.fromEntries(raw.skillOverrides.map((o) => [o.fusionItemId, o.weight])),
			subCategoryId: String(form.get('subCategoryId') ?? '')
		};
		const parsed = criterionSchema.safeParse(raw);
		if (!parsed.success) return fail(400, { values, ...fieldErrors(parsed.error) });
		return actOn(
			async () => {
				const id = await createCityCriterion(getDb(), cityId, user.id, parsed.data);
				redirect(303, `/city/criteria/${id}?created=1`);
			},
			() => ({ values, errors: {} as Record<string, string> })
		);
	}
};
