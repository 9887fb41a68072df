import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isHttpError } from '@sveltejs/kit';
import type { DB } from '../../src/lib/server/db/connection';
import {
	requireClassAccess,
	requireLearnerAccess,
	rolesRequiredFor
} from '../../src/lib/server/auth/guards';
import {
	assignTeacher,
	classMembers,
	createClass,
	enrolLearners,
	listLearnerClasses,
	listSchoolClasses,
	listTeacherClasses
} from '../../src/lib/server/classes/classes';
import { listSchoolPeople } from '../../src/lib/server/people/accounts';
import { schoolOverview } from '../../src/lib/server/people/overview';
import { insertSchool, planSchool, schoolOfSize } from '../../src/lib/server/db/seed';
import { demoDatabase, sessionUser, userId } from './helpers';

let db: DB;
let schoolId: number;
beforeEach(async () => ({ db, schoolId } = await demoDatabase()));
afterEach(async () => db.destroy());

async function statusOf(promise: Promise<unknown>): Promise<number> {
	try {
		await promise;
		return 200;
	} catch (e) {
		if (isHttpError(e)) return e.status;
		throw e;
	}
}

describe('class lists', () => {
	it('a teacher sees only their classes, a learner only theirs, with counts and teacher names', async () => {
		const teacherClasses = await listTeacherClasses(db, await userId(db, 'teacher'));
		expect(teacherClasses).toHaveLength(1);
		expect(teacherClasses[0]).toMatchObject({ id: 1, learnerCount: 15 });
		expect(teacherClasses[0]!.teacherNames).toMatch(/^\S+ \S+$/);
		const learnerClasses = await listLearnerClasses(db, await userId(db, 'student16'));
		expect(learnerClasses.map((c) => c.id)).toEqual([2]);
		expect((await listSchoolClasses(db, schoolId)).map((c) => c.learnerCount).sort()).toEqual([
			12, 15
		]);
	});

	it('creating, assigning and enrolling shows up in the members, and refuses the wrong role', async () => {
		const admin = await userId(db, 'admin');
		const classId = await createClass(db, schoolId, admin, { name: '12S Sociology' });
		await assignTeacher(db, schoolId, admin, classId, await userId(db, 'teacher2'));
		await enrolLearners(db, schoolId, admin, classId, [
			await userId(db, 'student1'),
			await userId(db, 'student2')
		]);
		const members = await classMembers(db, classId);
		expect(members.teachers.map((t) => t.username)).toEqual(['teacher2']);
		expect(members.learners.map((l) => l.username).sort()).toEqual(['student1', 'student2']);
		await expect(
			assignTeacher(db, schoolId, admin, classId, await userId(db, 'student3'))
		).rejects.toThrow(/not a teacher/);
		await expect(
			enrolLearners(db, schoolId, admin, classId, [await userId(db, 'teacher')])
		).rejects.toThrow(/not a student/);
		await expect(createClass(db, schoolId, admin, { name: '12S Sociology' })).rejects.toThrow(
			/already a class/
		);
	});

	it('people can be filtered by role and searched, with wildcards taken literally', async () => {
		expect(await listSchoolPeople(db, schoolId, { role: 'teacher' })).toHaveLength(2);
		expect(
			(await listSchoolPeople(db, schoolId, { search: 'student2' })).map((p) => p.username).sort()
		).toEqual(
			[
				'student2',
				'student20',
				'student21',
				'student22',
				'student23',
				'student24',
				'student25',
				'student26',
				'student27'
			].sort()
		);
		expect(await listSchoolPeople(db, schoolId, { search: '%' })).toHaveLength(0);
		expect(await schoolOverview(db, schoolId)).toMatchObject({
			students: 27,
			teachers: 2,
			admins: 1,
			classes: 2
		});
	});
});

describe('guards', () => {
	it('class access: its teacher and the admin may teach; its learners may only learn; others are refused', async () => {
		expect(
			await statusOf(requireClassAccess(db, await sessionUser(db, 'teacher'), 1, 'teach'))
		).toBe(200);
		expect(await statusOf(requireClassAccess(db, await sessionUser(db, 'admin'), 1, 'teach'))).toBe(
			200
		);
		expect(
			await statusOf(requireClassAccess(db, await sessionUser(db, 'teacher2'), 1, 'teach'))
		).toBe(403);
		expect(
			await statusOf(requireClassAccess(db, await sessionUser(db, 'student1'), 1, 'learn'))
		).toBe(200);
		expect(
			await statusOf(requireClassAccess(db, await sessionUser(db, 'student1'), 1, 'teach'))
		).toBe(403);
		expect(
			await statusOf(requireClassAccess(db, await sessionUser(db, 'student16'), 1, 'view'))
		).toBe(403);
		expect(
			await statusOf(requireClassAccess(db, await sessionUser(db, 'teacher'), 999, 'view'))
		).toBe(404);
	});

	it('a class of another school is reported missing, even to that school’s admin', async () => {
		const other = planSchool({ ...schoolOfSize(10, 1, 99), slug: 'other' });
		other.people = other.people.map((p) => ({ ...p, username: `other-${p.username}` }));
		other.classes = other.classes.map((c) => ({
			...c,
			teachers: c.teachers.map((t) => `other-${t}`),
			learners: c.learners.map((l) => `other-${l}`)
		}));
		await insertSchool(db, other, 'pw');
		const otherClass = await db
			.selectFrom('classes')
			.select('id')
			.where('name', '=', other.classes[0]!.name)
			.where('school_id', '!=', schoolId)
			.executeTakeFirstOrThrow();
		expect(
			await statusOf(requireClassAccess(db, await sessionUser(db, 'admin'), otherClass.id, 'teach'))
		).toBe(404);
		expect(
			await statusOf(
				requireLearnerAccess(db, await sessionUser(db, 'admin'), await userId(db, 'other-student1'))
			)
		).toBe(404);
	});

	it('learner access: self, their teacher and the admin; not another teacher or learner', async () => {
		const learner = await userId(db, 'student2');
		expect(
			await statusOf(requireLearnerAccess(db, await sessionUser(db, 'student2'), learner))
		).toBe(200);
		expect(
			await statusOf(requireLearnerAccess(db, await sessionUser(db, 'teacher'), learner))
		).toBe(200);
		expect(await statusOf(requireLearnerAccess(db, await sessionUser(db, 'admin'), learner))).toBe(
			200
		);
		expect(
			await statusOf(requireLearnerAccess(db, await sessionUser(db, 'teacher2'), learner))
		).toBe(403);
		expect(
			await statusOf(requireLearnerAccess(db, await sessionUser(db, 'student3'), learner))
		).toBe(403);
	});

	it('the hook’s path rules cover the role areas and nothing else', () => {
		expect(rolesRequiredFor('/admin')).toEqual(['admin']);
		expect(rolesRequiredFor('/admin/people/4')).toEqual(['admin']);
		expect(rolesRequiredFor('/administrator')).toBeUndefined();
		expect(rolesRequiredFor('/teacher/classes/1')).toEqual(['teacher', 'admin']);
		expect(rolesRequiredFor('/student')).toEqual(['student']);
		expect(rolesRequiredFor('/login')).toBeUndefined();
	});
});
