import { fail, redirect } from '@sveltejs/kit';
import { requireClassAccess, requireRole } from '$lib/server/auth/guards';
import { getDb } from '$lib/server/db/connection';
import { listScales } from '$lib/server/scales/scales';
import { createTask } from '$lib/server/tasks/tasks';
import { actOn, idParam } from '$lib/server/http';
import { taskSettingsSchema } from '$lib/schemas/tasks';
import { fieldErrors, formFields } from '$lib/schemas/forms';
import type { Actions, PageServerLoad, RequestEvent } from './$types';

async function teachersClass(event: RequestEvent) {
	const teacher = requireRole(event, 'teacher', 'admin');
	const schoolClass = await requireClassAccess(
		getDb(),
		teacher,
		idParam(event.params.classId, 'class'),
		'teach'
	);
	return { teacher, schoolClass };
}

export const load: PageServerLoad = async (event) => {
	const { teacher, schoolClass } = await teachersClass(event);
	return {
		schoolClass: { id: schoolClass.id, name: schoolClass.name },
		scales: await listScales(getDb(), teacher.schoolId)
	};
};

export const actions: Actions = {
	default: async (event) => {
		const { teacher, schoolClass } = await teachersClass(event);
		const fields = formFields(await event.request.formData());
		const parsed = taskSettingsSchema.safeParse(fields);
		if (!parsed.success) return fail(400, { values: fields, ...fieldErrors(parsed.error) });
		return actOn(
			async () => {
				const taskId = await createTask(getDb(), teacher, schoolClass.id, parsed.data);
				redirect(303, `/teacher/tasks/${taskId}?created=1`);
			},
			() => ({ values: fields, errors: {} as Record<string, string> })
		);
	}
};
