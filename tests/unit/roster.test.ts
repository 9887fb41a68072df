import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DB } from '../../src/lib/server/db/connection';
import {
	applyRosterImport,
	parseCsv,
	previewRosterImport,
	rosterProblemsCsv
} from '../../src/lib/server/roster/import';
import { parse } from 'csv-parse/sync';
import { detectFileKind } from '../../src/lib/domain/roster';
import { signIn } from '../../src/lib/server/auth/sign-in';
import { demoDatabase, secondSchool, userId } from './helpers';
import { openOwnHandout } from '../../src/lib/server/roster/handouts';

/** The one-time passwords an import made, as the importing admin downloads them. */
const handoutEntries = async (db: DB, schoolId: number, adminId: number, id: string) =>
	(await openOwnHandout(db, { id: adminId, schoolId }, id, 'passwords')).entries;

let db: DB;
let schoolId: number;
let adminId: number;
beforeEach(async () => {
	({ db, schoolId } = await demoDatabase());
	adminId = await userId(db, 'admin');
});
afterEach(async () => db.destroy());

const simple = (text: string) => [{ fileName: 'roster.csv', text }];

const ONE_ROSTER = [
	{
		fileName: 'users.csv',
		text: [
			'sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,userIds,givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password',
			'u-100,active,2026-09-01,true,org1,teacher,m.okafor,,Maria,Okafor,,,m.okafor@school.example,,,,,',
			'u-101,active,2026-09-01,true,org1,student,l.chen,,Lin,Chen,,,,,,,09,',
			'u-102,active,2026-09-01,true,org1,student,r.ali,,Rami,Ali,,,,,,,09,'
		].join('\n')
	},
	{
		fileName: 'classes.csv',
		text: [
			'sourcedId,status,dateLastModified,title,grades,courseSourcedId,classCode,classType,location,schoolSourcedId,termSourcedIds,subjects',
			'c-9x,active,2026-09-01,9X Geography,09,course1,9XGE,scheduled,R12,org1,term1,Geography'
		].join('\n')
	},
	{
		fileName: 'enrollments.csv',
		text: [
			'sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role,primary,beginDate,endDate',
			'e1,active,2026-09-01,c-9x,org1,u-100,teacher,true,,',
			'e2,active,2026-09-01,c-9x,org1,u-101,student,false,,',
			'e3,active,2026-09-01,c-9x,org1,u-102,student,false,,'
		].join('\n')
	}
];

describe('CSV reading', () => {
	it('handles a BOM, quoted commas and names with apostrophes', () => {
		const file = parseCsv({
			fileName: 'x.csv',
			text: '\uFEFFusername,given_name,family_name,role,class\r\nn.obrien,"Niamh, Jr",O\'Brien,student,"9B Design, Tech"\r\n'
		});
		expect(file.header).toEqual(['username', 'given_name', 'family_name', 'role', 'class']);
		expect(file.records[0]).toMatchObject({
			given_name: 'Niamh, Jr',
			family_name: "O'Brien",
			class: '9B Design, Tech'
		});
	});

	it('recognises each accepted file by its columns', () => {
		expect(detectFileKind(['username', 'given_name', 'family_name', 'role', 'class'])).toBe(
			'simple'
		);
		expect(detectFileKind(['sourcedid', 'username', 'givenname', 'familyname', 'role'])).toBe(
			'oneroster-users'
		);
		expect(detectFileKind(['sourcedid', 'title', 'grades'])).toBe('oneroster-classes');
		expect(detectFileKind(['sourcedid', 'classsourcedid', 'usersourcedid', 'role'])).toBe(
			'oneroster-enrollments'
		);
		expect(detectFileKind(['sourcedid', 'usersourcedid', 'roletype', 'role', 'orgsourcedid'])).toBe(
			'oneroster-roles'
		);
		expect(detectFileKind(['name', 'email'])).toBeNull();
	});
});

describe('roster preview', () => {
	it('marks each bad row with a reason and writes nothing', async () => {
		const before = await db
			.selectFrom('users')
			.select((eb) => eb.fn.countAll<number>().as('n'))
			.executeTakeFirstOrThrow();
		const plan = await previewRosterImport(
			db,
			schoolId,
			simple(
				[
					'username,given_name,family_name,role,class',
					'new.one,New,One,student,9A Design & Technology',
					'bad name!,Bad,Name,student,',
					'no.role,No,Role,wizard,',
					'new.one,Dup,Licate,student,',
					'student1,Changed,Role,teacher,'
				].join('\n')
			)
		);
		expect(plan.rows.map((r) => [r.line, r.errors.length > 0])).toEqual([
			[2, false],
			[3, true],
			[4, true],
			[5, true],
			[6, true]
		]);
		expect(plan.rows[1]!.errors.map((e) => e.reason).join()).toMatch(/letters, digits/);
		expect(plan.rows[2]!.errors.map((e) => e.reason).join()).toMatch(/Role must be/);
		expect(plan.rows[3]!.errors.map((e) => e.reason).join()).toMatch(/twice/);
		expect(plan.rows[4]!.errors.map((e) => e.reason).join()).toMatch(/already exists as student/);
		expect(plan.errorCount).toBe(4);
		const after = await db
			.selectFrom('users')
			.select((eb) => eb.fn.countAll<number>().as('n'))
			.executeTakeFirstOrThrow();
		expect(after.n).toBe(before.n);
	});

	it('refuses an unrecognised file with the columns it expected', async () => {
		const plan = await previewRosterImport(db, schoolId, [
			{ fileName: 'pupils.csv', text: 'name,email\nA,a@b.c' }
		]);
		expect(plan.fileErrors[0]).toMatch(/pupils\.csv: columns not recognised.*Expected/);
		expect(plan.errorCount).toBe(1);
	});

	it('reports enrolments that point at nobody', async () => {
		const plan = await previewRosterImport(db, schoolId, [
			{
				fileName: 'enrollments.csv',
				text: 'sourcedId,classSourcedId,userSourcedId,role\ne1,c-missing,u-missing,student'
			}
		]);
		expect(plan.rows[0]!.errors.map((e) => e.reason).join(' ')).toMatch(
			/No user with sourcedId u-missing.*No class with sourcedId c-missing/
		);
	});
});

describe('roster import', () => {
	it('imports a OneRoster set in one go, and a second import changes nothing', async () => {
		const { result } = await applyRosterImport(db, schoolId, adminId, ONE_ROSTER);
		expect(result).toMatchObject({ createdClasses: 1, enrolments: 3, updatedPeople: 0 });
		expect(result!.createdPeople.map((p) => p.username).sort()).toEqual([
			'l.chen',
			'm.okafor',
			'r.ali'
		]);
		const password = (await handoutEntries(db, schoolId, adminId, result!.handout!.id)).find(
			(p) => p.username === 'l.chen'
		)!.password;
		expect(password).toMatch(/^[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$/);
		expect((await signIn(db, 'l.chen', password, { ip: '10.0.0.1' })).kind).toBe('signed-in');

		const classRow = await db
			.selectFrom('classes')
			.selectAll()
			.where('source_id', '=', 'c-9x')
			.executeTakeFirstOrThrow();
		expect(classRow).toMatchObject({
			name: '9X Geography',
			year_group: '9', // OneRoster's "09" is year 9
			subject: 'Geography',
			school_id: schoolId
		});
		const teachers = await db
			.selectFrom('class_teachers')
			.select('teacher_id')
			.where('class_id', '=', classRow.id)
			.execute();
		expect(teachers.map((t) => t.teacher_id)).toEqual([await userId(db, 'm.okafor')]);

		const snapshot = async () => ({
			users: await db
				.selectFrom('users')
				.select(['username', 'given_name', 'family_name', 'source_id', 'password_hash'])
				.orderBy('id')
				.execute(),
			memberships: await db
				.selectFrom('memberships')
				.select(['user_id', 'role'])
				.orderBy('id')
				.execute(),
			classes: await db.selectFrom('classes').select(['name', 'source_id']).orderBy('id').execute(),
			enrolments: await db
				.selectFrom('enrolments')
				.select(['class_id', 'learner_id'])
				.orderBy('class_id')
				.orderBy('learner_id')
				.execute()
		});
		const first = await snapshot();
		const again = await applyRosterImport(db, schoolId, adminId, ONE_ROSTER);
		expect(again.result).toMatchObject({
			createdPeople: [],
			updatedPeople: 0,
			createdClasses: 0,
			enrolments: 0
		});
		expect(await snapshot()).toEqual(first);
	});

	it('matches on sourcedId on re-import and updates a changed name', async () => {
		await applyRosterImport(db, schoolId, adminId, ONE_ROSTER);
		const renamed = ONE_ROSTER.map((f) =>
			f.fileName === 'users.csv' ? { ...f, text: f.text.replace('Lin,Chen', 'Lin,Chen-Ward') } : f
		);
		const { result } = await applyRosterImport(db, schoolId, adminId, renamed);
		expect(result?.updatedPeople).toBe(1);
		const lin = await db
			.selectFrom('users')
			.select('family_name')
			.where('username', '=', 'l.chen')
			.executeTakeFirstOrThrow();
		expect(lin.family_name).toBe('Chen-Ward');
	});

	it('reads roles from a OneRoster 1.2 roles.csv when users.csv has none', async () => {
		const files = [
			{ fileName: 'users.csv', text: 'sourcedId,username,givenName,familyName\nu-7,k.ito,Kai,Ito' },
			{
				fileName: 'roles.csv',
				text: 'sourcedId,userSourcedId,roleType,role,orgSourcedId\nr1,u-7,primary,student,org1'
			}
		];
		const { result } = await applyRosterImport(db, schoolId, adminId, files);
		expect(result?.createdPeople[0]).toMatchObject({ username: 'k.ito', role: 'student' });
	});

	it('writes nothing at all when any row is bad (one transaction)', async () => {
		const { result, plan } = await applyRosterImport(
			db,
			schoolId,
			adminId,
			simple(
				'username,given_name,family_name,role,class\ngood.one,Good,One,student,New Class\n,Missing,Username,student,New Class'
			)
		);
		expect(result).toBeNull();
		expect(plan.errorCount).toBe(1);
		expect(
			await db
				.selectFrom('users')
				.select('id')
				.where('username', '=', 'good.one')
				.executeTakeFirst()
		).toBeUndefined();
		expect(
			await db.selectFrom('classes').select('id').where('name', '=', 'New Class').executeTakeFirst()
		).toBeUndefined();
	});

	it('creates classes from the simple form and enrols students and teachers', async () => {
		const { result } = await applyRosterImport(
			db,
			schoolId,
			adminId,
			simple(
				'username,given_name,family_name,role,class\nt.new,Tara,New,teacher,8C Art\ns.new,Sam,New,student,8C Art\nstudent1,Keep,Name,student,8C Art'
			)
		);
		expect(result).toMatchObject({ createdClasses: 1, enrolments: 3, updatedPeople: 1 });
		const art = await db
			.selectFrom('classes')
			.select('id')
			.where('name', '=', '8C Art')
			.executeTakeFirstOrThrow();
		const learners = await db
			.selectFrom('enrolments')
			.select('learner_id')
			.where('class_id', '=', art.id)
			.execute();
		expect(learners).toHaveLength(2);
		const audit = await db
			.selectFrom('audit_log')
			.selectAll()
			.where('action', '=', 'roster.import')
			.execute();
		expect(audit).toHaveLength(1);
	});
});

describe('OneRoster files without a manifest', () => {
	it('reads courses, sessions and orgs as what they are, never as classes, and skips guardians', async () => {
		const files = [
			...ONE_ROSTER.map((f) =>
				f.fileName === 'users.csv'
					? {
							...f,
							text: `${f.text}\nu-103,active,2026-09-01,true,org1,guardian,g.chen,,Gu,Chen,,,,,,u-101,,`
						}
					: f
			),
			{
				fileName: 'orgs.csv',
				text: 'sourcedId,status,dateLastModified,name,type\norg1,active,,Northbridge Academy,school'
			},
			{ fileName: 'courses.csv', text: 'sourcedId,title,orgSourcedId\ncourse1,Geography KS3,org1' },
			{ fileName: 'academicSessions.csv', text: 'sourcedId,title,type\nterm1,Autumn 2026,term' }
		];
		const { result, plan } = await applyRosterImport(db, schoolId, adminId, files);
		expect(plan.fileErrors).toEqual([]);
		expect(plan.skipped).toEqual([
			{ fileName: 'users.csv', reason: expect.stringMatching(/^guardians/), count: 1 }
		]);
		expect(result).toMatchObject({ createdClasses: 1, enrolments: 3 });
		const classes = await db
			.selectFrom('classes')
			.select(['name', 'course_title', 'term'])
			.where('source_id', 'is not', null)
			.execute();
		expect(classes).toEqual([
			{ name: '9X Geography', course_title: 'Geography KS3', term: 'Autumn 2026' }
		]);
	});
});

describe('roster preview and another school on the same server', () => {
	// Found by the red-team pass: the preview looked up sourcedIds among every school's people, so a
	// row naming another school's sourcedId came back with that person's username.
	it('says a sourcedId or username of another school is taken, and names nothing of that school', async () => {
		const { schoolId: otherId } = await secondSchool(db);
		await db
			.updateTable('users')
			.set({ source_id: 'u-elsewhere' })
			.where('username', '=', 'other-student1')
			.execute();
		await db
			.updateTable('classes')
			.set({ source_id: 'c-elsewhere' })
			.where('school_id', '=', otherId)
			.execute();
		const otherNames = [
			...(await db
				.selectFrom('users')
				.innerJoin('memberships', 'memberships.user_id', 'users.id')
				.select(['users.username', 'users.given_name', 'users.family_name'])
				.where('memberships.school_id', '=', otherId)
				.execute()),
			...(
				await db.selectFrom('classes').select('name').where('school_id', '=', otherId).execute()
			).map((c) => ({ username: c.name }))
		].flatMap((p) => Object.values(p) as string[]);
		expect(otherNames.length).toBeGreaterThan(5);

		const plan = await previewRosterImport(db, schoolId, [
			{
				fileName: 'users.csv',
				text: [
					'sourcedId,username,givenName,familyName,role',
					'u-elsewhere,new.person,New,Person,student',
					'u-200,other-student2,Same,Username,student',
					'u-201,fresh.one,Fresh,One,student'
				].join('\n')
			},
			{
				fileName: 'classes.csv',
				text: 'sourcedId,title\nc-elsewhere,9Z Drama\nc-200,9Y Music'
			},
			{
				fileName: 'enrollments.csv',
				text: [
					'sourcedId,classSourcedId,userSourcedId,role',
					'e1,c-200,u-elsewhere,student',
					'e2,c-elsewhere,u-201,student'
				].join('\n')
			}
		]);
		const errorsOf = (fileName: string, line: number) =>
			plan.rows
				.find((r) => r.fileName === fileName && r.line === line)!
				.errors.map((e) => e.reason)
				.join(' ');
		expect(errorsOf('users.csv', 2)).toMatch(
			/sourcedId u-elsewhere is already used in another school/
		);
		expect(errorsOf('users.csv', 3)).toMatch(/already used by someone in another school/);
		expect(errorsOf('users.csv', 4)).toBe('');
		expect(errorsOf('classes.csv', 2)).toMatch(
			/sourcedId c-elsewhere is already used in another school/
		);
		expect(errorsOf('enrollments.csv', 2)).toMatch(
			/User u-elsewhere is skipped: users.csv line 2 has a problem/
		);
		expect(errorsOf('enrollments.csv', 3)).toMatch(
			/Class c-elsewhere is skipped: classes.csv line 2 has a problem/
		);
		const shown = JSON.stringify(plan);
		// other-student2 was typed by this admin; nothing else of the other school comes back.
		for (const name of otherNames.filter((n) => n !== 'other-student2'))
			expect(shown, name).not.toContain(name);
	});
});

describe('OneRoster grades as year groups', async () => {
	const { yearGroupFromGrades } = await import('../../src/lib/domain/roster');
	it('reads "08" as year 8, the first of several, KG as Reception, and keeps other codes', () => {
		expect(yearGroupFromGrades('08')).toBe('8');
		expect(yearGroupFromGrades('10,11')).toBe('10');
		expect(yearGroupFromGrades(' 07 ')).toBe('7');
		expect(yearGroupFromGrades('KG')).toBe('Reception');
		expect(yearGroupFromGrades('UG')).toBe('UG');
		expect(yearGroupFromGrades('')).toBe('');
	});
});

describe('importing the good rows and skipping the rows with problems', () => {
	const MIXED = simple(
		[
			'username,given_name,family_name,role,class',
			'roster1a,Ada,First,student,7R Roster',
			'roster bad,Bad,Name,student,7R Roster',
			'roster1c,No,Role,wizard,7R Roster',
			'roster1b,Ben,Second,student,7R Roster',
			'roster1a,Ada,Again,student,7R Roster',
			`roster1d,Long,Class,student,${'C'.repeat(81)}`
		].join('\n')
	);
	const count = async (table: 'users' | 'classes' | 'enrolments' | 'audit_log') =>
		Number(
			(
				await db
					.selectFrom(table)
					.select((eb) => eb.fn.countAll<number>().as('n'))
					.executeTakeFirstOrThrow()
			).n
		);
	const snapshot = async () => ({
		users: await count('users'),
		classes: await count('classes'),
		enrolments: await count('enrolments'),
		audit: await count('audit_log')
	});

	it('lists each bad row with its line, column and a plain reason', async () => {
		const plan = await previewRosterImport(db, schoolId, MIXED);
		expect(plan.goodRowCount).toBe(2);
		expect(plan.badRowCount).toBe(4);
		const problems = plan.rows
			.filter((r) => r.errors.length > 0)
			.map((r) => [r.line, r.errors.map((e) => e.column)]);
		expect(problems).toEqual([
			[3, ['username']],
			[4, ['role']],
			[6, ['username']],
			[7, ['class']]
		]);
		expect(plan.rows.find((r) => r.line === 6)!.errors[0]!.reason).toBe(
			'Username roster1a appears twice in this import.'
		);
		expect(plan.rows.find((r) => r.line === 7)!.errors[0]!.reason).toMatch(/at most 80/);
		// The rows with problems contribute nothing: a bad class keeps its whole row out.
		expect(plan.people.map((p) => p.username)).toEqual(['roster1a', 'roster1b']);
		expect(plan.classes.map((c) => c.name)).toEqual(['7R Roster']);
	});

	it('imports nothing when the admin fixes the file first (or imports all while rows are bad)', async () => {
		const before = await snapshot();
		await previewRosterImport(db, schoolId, MIXED);
		const all = await applyRosterImport(db, schoolId, adminId, MIXED);
		expect(all).toMatchObject({ result: null, refused: 'problems' });
		expect(await snapshot()).toEqual(before);
	});

	it('imports the good rows in one audited transaction, and a second run makes nobody twice', async () => {
		const before = await snapshot();
		const { result } = await applyRosterImport(db, schoolId, adminId, MIXED, {
			kind: 'good-rows',
			problemRowsSeen: 4
		});
		expect(result).toMatchObject({ createdClasses: 1, enrolments: 2, skippedRows: 4 });
		expect(result!.createdPeople.map((p) => p.username)).toEqual(['roster1a', 'roster1b']);
		expect(await snapshot()).toEqual({
			users: before.users + 2,
			classes: before.classes + 1,
			enrolments: before.enrolments + 2,
			audit: before.audit + 1
		});
		for (const username of ['roster bad', 'roster1c', 'roster1d'])
			expect(
				await db
					.selectFrom('users')
					.select('id')
					.where('username', '=', username)
					.executeTakeFirst()
			).toBeUndefined();
		const ada = await db
			.selectFrom('users')
			.select('family_name')
			.where('username', '=', 'roster1a')
			.executeTakeFirstOrThrow();
		expect(ada.family_name).toBe('First'); // the first row, not the skipped duplicate
		const audit = await db
			.selectFrom('audit_log')
			.select('after_json')
			.where('action', '=', 'roster.import')
			.executeTakeFirstOrThrow();
		expect(JSON.parse(audit.after_json!)).toMatchObject({
			createdPeople: 2,
			skippedRows: 4,
			signInSlips: 2
		});

		const afterFirst = await snapshot();
		const again = await applyRosterImport(db, schoolId, adminId, MIXED, {
			kind: 'good-rows',
			problemRowsSeen: 4
		});
		expect(again.result).toMatchObject({ createdPeople: [], createdClasses: 0, enrolments: 0 });
		expect(again.result!.handout).toBeNull();
		expect({ ...(await snapshot()), audit: 0 }).toEqual({ ...afterFirst, audit: 0 });
	});

	it('refuses, writing nothing, when the rows with problems are not the ones the admin saw', async () => {
		const before = await snapshot();
		const outcome = await applyRosterImport(db, schoolId, adminId, MIXED, {
			kind: 'good-rows',
			problemRowsSeen: 3
		});
		expect(outcome).toMatchObject({ result: null, refused: 'changed' });
		expect(await snapshot()).toEqual(before);
	});

	it('offers no partial import of a file that cannot be read, or of rows that are all bad', async () => {
		const unreadable = await applyRosterImport(
			db,
			schoolId,
			adminId,
			[...MIXED, { fileName: 'pupils.csv', text: 'name,email\nA,a@b.c' }],
			{ kind: 'good-rows', problemRowsSeen: 4 }
		);
		expect(unreadable.refused).toBe('file-problems');
		const allBad = await applyRosterImport(
			db,
			schoolId,
			adminId,
			simple('username,given_name,family_name,role\nroster x,A,B,student'),
			{ kind: 'good-rows', problemRowsSeen: 1 }
		);
		expect(allBad.refused).toBe('nothing-good');
	});

	it('skips the enrolments of a OneRoster user or class with problems, saying which line', async () => {
		const files = [
			{
				fileName: 'users.csv',
				text: 'sourcedId,username,givenName,familyName,role\nu-r1,roster2a,Ana,Ok,student\nu-r2,roster 2b,Bad,Name,student'
			},
			{ fileName: 'classes.csv', text: `sourcedId,title\nc-r1,8R Roster\nc-r2,${'T'.repeat(81)}` },
			{
				fileName: 'enrollments.csv',
				text: 'sourcedId,classSourcedId,userSourcedId,role\ne1,c-r1,u-r1,student\ne2,c-r1,u-r2,student\ne3,c-r2,u-r1,student'
			}
		];
		const plan = await previewRosterImport(db, schoolId, files);
		const row = (fileName: string, line: number) =>
			plan.rows.find((r) => r.fileName === fileName && r.line === line)!;
		expect(row('users.csv', 3).errors[0]!.column).toBe('username');
		expect(row('classes.csv', 3).errors[0]!.column).toBe('title');
		expect(row('enrollments.csv', 3).errors).toEqual([
			{ column: 'userSourcedId', reason: 'User u-r2 is skipped: users.csv line 3 has a problem.' }
		]);
		expect(row('enrollments.csv', 4).errors).toEqual([
			{
				column: 'classSourcedId',
				reason: 'Class c-r2 is skipped: classes.csv line 3 has a problem.'
			}
		]);
		const { result } = await applyRosterImport(db, schoolId, adminId, files, {
			kind: 'good-rows',
			problemRowsSeen: 4
		});
		expect(result).toMatchObject({ createdClasses: 1, enrolments: 1, skippedRows: 4 });
	});
});

describe('the list of rows with problems', () => {
	it('is a CSV with a BOM: each bad row as written, plus a problem column, that imports once fixed', async () => {
		const [list, ...others] = await rosterProblemsCsv(
			db,
			schoolId,
			simple(
				[
					'Username,Given_Name,Family_Name,Role,Class,Notes',
					'roster3a,Zoë,Ok,student,9R Roster,fine',
					'roster 3b,"Łukasz, Jr",Bad,student,9R Roster,has a space',
					'roster3c,=HYPERLINK(1),Formula,wizard,,'
				].join('\r\n')
			)
		);
		expect(others).toEqual([]);
		expect(list!.fileName).toBe('roster-problems.csv');
		expect(list!.rows).toBe(2);
		expect(list!.csv.startsWith('\uFEFF')).toBe(true);
		const rows = parse(list!.csv, { bom: true }) as string[][];
		expect(rows[0]).toEqual([
			'Username',
			'Given_Name',
			'Family_Name',
			'Role',
			'Class',
			'Notes',
			'problem'
		]);
		expect(rows[1]!.slice(0, 6)).toEqual([
			'roster 3b',
			'Łukasz, Jr',
			'Bad',
			'student',
			'9R Roster',
			'has a space'
		]);
		expect(rows[1]![6]).toMatch(/^Line 3: Username: .*letters, digits/);
		// The one CSV writer keeps a formula from running in a spreadsheet.
		expect(rows[2]!.slice(0, 4)).toEqual(['roster3c', "'=HYPERLINK(1)", 'Formula', 'wizard']);
		expect(rows[2]![6]).toMatch(/^Line 4: Role: Role must be/);

		// Fixed in a spreadsheet and imported: the problem column is ignored, and a list made from
		// the fixed file writes its problems over the old ones rather than adding a column.
		const fixed = list!.csv.replace('roster 3b', 'roster3b');
		const again = await rosterProblemsCsv(db, schoolId, [
			{ fileName: 'roster-problems.csv', text: fixed }
		]);
		const againRows = parse(again[0]!.csv, { bom: true }) as string[][];
		expect(againRows[0]).toHaveLength(7);
		expect(againRows.map((r) => r[0])).toEqual(['Username', 'roster3c']);
		expect(again[0]!.fileName).toBe('roster-problems.csv');
		const { result } = await applyRosterImport(
			db,
			schoolId,
			adminId,
			[{ fileName: 'roster-problems.csv', text: fixed }],
			{ kind: 'good-rows', problemRowsSeen: 1 }
		);
		expect(result!.createdPeople.map((p) => p.username)).toEqual(['roster3b']);
	});
});
