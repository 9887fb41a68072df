import { z } from 'zod';
import { requireRole } from '$lib/server/auth/guards';
import { requireTaskToTeach } from '$lib/server/auth/task-guards';
import { getDb } from '$lib/server/db/connection';
import { addMarker, moderationMatrix, schoolTeachers } from '$lib/server/moderation/moderation';
import { actOn, idParam } from '$lib/server/http';
import { idSchema } from '$lib/schemas/people';
import type { Actions, PageServerLoad } from './$types';
import { displayName } from '$lib/domain/names';

const viewSchema = z.object({
	sort: z.enum(['name', 'selfGap', 'peerGap']).catch('name'),
	// "Any" sends band= (empty), which must not coerce to 0, the first band.
	band: z
		.union([z.literal('').transform(() => undefined), z.coerce.number().int().min(0).max(9)])
		.optional()
		.catch(undefined),
	flagged: z.literal('1').optional().catch(undefined)
});

export const load: PageServerLoad = async (event) => {
	const teacher = requireRole(event, 'teacher', 'admin');
	const db = getDb();
	const matrix = await moderationMatrix(db, teacher, idParam(event.params.taskId, 'task'));
	const view = viewSchema.parse(Object.fromEntries(event.url.searchParams));
	let rows = matrix.rows;
	if (view.flagged) rows = rows.filter((r) => r.flagged);
	if (view.band !== undefined) {
		const label = matrix.bands[view.band]?.label;
		rows = rows.filter((r) => r.cells.some((c) => c.teacherBand === label));
	}
	if (view.sort === 'selfGap') rows = [...rows].sort((a, b) => b.largestSelfGap - a.largestSelfGap);
	if (view.sort === 'peerGap') rows = [...rows].sort((a, b) => b.largestPeerGap - a.largestPeerGap);
	return {
		...matrix,
		rows,
		totalLearners: matrix.rows.length,
		view: { sort: view.sort, band: view.band ?? '', flagged: Boolean(view.flagged) },
		teachers: (await schoolTeachers(db, teacher.schoolId)).map((t) => ({
			id: t.id,
			name: displayName(t)
		}))
	};
};

export const actions: Actions = {
	addMarker: async (event) => {
		const teacher = requireRole(event, 'teacher', 'admin');
		const task = await requireTaskToTeach(getDb(), teacher, idParam(event.params.taskId, 'task'));
		const form = await event.request.formData();
		return actOn(async () => {
			await addMarker(getDb(), teacher, task, idSchema.parse(form.get('markerId')));
			return {
				ok: true,
				message:
					'Marker added: they can now mark this task, and their grades appear here beside yours.'
			};
		});
	}
};
