import { error, fail } from '@sveltejs/kit';
import { requireRole } from '$lib/server/auth/guards';
import { getDb } from '$lib/server/db/connection';
import { AccountError, getSchoolPerson, resetPassword, setAccountActive } from '$lib/server/people/accounts';
import { listLearnerClasses, listTeacherClasses } from '$lib/server/classes/classes';
import { idSchema } from '$lib/schemas/people';
import { eraseLearner } from '$lib/server/privacy/privacy';
import { actOn } from '$lib/server/http';
import type { Actions, PageServerLoad, RequestEvent } from './$types';

async function personInAdminsSchool(event: RequestEvent) {
	const admin = requireRole(event, 'admin');
	const userId = idSchema.safeParse(event.params.userId);
	if (!userId.success) error(404, 'That person does not exist.');
	const person = await getSchoolPerson(getDb(), admin.schoolId, userId.data);
	if (!person) error(404, 'That person does not exist, or is not in your school.');
	return { admin, person };
}

export const load: PageServerLoad = async (event) => {
	const { person, admin } = await personInAdminsSchool(event);
	const db = getDb();
	const [learning, teaching] = await Promise.all([listLearnerClasses(db, person.id), listTeacherClasses(db, person.id)]);
	return { person, learning, teaching, isSelf: person.id === admin.id };
};

export const actions: Actions = {
	erase: async (event) => {
		const { admin, person } = await personInAdminsSchool(event);
		const form = await event.request.formData();
		return actOn(async () => {
			await eraseLearner(getDb(), admin, person.id, String(form.get('confirmUsername') ?? ''));
			return { erased: true };
		});
	},
	resetPassword: async (event) => {
		const { admin, person } = await personInAdminsSchool(event);
		const password = await resetPassword(getDb(), admin.schoolId, admin.id, person.id);
		return { newPassword: password };
	},
	deactivate: async (event) => {
		const { admin, person } = await personInAdminsSchool(event);
		try {
			await setAccountActive(getDb(), admin.schoolId, admin.id, person.id, false);
		} catch (e) {
			if (e instanceof AccountError) return fail(400, { message: e.message });
			throw e;
		}
		return { statusChanged: 'deactivated' };
	},
	reactivate: async (event) => {
		const { admin, person } = await personInAdminsSchool(event);
		await setAccountActive(getDb(), admin.schoolId, admin.id, person.id, true);
		return { statusChanged: 'reactivated' };
	}
};
