import { fail, redirect } from '@sveltejs/kit';
import { requireRole } from '$lib/server/auth/guards';
import { getDb } from '$lib/server/db/connection';
import { createClass, listSchoolClasses } from '$lib/server/classes/classes';
import { actOn } from '$lib/server/http';
import { classSchema } from '$lib/schemas/people';
import { fieldErrors, formFields } from '$lib/schemas/forms';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const admin = requireRole(event, 'admin');
	return { classes: await listSchoolClasses(getDb(), admin.schoolId) };
};

export const actions: Actions = {
	create: async (event) => {
		const admin = requireRole(event, 'admin');
		const fields = formFields(await event.request.formData());
		const parsed = classSchema.safeParse(fields);
		if (!parsed.success) return fail(400, { values: fields, ...fieldErrors(parsed.error) });
		return actOn(
			async () => {
				const classId = await createClass(getDb(), admin.schoolId, admin.id, parsed.data);
				redirect(303, `/admin/classes/${classId}`);
			},
			(message) => ({ values: fields, errors: { name: message } })
		);
	}
};
