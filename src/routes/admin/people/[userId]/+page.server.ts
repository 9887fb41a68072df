import { error } from '@sveltejs/kit';
import { requireRole } from '$lib/server/auth/guards';
import { getDb } from '$lib/server/db/connection';
import { getSchoolPerson, resetPassword, setAccountActive } from '$lib/server/people/accounts';
import { listLearnerClasses, listTeacherClasses } from '$lib/server/classes/classes';
import { eraseLearner } from '$lib/server/privacy/privacy';
import { actOn, idParam } from '$lib/server/http';
import type { Actions, PageServerLoad, RequestEvent } from './$types';

async function personInAdminsSchool(event: RequestEvent) {
	const admin = requireRole(event, 'admin');
	const person = await getSchoolPerson(
		getDb(),
		admin.schoolId,
		idParam(event.params.userId, 'person')
	);
	if (!person) error(404, 'That person does not exist, or is not in your school.');
	return { admin, person };
}

export const load: PageServerLoad = async (event) => {
	const { person, admin } = await personInAdminsSchool(event);
	const db = getDb();
	const [learning, teaching] = await Promise.all([
		listLearnerClasses(db, person.id),
		listTeacherClasses(db, person.id)
	]);
	return { person, learning, teaching, isSelf: person.id === admin.id };
};

export const actions: Actions = {
	erase: async (event) => {
		const { admin, person } = await personInAdminsSchool(event);
		const form = await event.request.formData();
		return actOn(async () => {
			await eraseLearner(getDb(), admin, person.id, String(form.get('confirmUsername') ?? ''));
			return {
				ok: true,
				erased: true,
				message:
					'Erased: the learner’s name, words, files, badges, sign-in records and the exports that held their report are gone, and the audit log no longer names them; their results stay, anonymous, in teachers’ task records.'
			};
		});
	},
	resetPassword: async (event) => {
		const { admin, person } = await personInAdminsSchool(event);
		const password = await resetPassword(getDb(), admin.schoolId, admin.id, person.id);
		return { ok: true, newPassword: password };
	},
	deactivate: async (event) => {
		const { admin, person } = await personInAdminsSchool(event);
		return actOn(async () => {
			await setAccountActive(getDb(), admin.schoolId, admin.id, person.id, false);
			return { ok: true, statusChanged: true, message: 'Account deactivated.' };
		});
	},
	reactivate: async (event) => {
		const { admin, person } = await personInAdminsSchool(event);
		await setAccountActive(getDb(), admin.schoolId, admin.id, person.id, true);
		return { ok: true, statusChanged: true, message: 'Account reactivated.' };
	}
};
