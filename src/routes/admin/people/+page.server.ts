import { fail } from '@sveltejs/kit';
import { z } from 'zod';
import { requireRole } from '$lib/server/auth/guards';
import { getDb } from '$lib/server/db/connection';
import { createPerson, listSchoolPeople, PEOPLE_TO_DO } from '$lib/server/people/accounts';
import { actOn } from '$lib/server/http';
import { newUserSchema, roleSchema } from '$lib/schemas/people';
import { fieldErrors, formFields } from '$lib/schemas/forms';
import type { Actions, PageServerLoad } from './$types';

const filterSchema = z.object({
	role: roleSchema.optional().catch(undefined),
	q: z.string().trim().max(100).optional().catch(undefined),
	show: z.enum(PEOPLE_TO_DO).optional().catch(undefined)
});

export const load: PageServerLoad = async (event) => {
	const admin = requireRole(event, 'admin');
	const filter = filterSchema.parse(Object.fromEntries(event.url.searchParams));
	const people = await listSchoolPeople(getDb(), admin.schoolId, {
		role: filter.role,
		search: filter.q,
		show: filter.show
	});
	return {
		people,
		filter: { role: filter.role ?? '', q: filter.q ?? '', show: filter.show ?? '' }
	};
};

export const actions: Actions = {
	create: async (event) => {
		const admin = requireRole(event, 'admin');
		const fields = formFields(await event.request.formData());
		const parsed = newUserSchema.safeParse(fields);
		if (!parsed.success) return fail(400, { values: fields, ...fieldErrors(parsed.error) });
		return actOn(
			async () => {
				const { userId, initialPassword } = await createPerson(
					getDb(),
					admin.schoolId,
					admin.id,
					parsed.data
				);
				return { ok: true, created: { userId, username: parsed.data.username, initialPassword } };
			},
			(message) => ({ values: fields, errors: { username: message } })
		);
	}
};
