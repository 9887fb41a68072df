import { fail, redirect } from '@sveltejs/kit';
import { z } from 'zod';
import { requireRole } from '$lib/server/auth/guards';
import { getDb } from '$lib/server/db/connection';
import { bankFilters, createCriterion } from '$lib/server/criteria/criteria';
import { actOn } from '$lib/server/http';
import { listScales } from '$lib/server/scales/scales';
import { criterionFromForm, criterionSchema } from '$lib/schemas/criteria';
import { fieldErrors } from '$lib/schemas/forms';
import { idSchema } from '$lib/schemas/people';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const teacher = requireRole(event, 'teacher', 'admin');
	const db = getDb();
	const [filters, scales] = await Promise.all([bankFilters(db), listScales(db, teacher.schoolId)]);
	const requested = z
		.object({ scale: idSchema.optional().catch(undefined) })
		.parse(Object.fromEntries(event.url.searchParams)).scale;
	const scale = scales.find((s) => s.id === requested) ?? scales[0]!;
	return { filters, scales: scales.map((s) => ({ id: s.id, name: s.name })), scale };
};

export const actions: Actions = {
	default: async (event) => {
		const teacher = requireRole(event, 'teacher', 'admin');
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
				const id = await createCriterion(getDb(), teacher.schoolId, teacher.id, parsed.data);
				redirect(303, `/teacher/criteria/${id}?created=1`);
			},
			() => ({ values, errors: {} as Record<string, string> })
		);
	}
};
