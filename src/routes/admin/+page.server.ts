import { fail } from '@sveltejs/kit';
import { z } from 'zod';
import { requireRole } from '$lib/server/auth/guards';
import { getDb } from '$lib/server/db/connection';
import { schoolOverview } from '$lib/server/people/overview';
import { adminHome } from '$lib/server/home/admin-home';
import {
	emailIsOn,
	schoolEmailMinimumAge,
	setSchoolEmailMinimumAge
} from '$lib/server/notifications/email-settings';
import { formFields } from '$lib/schemas/forms';
import type { Actions, PageServerLoad } from './$types';

const emailAgeSchema = z.object({
	minimumAge: z.coerce
		.number({ message: 'Give an age in years.' })
		.int('Give a whole number of years.')
		.min(4, 'The youngest pupils are 4 (Reception).')
		.max(19, 'Give an age of 19 or under (19 means no pupil is e-mailed).')
});

export const load: PageServerLoad = async (event) => {
	const admin = requireRole(event, 'admin');
	const db = getDb();
	const [overview, toDo, emailMinimumAge] = await Promise.all([
		schoolOverview(db, admin.schoolId),
		adminHome(db, admin.schoolId, new Date()),
		schoolEmailMinimumAge(db, admin.schoolId)
	]);
	return { overview, toDo, email: { on: emailIsOn(), minimumAge: emailMinimumAge } };
};

export const actions: Actions = {
	emailAge: async (event) => {
		const admin = requireRole(event, 'admin');
		const parsed = emailAgeSchema.safeParse(formFields(await event.request.formData()));
		if (!parsed.success)
			return fail(400, { message: parsed.error.issues[0]?.message ?? 'Give an age in years.' });
		await setSchoolEmailMinimumAge(getDb(), admin, parsed.data.minimumAge);
		return {
			ok: true,
			message: `Saved: pupils younger than ${parsed.data.minimumAge} get no e-mail.`
		};
	}
};
