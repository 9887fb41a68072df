import { fail } from '@sveltejs/kit';
import { z } from 'zod';
import { requireRole } from '$lib/server/auth/guards';
import { getDb } from '$lib/server/db/connection';
import { createScale, listScales } from '$lib/server/scales/scales';
import { actOn } from '$lib/server/http';
import type { Actions, PageServerLoad } from './$types';

const MAX_BANDS = 7;

export const load: PageServerLoad = async (event) => {
	const admin = requireRole(event, 'admin');
	return { scales: await listScales(getDb(), admin.schoolId), maxBands: MAX_BANDS };
};

const scaleSchema = z.object({
	name: z
		.string()
		.trim()
		.min(3, 'Give the scale a name of at least 3 characters.')
		.max(80, 'Keep the name under 80 characters.'),
	description: z.string().trim().max(500, 'Keep the description under 500 characters.'),
	bands: z
		.array(
			z.object({
				label: z.string().trim().min(1).max(40, 'Band names must be under 40 characters.'),
				minValue: z.coerce.number({ error: 'Each band’s start must be a number.' }),
				descriptor: z.string().trim().max(500, 'Keep each band description under 500 characters.')
			})
		)
		.min(2, 'A scale needs at least two bands.')
});

export const actions: Actions = {
	create: async (event) => {
		const admin = requireRole(event, 'admin');
		const form = await event.request.formData();
		const bands = Array.from({ length: MAX_BANDS }, (_, i) => ({
			label: String(form.get(`label_${i}`) ?? ''),
			minValue: String(form.get(`min_${i}`) ?? ''),
			descriptor: String(form.get(`descriptor_${i}`) ?? '')
		})).filter((b) => b.label.trim() !== '');
		const values = {
			name: String(form.get('name') ?? ''),
			description: String(form.get('description') ?? ''),
			bands
		};
		const parsed = scaleSchema.safeParse(values);
		if (!parsed.success) return fail(400, { values, message: parsed.error.issues[0]!.message });
		return actOn(
			async () => {
				await createScale(getDb(), admin.schoolId, admin.id, parsed.data);
				return { ok: true, message: `Scale “${parsed.data.name}” added.` };
			},
			() => ({ values })
		);
	}
};
