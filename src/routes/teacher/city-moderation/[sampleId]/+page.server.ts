import { fail } from '@sveltejs/kit';
import { requireRole } from '$lib/server/auth/guards';
import { getDb } from '$lib/server/db/connection';
import { actOn, idParam, orHttpError } from '$lib/server/http';
import {
	requireSampleToModerate,
	sampleToMark,
	saveSampleMarks
} from '$lib/server/city-moderation/marking';
import { sampleMarksFromForm } from '$lib/schemas/city-moderation';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const teacher = requireRole(event, 'teacher', 'admin');
	const sampleId = idParam(event.params.sampleId, 'sample');
	return orHttpError(() => sampleToMark(getDb(), teacher, sampleId));
};

export const actions: Actions = {
	save: async (event) => {
		const teacher = requireRole(event, 'teacher', 'admin');
		const sampleId = idParam(event.params.sampleId, 'sample');
		// Someone else's sample is refused before the form is read.
		await orHttpError(() => requireSampleToModerate(getDb(), teacher, sampleId));
		const parsed = sampleMarksFromForm(await event.request.formData());
		if (!parsed.success) return fail(400, { message: parsed.message });
		return actOn(async () => {
			const saved = await saveSampleMarks(getDb(), teacher, sampleId, parsed.marks);
			return {
				ok: true,
				message: saved.complete
					? 'Marks saved: this piece is marked.'
					: `Marks saved: ${saved.placed} of ${saved.of} criteria placed.`
			};
		});
	}
};
