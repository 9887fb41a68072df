import { fail } from '@sveltejs/kit';
import { z } from 'zod';
import { requireClassAccess, requireRole } from '$lib/server/auth/guards';
import { getDb } from '$lib/server/db/connection';
import {
	assignTeacher,
	classMembers,
	enrolLearners,
	removeTeacher,
	unenrolLearner
} from '$lib/server/classes/classes';
import { listSchoolPeople, studentsToEnrol } from '$lib/server/people/accounts';
import { actOn, idParam } from '$lib/server/http';
import { idSchema } from '$lib/schemas/people';
import type { Actions, PageServerLoad, RequestEvent } from './$types';

async function adminsClass(event: RequestEvent) {
	const admin = requireRole(event, 'admin');
	const schoolClass = await requireClassAccess(
		getDb(),
		admin,
		idParam(event.params.classId, 'class'),
		'teach'
	);
	return { admin, schoolClass };
}

/** `?find=`: the name or username of students to enrol (a big school's are not listed whole). */
const findSchema = z.string().trim().max(100).optional().catch(undefined);

export const load: PageServerLoad = async (event) => {
	const { admin, schoolClass } = await adminsClass(event);
	const db = getDb();
	const find = findSchema.parse(event.url.searchParams.get('find') ?? undefined) || undefined;
	const [members, teachers, toEnrol] = await Promise.all([
		classMembers(db, schoolClass.id),
		listSchoolPeople(db, admin.schoolId, { role: 'teacher' }),
		studentsToEnrol(
			db,
			admin.schoolId,
			{ id: schoolClass.id, yearGroup: schoolClass.year_group },
			find
		)
	]);
	const teaching = new Set(members.teachers.map((m) => m.id));
	return {
		schoolClass: {
			id: schoolClass.id,
			name: schoolClass.name,
			yearGroup: schoolClass.year_group,
			subject: schoolClass.subject
		},
		members,
		availableTeachers: teachers.filter((t) => !teaching.has(t.id) && t.active),
		availableStudents: toEnrol.students,
		studentsNotInClass: toEnrol.total,
		find: find ?? ''
	};
};

const personField = z.object({ userId: idSchema });
const learnersField = z.array(idSchema).min(1, 'Choose at least one student to enrol.').max(500);

export const actions: Actions = {
	assignTeacher: async (event) => {
		const { admin, schoolClass } = await adminsClass(event);
		const parsed = personField.safeParse(Object.fromEntries(await event.request.formData()));
		if (!parsed.success) return fail(400, { message: 'Choose a teacher to assign.' });
		return actOn(async () => {
			await assignTeacher(getDb(), admin.schoolId, admin.id, schoolClass.id, parsed.data.userId);
			return { ok: true, message: 'Teacher assigned.' };
		});
	},
	removeTeacher: async (event) => {
		const { admin, schoolClass } = await adminsClass(event);
		const parsed = personField.safeParse(Object.fromEntries(await event.request.formData()));
		if (!parsed.success) return fail(400, { message: 'That is not a teacher of this class.' });
		return actOn(async () => {
			await removeTeacher(getDb(), admin.schoolId, admin.id, schoolClass.id, parsed.data.userId);
			return { ok: true, message: 'Teacher removed from the class.' };
		});
	},
	enrol: async (event) => {
		const { admin, schoolClass } = await adminsClass(event);
		const parsed = learnersField.safeParse((await event.request.formData()).getAll('learnerIds'));
		if (!parsed.success)
			return fail(400, { message: parsed.error.issues[0]?.message ?? 'Choose students to enrol.' });
		return actOn(async () => {
			await enrolLearners(getDb(), admin.schoolId, admin.id, schoolClass.id, parsed.data);
			return {
				ok: true,
				message: `${parsed.data.length} ${parsed.data.length === 1 ? 'student' : 'students'} enrolled.`
			};
		});
	},
	unenrol: async (event) => {
		const { admin, schoolClass } = await adminsClass(event);
		const parsed = personField.safeParse(Object.fromEntries(await event.request.formData()));
		if (!parsed.success) return fail(400, { message: 'That is not a student of this class.' });
		return actOn(async () => {
			await unenrolLearner(getDb(), admin.schoolId, admin.id, schoolClass.id, parsed.data.userId);
			return { ok: true, message: 'Student removed from the class. Their work is kept.' };
		});
	}
};
