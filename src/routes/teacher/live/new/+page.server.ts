import { redirect } from '@sveltejs/kit';
import { z } from 'zod';
import { requireRole } from '$lib/server/auth/guards';
import { getDb } from '$lib/server/db/connection';
import { liveSessionOptions, startLiveSession } from '$lib/server/live/live';
import { actOn } from '$lib/server/http';
import { idSchema } from '$lib/schemas/people';
import { formFields } from '$lib/schemas/forms';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const teacher = requireRole(event, 'teacher', 'admin');
	const taskId = idSchema.safeParse(event.url.searchParams.get('task'));
	return liveSessionOptions(getDb(), teacher, taskId.success ? taskId.data : null);
};

const startSchema = z.object({
	classId: idSchema,
	taskId: z.union([z.literal('').transform(() => null), idSchema]).default(null),
	criterionId: idSchema,
	exemplarTitle: z
		.string()
		.trim()
		.min(1, 'Give the exemplar a title.')
		.max(200, 'Keep the title under 200 characters.'),
	exemplarBody: z
		.string()
		.trim()
		.max(10000, 'Keep the exemplar under 10,000 characters.')
		.default('')
});

export const actions: Actions = {
	default: async (event) => {
		const teacher = requireRole(event, 'teacher', 'admin');
		const fields = formFields(await event.request.formData());
		const result = await actOn(async () => ({
			id: await startLiveSession(getDb(), teacher, startSchema.parse(fields))
		}));
		if ('id' in result) redirect(303, `/teacher/live/${result.id}`);
		return result;
	}
};
