import { describe, expect, it } from 'vitest';
import type { RequestEvent } from '@sveltejs/kit';
import { pageWindow } from '../../src/lib/domain/paging';
import {
	getSchoolPerson,
	listSchoolPeople,
	PEOPLE_PER_PAGE,
	schoolPeoplePage,
	setAccountActive,
	STUDENTS_OFFERED_TO_ENROL,
	studentsToEnrol
} from '../../src/lib/server/people/accounts';
import { schoolOfSize } from '../../src/lib/server/db/seed';
import { closeDb } from '../../src/lib/server/db/connection';
import { load as peoplePage } from '../../src/routes/admin/people/+page.server';
import { load as classPage } from '../../src/routes/admin/classes/[classId]/+page.server';
import { demoDatabase, prefixedSchool, serveAppFrom, sessionUser, userId } from './helpers';

describe('pageWindow', () => {
	it('says which rows a page shows, and keeps the page asked for within the pages there are', () => {
		expect(pageWindow(250, 1, 100)).toEqual({
			page: 1,
			pages: 3,
			total: 250,
			perPage: 100,
			offset: 0,
			first: 1,
			last: 100
		});
		expect(pageWindow(250, 3, 100)).toMatchObject({ page: 3, offset: 200, first: 201, last: 250 });
		// Past the end (a filter or people removed meanwhile): the last page, not nothing.
		expect(pageWindow(250, 9, 100)).toMatchObject({ page: 3, first: 201, last: 250 });
		for (const asked of [undefined, 0, -2, 1.5, Number.NaN])
			expect(pageWindow(250, asked, 100).page).toBe(1);
		expect(pageWindow(0, 4, 100)).toMatchObject({ page: 1, pages: 1, first: 0, last: 0 });
		expect(pageWindow(200, 2, 100)).toMatchObject({ pages: 2, first: 101, last: 200 });
	});
});

describe('the People list, a page at a time', () => {
	it('pages through everyone a filter picks out exactly once, in the order of the whole list', async () => {
		const { db, schoolId } = await demoDatabase();
		for (const filter of [{}, { role: 'student' as const }, { search: 'student1' }]) {
			const everyone = (await listSchoolPeople(db, schoolId, filter)).map((p) => p.id);
			const first = await schoolPeoplePage(db, schoolId, filter, 1, 7);
			expect(first.position.total).toBe(everyone.length);
			const paged: number[] = [];
			for (let page = 1; page <= first.position.pages; page++) {
				const { people, position } = await schoolPeoplePage(db, schoolId, filter, page, 7);
				expect(people.length).toBe(position.last - position.first + 1);
				paged.push(...people.map((p) => p.id));
			}
			expect(paged, JSON.stringify(filter)).toEqual(everyone);
		}
		// A page past the end is the last page.
		const last = await schoolPeoplePage(db, schoolId, {}, 999, 7);
		expect(last.position.page).toBe(last.position.pages);
		expect(last.people.length).toBeGreaterThan(0);
		await db.destroy();
	});

	it('the admin sees 100 people a page of a big school, their own school only; a person’s page reads only that person', async () => {
		const { db, schoolId } = await demoDatabase();
		const { schoolId: bigSchool } = await prefixedSchool(db, 'big', schoolOfSize(230, 8));
		serveAppFrom(db);
		await closeDb();
		const admin = await sessionUser(db, 'big-admin');
		const load = async (query: string) =>
			(await peoplePage({
				locals: { user: admin, session: null },
				url: new URL(`http://localhost/admin/people${query}`)
			} as unknown as RequestEvent as never)) as Awaited<ReturnType<typeof schoolPeoplePage>> & {
				filter: Record<string, string>;
			};
		const everyone = await listSchoolPeople(db, bigSchool);
		expect(everyone.length).toBeGreaterThan(2 * PEOPLE_PER_PAGE);

		const first = await load('');
		expect(first.people).toHaveLength(PEOPLE_PER_PAGE);
		expect(first.position).toMatchObject({ page: 1, total: everyone.length, pages: 3 });
		const third = await load('?page=3&role=');
		expect(third.people.map((p) => p.id)).toEqual(everyone.slice(200).map((p) => p.id));
		// A nonsense page is the first; a filter counts and pages what it picks out.
		expect((await load('?page=abc')).position.page).toBe(1);
		const students = await load('?role=student&page=2');
		expect(students.position.total).toBe(230);
		expect(students.people.every((p) => p.roles.includes('student'))).toBe(true);
		// No one of the demo school is on any page of this school's list.
		const demoIds = new Set((await listSchoolPeople(db, schoolId)).map((p) => p.id));
		for (const page of [first, await load('?page=2'), third])
			expect(page.people.some((p) => demoIds.has(p.id))).toBe(false);

		// One person, found by id in their school; another school's person is not found.
		const someone = everyone[150]!;
		expect(await getSchoolPerson(db, bigSchool, someone.id)).toEqual(someone);
		expect(await getSchoolPerson(db, schoolId, someone.id)).toBeUndefined();
		expect(await getSchoolPerson(db, bigSchool, await userId(db, 'student1'))).toBeUndefined();
		await db.destroy();
	}, 60_000);

	it('is refused to a teacher of the school', async () => {
		const { db } = await demoDatabase();
		const teacher = await sessionUser(db, 'teacher');
		await expect(
			peoplePage({
				locals: { user: teacher, session: null },
				url: new URL('http://localhost/admin/people')
			} as unknown as RequestEvent as never)
		).rejects.toMatchObject({ status: 403 });
		await db.destroy();
	});
});

describe('students offered to enrol in a class', () => {
	it('offers at most 60 of a big school, the class’s year group first, found by name; never its own learners, deactivated ones or another school’s', async () => {
		const { db, schoolId } = await demoDatabase();
		const { schoolId: bigSchool } = await prefixedSchool(db, 'big', schoolOfSize(230, 8));
		const schoolClass = await db
			.selectFrom('classes')
			.select(['id', 'year_group as yearGroup'])
			.where('school_id', '=', bigSchool)
			.orderBy('id')
			.executeTakeFirstOrThrow();
		const inClass = new Set(
			(
				await db
					.selectFrom('enrolments')
					.select('learner_id')
					.where('class_id', '=', schoolClass.id)
					.execute()
			).map((e) => e.learner_id)
		);
		const students = (await listSchoolPeople(db, bigSchool, { role: 'student' })).filter(
			(s) => !inClass.has(s.id)
		);
		const offered = await studentsToEnrol(db, bigSchool, schoolClass, undefined);
		expect(offered.total).toBe(students.length);
		expect(offered.students).toHaveLength(STUDENTS_OFFERED_TO_ENROL);
		expect(offered.students.some((s) => inClass.has(s.id))).toBe(false);
		// The class's year group first, each part by name.
		const sameYear = students.filter((s) => s.yearGroup === schoolClass.yearGroup);
		const expected = [...sameYear, ...students.filter((s) => s.yearGroup !== schoolClass.yearGroup)]
			.slice(0, STUDENTS_OFFERED_TO_ENROL)
			.map((s) => s.id);
		expect(offered.students.map((s) => s.id)).toEqual(expected);

		// Found by name or username; a deactivated student is not offered.
		const someone = students.at(-1)!;
		const found = await studentsToEnrol(db, bigSchool, schoolClass, someone.username);
		expect(found.students.map((s) => s.id)).toContain(someone.id);
		const admin = await sessionUser(db, 'big-admin');
		await setAccountActive(db, bigSchool, admin.id, someone.id, false);
		expect(
			(await studentsToEnrol(db, bigSchool, schoolClass, someone.username)).students.map(
				(s) => s.id
			)
		).not.toContain(someone.id);
		// The demo school's students are never offered.
		const demo = new Set((await listSchoolPeople(db, schoolId)).map((p) => p.id));
		const all = await studentsToEnrol(db, bigSchool, schoolClass, undefined, 1000);
		expect(all.students.some((s) => demo.has(s.id))).toBe(false);

		// The class page: its search in the URL, what it found and how many there are.
		serveAppFrom(db);
		await closeDb();
		const page = (await classPage({
			locals: { user: admin, session: null },
			params: { classId: String(schoolClass.id) },
			url: new URL(`http://localhost/admin/classes/${schoolClass.id}?find=big-student1`)
		} as never)) as {
			availableStudents: { username: string }[];
			studentsNotInClass: number;
			find: string;
		};
		expect(page.find).toBe('big-student1');
		expect(page.availableStudents.length).toBeGreaterThan(0);
		expect(page.availableStudents.every((s) => s.username.includes('big-student1'))).toBe(true);
		// big-student1, 10–19 and 100–199 match: more than are offered at once.
		expect(page.studentsNotInClass).toBe(
			(await studentsToEnrol(db, bigSchool, schoolClass, 'big-student1', 1000)).total
		);
		expect(page.availableStudents).toHaveLength(STUDENTS_OFFERED_TO_ENROL);
		// Another school's admin is refused the class.
		await expect(
			classPage({
				locals: { user: await sessionUser(db, 'admin'), session: null },
				params: { classId: String(schoolClass.id) },
				url: new URL(`http://localhost/admin/classes/${schoolClass.id}`)
			} as never)
		).rejects.toMatchObject({ status: 404 });
		await db.destroy();
	}, 60_000);
});
