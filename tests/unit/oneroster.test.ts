import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isHttpError } from '@sveltejs/kit';
import { strToU8, zipSync } from 'fflate';
import type { DB } from '../../src/lib/server/db/connection';
import { applyRosterImport, previewRosterImport } from '../../src/lib/server/roster/import';
import { unpackRosterUpload } from '../../src/lib/server/roster/bundle';
import { openOwnHandout } from '../../src/lib/server/roster/handouts';
import { signIn } from '../../src/lib/server/auth/sign-in';
import { loginSchema } from '../../src/lib/schemas/people';
import {
	readManifest,
	roleAtOrg,
	yearGroupFromGrades,
	ownOrg
} from '../../src/lib/domain/oneroster';
import { demoDatabase, secondSchool, userId } from './helpers';
import {
	NORTH,
	SOUTH,
	deltaBundle,
	fullBundle,
	manifest,
	zipOf,
	type Csv
} from './oneroster-bundle';
import { actions } from '../../src/routes/admin/roster/+page.server';

let db: DB;
let schoolId: number;
let adminId: number;
beforeEach(async () => {
	({ db, schoolId } = await demoDatabase());
	adminId = await userId(db, 'admin');
});
afterEach(async () => db.destroy());

const NORTH_CHOICE = { chosenOrgId: NORTH };

/** Everything an import could touch, to show that a refused one touched nothing. */
const snapshot = async () => ({
	users: await db
		.selectFrom('users')
		.select(['username', 'active', 'given_name', 'family_name', 'source_id'])
		.orderBy('id')
		.execute(),
	memberships: await db
		.selectFrom('memberships')
		.select(['user_id', 'school_id', 'role', 'year_group'])
		.orderBy('id')
		.execute(),
	classes: await db
		.selectFrom('classes')
		.select(['name', 'archived', 'source_id', 'course_title', 'term'])
		.orderBy('id')
		.execute(),
	enrolments: await db
		.selectFrom('enrolments')
		.select(['class_id', 'learner_id'])
		.orderBy('class_id')
		.orderBy('learner_id')
		.execute(),
	teachers: await db
		.selectFrom('class_teachers')
		.select(['class_id', 'teacher_id'])
		.orderBy('class_id')
		.orderBy('teacher_id')
		.execute(),
	schools: await db
		.selectFrom('schools')
		.select(['id', 'roster_org_source_id'])
		.orderBy('id')
		.execute()
});

const person = (username: string) =>
	db
		.selectFrom('users')
		.leftJoin('memberships', 'memberships.user_id', 'users.id')
		.select([
			'users.id',
			'users.username',
			'users.active',
			'users.given_name',
			'users.family_name',
			'memberships.role',
			'memberships.year_group',
			'memberships.school_id'
		])
		.where('users.username', '=', username)
		.executeTakeFirst();

const membersOf = async (className: string, table: 'enrolments' | 'class_teachers') =>
	(
		await db
			.selectFrom(table)
			.innerJoin('classes', 'classes.id', `${table}.class_id`)
			.innerJoin(
				'users',
				'users.id',
				table === 'enrolments' ? 'enrolments.learner_id' : 'class_teachers.teacher_id'
			)
			.select('users.username')
			.where('classes.name', '=', className)
			.execute()
	)
		.map((r) => r.username)
		.sort();

async function importFull(files: Csv[] = fullBundle()) {
	const outcome = await applyRosterImport(
		db,
		schoolId,
		adminId,
		files,
		{ kind: 'all' },
		NORTH_CHOICE
	);
	expect(outcome.refused, JSON.stringify(outcome.plan.fileErrors)).toBeUndefined();
	return outcome.result!;
}

describe('the manifest and the pure rules', () => {
	it('reads manifest.version, oneroster.version and each file.* mode, and refuses a wrong version', () => {
		const file = manifest({ users: 'bulk', enrollments: 'delta' });
		const records = file.text
			.trim()
			.split('\r\n')
			.slice(1)
			.map((line) => {
				const [propertyname, value] = line.split(',');
				return { propertyname: propertyname!, value: value! };
			});
		const read = readManifest(records, 'manifest.csv');
		expect(read).toMatchObject({ manifestVersion: '1.0', oneRosterVersion: '1.2', problems: [] });
		expect(read.modes.get('users')).toBe('bulk');
		expect(read.modes.get('enrollments')).toBe('delta');
		expect(read.modes.get('classes')).toBe('absent');
		expect(read.modes.size).toBe(21);
		const wrong = readManifest(
			records.map((r) => (r.propertyname === 'oneroster.version' ? { ...r, value: '2.0' } : r)),
			'manifest.csv'
		);
		expect(wrong.problems.join()).toMatch(/oneroster.version is “2.0”/);
	});

	it('takes the primary role at the school’s org over the first row seen', () => {
		const rows = [
			{ role: 'aide', roleType: 'secondary', orgSourceId: SOUTH },
			{ role: 'aide', roleType: 'secondary', orgSourceId: NORTH },
			{ role: 'teacher', roleType: 'primary', orgSourceId: NORTH }
		];
		expect(roleAtOrg(rows, NORTH)).toBe('teacher');
		expect(roleAtOrg(rows.slice(0, 2), NORTH)).toBe('aide');
		expect(roleAtOrg(rows, 'org-elsewhere')).toBeNull();
	});

	it('reads grades as the school’s own year groups: 01–13 as years, KG as Reception', () => {
		expect(['01', '08', '13', '10,11', 'KG', 'PK', 'Other'].map(yearGroupFromGrades)).toEqual([
			'1',
			'8',
			'13',
			'10',
			'Reception',
			'Nursery',
			'Other'
		]);
	});

	it('finds the school’s org by the stored sourcedId, its name, or the admin’s choice, never another school’s', () => {
		const orgs = [
			{ sourceId: 'd', name: 'Trust', type: 'district' },
			{ sourceId: NORTH, name: 'Northfield Academy', type: 'school' },
			{ sourceId: SOUTH, name: 'Southgate School', type: 'school' }
		];
		const school = { name: 'Northfield Academy', storedOrgId: null, chosenOrgId: null };
		expect(ownOrg(orgs, school, new Set())).toMatchObject({
			org: { sourceId: NORTH },
			match: 'name'
		});
		expect(ownOrg(orgs, { ...school, name: 'Elsewhere' }, new Set())).toMatchObject({
			org: null,
			problem: expect.stringMatching(/2 schools: choose/)
		});
		expect(ownOrg(orgs, { ...school, storedOrgId: SOUTH }, new Set())).toMatchObject({
			match: 'stored',
			org: { sourceId: SOUTH }
		});
		expect(ownOrg(orgs, { ...school, chosenOrgId: SOUTH }, new Set([SOUTH]))).toMatchObject({
			org: null,
			problem: expect.stringMatching(/linked to another school/)
		});
	});
});

describe('a full OneRoster 1.2 bundle (two schools, guardians, a disabled pupil, e-mail usernames)', () => {
	it('asks which school is ours when the bundle holds two and neither has our name, writing nothing', async () => {
		const before = await snapshot();
		const plan = await previewRosterImport(db, schoolId, fullBundle());
		expect(plan.bundle?.orgProblem).toMatch(/holds 2 schools: choose which one is yours/);
		expect(plan.bundle?.orgChoices.map((o) => o.sourceId)).toEqual([NORTH, SOUTH]);
		const outcome = await applyRosterImport(db, schoolId, adminId, fullBundle());
		expect(outcome.refused).toBe('file-problems');
		expect(await snapshot()).toEqual(before);
	});

	it('imports only our school: courses and terms go with classes, guardians and others are skipped and said', async () => {
		const plan = await previewRosterImport(db, schoolId, fullBundle(), NORTH_CHOICE);
		// Files are what the manifest and their names say, never guessed: courses are not classes.
		expect(Object.fromEntries(plan.kinds.map((k) => [k.fileName, [k.kind, k.mode]]))).toMatchObject(
			{
				'manifest.csv': ['oneroster-manifest', null],
				'orgs.csv': ['oneroster-orgs', 'bulk'],
				'courses.csv': ['oneroster-courses', 'bulk'],
				'academicSessions.csv': ['oneroster-sessions', 'bulk'],
				'classes.csv': ['oneroster-classes', 'bulk'],
				'demographics.csv': ['not-read', 'bulk']
			}
		);
		expect(plan.fileErrors).toEqual([]);
		expect(plan.badRowCount).toBe(0);
		const skipped = Object.fromEntries(
			plan.skipped.map((n) => [`${n.fileName}: ${n.reason}`, n.count])
		);
		expect(skipped).toEqual({
			'users.csv: guardians, parents and relatives get no account (a learner’s family is not a user here)': 2,
			'users.csv: district and system administrators get no account here: the school’s own admins manage its roster': 1,
			'users.csv: users of Southgate School': 40,
			'classes.csv: classes of Southgate School': 1,
			'enrollments.csv: enrolments of Southgate School': 40
		});

		const result = await importFull();
		expect(result.org).toEqual({ sourceId: NORTH, name: 'Northfield Academy' });
		expect(result.createdPeople.map((p) => p.username).sort()).toEqual(
			[
				'ava.khan@northfield.example',
				'ben.ode@northfield.example',
				'orb.aide',
				'orb.cara',
				'orb.dev',
				'orb.eli',
				'orb.fay@northfield.example',
				'orb.teacher@northfield.example'
			].sort()
		);
		expect(result).toMatchObject({ createdClasses: 2, enrolments: 9, deactivatedPeople: 0 });
		const users = result.files.find((f) => f.fileName === 'users.csv')!;
		expect(users).toMatchObject({ createdPeople: 8, mode: 'bulk' });
		expect(users.skipped.find((s) => s.reason === 'users of Southgate School')?.count).toBe(40);
		expect(result.files.find((f) => f.fileName === 'demographics.csv')?.note).toMatch(
			/never|no demographic/
		);

		// Nothing of Southgate, the guardians or the district is here.
		for (const username of [
			'orb.south1@southgate.example',
			'orb.parent1@mail.example',
			'orb.district@trust.example'
		])
			expect(await person(username)).toBeUndefined();
		expect(
			await db
				.selectFrom('classes')
				.select('id')
				.where('name', '=', 'orb 7S Science')
				.executeTakeFirst()
		).toBeUndefined();

		// roles.csv: the primary role at our org wins over the first row (aide at Southgate).
		expect(await person('orb.aide')).toMatchObject({ role: 'teacher', school_id: schoolId });
		expect(await membersOf('orb 9H History', 'class_teachers')).toEqual(['orb.aide']);
		// Grades are year groups; preferred names win; e-mail usernames sign in.
		expect(await person('orb.eli')).toMatchObject({ year_group: 'Reception' });
		expect(await person('ben.ode@northfield.example')).toMatchObject({
			given_name: 'Ben',
			year_group: '8'
		});
		const geography = await db
			.selectFrom('classes')
			.selectAll()
			.where('source_id', '=', 'c-n1')
			.executeTakeFirstOrThrow();
		expect(geography).toMatchObject({
			name: 'orb 8G Geography',
			course_title: 'Geography KS3',
			term: 'Autumn 2026, Spring 2027',
			year_group: '8',
			school_id: schoolId
		});
		expect(await membersOf('orb 8G Geography', 'enrolments')).toEqual([
			'ava.khan@northfield.example',
			'ben.ode@northfield.example',
			'orb.cara',
			'orb.fay@northfield.example'
		]);
		// The school is now Northfield in bundles: the next import needs no choice.
		expect(
			(
				await db
					.selectFrom('schools')
					.select('roster_org_source_id')
					.where('id', '=', schoolId)
					.executeTakeFirstOrThrow()
			).roster_org_source_id
		).toBe(NORTH);

		// enabledUser=false: made, deactivated, no sign-in slip, cannot sign in.
		expect(await person('orb.fay@northfield.example')).toMatchObject({ active: 0 });
		expect(
			result.createdPeople.find((p) => p.username === 'orb.fay@northfield.example')
		).toMatchObject({ active: false, oneTimePassword: false });
		const slips = (
			await openOwnHandout(db, { id: adminId, schoolId }, result.handout!.id, 'passwords')
		).entries;
		expect(slips.map((s) => s.username)).not.toContain('orb.fay@northfield.example');
		const ava = slips.find((s) => s.username === 'ava.khan@northfield.example')!;
		// As the sign-in form reads it: typed with capitals, lower-cased by its schema.
		const typed = loginSchema.parse({
			username: ' Ava.Khan@Northfield.example ',
			password: ava.password
		});
		expect((await signIn(db, typed.username, typed.password, { ip: '10.0.0.9' })).kind).toBe(
			'signed-in'
		);

		// The same bundle again changes nothing (and the stored org is used).
		const first = await snapshot();
		const again = await applyRosterImport(db, schoolId, adminId, fullBundle());
		expect(again.refused).toBeUndefined();
		expect(again.plan.bundle?.org).toMatchObject({ sourceId: NORTH, match: 'stored' });
		expect(again.result).toMatchObject({
			createdPeople: [],
			updatedPeople: 0,
			deactivatedPeople: 0,
			enrolments: 0,
			createdClasses: 0
		});
		expect(await snapshot()).toEqual(first);
	});

	it('matches the org by the school’s name without asking', async () => {
		const plan = await previewRosterImport(
			db,
			schoolId,
			fullBundle({ northName: 'Northbridge Academy' })
		);
		expect(plan.bundle?.org).toMatchObject({ sourceId: NORTH, match: 'name' });
		expect(plan.fileErrors).toEqual([]);
	});

	it('then a delta bundle updates, adds and deactivates by sourcedId, duplicating nobody', async () => {
		await importFull();
		const usersBefore = (await snapshot()).users.length;
		const { result, refused, plan } = await applyRosterImport(db, schoolId, adminId, deltaBundle());
		expect(refused, JSON.stringify(plan.fileErrors)).toBeUndefined();
		expect(result).toMatchObject({
			updatedPeople: 1,
			deactivatedPeople: 1,
			enrolments: 1,
			removedEnrolments: 1
		});
		expect(result!.createdPeople.map((p) => p.username)).toEqual(['orb.gus@northfield.example']);
		expect((await snapshot()).users.length).toBe(usersBefore + 1);
		expect(await person('ava.khan@northfield.example')).toMatchObject({
			family_name: 'Khan-Reid',
			role: 'student',
			active: 1
		});
		expect(await person('orb.cara')).toMatchObject({ active: 0 });
		expect(await membersOf('orb 9H History', 'enrolments')).toEqual([
			'ava.khan@northfield.example',
			'orb.dev'
		]);
		expect(await membersOf('orb 8G Geography', 'enrolments')).toContain(
			'orb.gus@northfield.example'
		);
		// A delta replaces nothing: who it does not name stays as they were.
		expect(await person('orb.dev')).toMatchObject({ active: 1 });
		expect(result!.files.find((f) => f.fileName === 'users.csv')).toMatchObject({
			mode: 'delta',
			createdPeople: 1,
			updatedPeople: 1,
			deactivatedPeople: 1,
			skipped: [{ reason: `users of another org (${SOUTH})`, count: 1 }]
		});
	});

	it('a bulk bundle replaces: people, enrolments and classes it no longer names are ended', async () => {
		await importFull();
		const dev = await person('orb.dev');
		const files = fullBundle({ leaveOut: ['u-n4'] }).map((f) =>
			f.fileName === 'classes.csv'
				? {
						...f,
						text: f.text
							.split('\r\n')
							.filter((l) => !l.startsWith('c-n2,'))
							.join('\r\n')
					}
				: f
		);
		const { result } = await applyRosterImport(db, schoolId, adminId, files, {
			kind: 'good-rows',
			problemRowsSeen: 0
		});
		expect(result).toMatchObject({
			deactivatedPeople: 1,
			archivedClasses: 1,
			removedEnrolments: 1,
			createdPeople: []
		});
		expect(await membersOf('orb 9H History', 'enrolments')).not.toContain('orb.dev');
		expect(await person('orb.dev')).toMatchObject({ id: dev!.id, active: 0 });
		expect(
			(
				await db
					.selectFrom('classes')
					.select('archived')
					.where('source_id', '=', 'c-n2')
					.executeTakeFirstOrThrow()
			).archived
		).toBe(1);
		// The admin and the demo's own people, who never came from a roster, are left alone.
		expect(await person('admin')).toMatchObject({ active: 1 });
		expect(await person('student1')).toMatchObject({ active: 1 });
	});
});

describe('the bundle as one zip', () => {
	it('unpacks a zip (in a folder) to the same import, leaving demographics out of the page', async () => {
		const unpacked = unpackRosterUpload([
			{ name: 'trust-export.zip', bytes: zipOf(fullBundle(), 'oneroster/') }
		]);
		if ('problem' in unpacked) throw new Error(unpacked.problem);
		expect(unpacked.files.map((f) => f.fileName).sort()).toEqual([
			'academicSessions.csv',
			'classes.csv',
			'courses.csv',
			'enrollments.csv',
			'manifest.csv',
			'orgs.csv',
			'roles.csv',
			'users.csv'
		]);
		expect(unpacked.leftOut).toEqual([
			{ fileName: 'demographics.csv', reason: 'not read: the app keeps no demographic data' }
		]);
		expect(JSON.stringify(unpacked.files)).not.toContain('2013-05-04');
		const result = await importFull(unpacked.files);
		expect(result.createdPeople).toHaveLength(8);
		const delta = unpackRosterUpload([{ name: 'delta.zip', bytes: zipOf(deltaBundle()) }]);
		if ('problem' in delta) throw new Error(delta.problem);
		const { result: deltaResult } = await applyRosterImport(db, schoolId, adminId, delta.files);
		expect(deltaResult).toMatchObject({ deactivatedPeople: 1, updatedPeople: 1 });
	});

	it('refuses a zip bomb, a zip of too many files and a file that is not a zip, before reading anything', () => {
		const bomb = zipSync({ 'users.csv': new Uint8Array(3 * 1024 * 1024) }, { level: 9 });
		expect(bomb.length).toBeLessThan(20_000);
		expect(unpackRosterUpload([{ name: 'bomb.zip', bytes: bomb }])).toEqual({
			problem: 'bomb.zip unpacks to more than the import can take (2 MB a file, 8 MB in all).'
		});
		const many = zipSync(
			Object.fromEntries(Array.from({ length: 41 }, (_, i) => [`f${i}.csv`, strToU8('a')]))
		);
		expect(unpackRosterUpload([{ name: 'many.zip', bytes: many }])).toMatchObject({
			problem: expect.stringMatching(/more than 40 files/)
		});
		expect(unpackRosterUpload([{ name: 'x.zip', bytes: strToU8('not a zip') }])).toEqual({
			problem: 'x.zip is not a readable zip file.'
		});
		expect(
			unpackRosterUpload([{ name: 'users.csv', bytes: new Uint8Array([0xff, 0xfe, 0x00]) }])
		).toMatchObject({ problem: expect.stringMatching(/not UTF-8/) });
	});
});

describe('who may import a bundle, and bad input', () => {
	it('refuses a teacher at the route before anything is read', async () => {
		const teacher = await person('teacher');
		const event = {
			locals: {
				user: {
					id: teacher!.id,
					username: 'teacher',
					givenName: 'T',
					familyName: 'T',
					schoolId,
					schoolName: 'x',
					roles: ['teacher'],
					mustChangePassword: false
				}
			},
			url: new URL('http://localhost/admin/roster'),
			request: new Request('http://localhost/admin/roster?/import', {
				method: 'POST',
				body: new FormData()
			})
		};
		for (const action of [actions.preview, actions.import]) {
			const thrown = await (action as (e: unknown) => Promise<unknown>)(event).catch(
				(e: unknown) => e
			);
			expect(isHttpError(thrown) && thrown.status).toBe(403);
		}
	});

	it('refuses another school’s admin taking our org, writing nothing', async () => {
		await importFull();
		const { schoolId: otherId } = await secondSchool(db);
		const otherAdmin = (
			await db
				.selectFrom('memberships')
				.select('user_id')
				.where('school_id', '=', otherId)
				.where('role', '=', 'admin')
				.executeTakeFirstOrThrow()
		).user_id;
		const before = await snapshot();
		const outcome = await applyRosterImport(
			db,
			otherId,
			otherAdmin,
			fullBundle(),
			{ kind: 'all' },
			NORTH_CHOICE
		);
		expect(outcome.refused).toBe('file-problems');
		expect(outcome.plan.fileErrors.join()).toMatch(
			/Northfield Academy is linked to another school on this server/
		);
		expect(outcome.plan.bundle?.orgChoices.map((o) => o.sourceId)).toEqual([SOUTH]);
		expect(JSON.stringify(outcome.plan.rows)).not.toMatch(/khan/i);
		expect(await snapshot()).toEqual(before);
	});

	it('changes nothing for a bad bundle: a missing listed file, a bad manifest, a bad row', async () => {
		const before = await snapshot();
		const withoutUsers = fullBundle().filter((f) => f.fileName !== 'users.csv');
		const missing = await applyRosterImport(
			db,
			schoolId,
			adminId,
			withoutUsers,
			{ kind: 'all' },
			NORTH_CHOICE
		);
		expect(missing.refused).toBe('file-problems');
		expect(missing.plan.fileErrors.join()).toMatch(
			/lists users.csv \(bulk\), but it is not in the upload/
		);
		const badManifest = fullBundle().map((f) =>
			f.fileName === 'manifest.csv'
				? { ...f, text: f.text.replace('file.users,bulk', 'file.users,sometimes') }
				: f
		);
		expect(
			(await applyRosterImport(db, schoolId, adminId, badManifest, { kind: 'all' }, NORTH_CHOICE))
				.refused
		).toBe('file-problems');
		const badRow = fullBundle().map((f) =>
			f.fileName === 'users.csv' ? { ...f, text: f.text.replace('orb.dev', 'orb dev!') } : f
		);
		const bad = await applyRosterImport(
			db,
			schoolId,
			adminId,
			badRow,
			{ kind: 'all' },
			NORTH_CHOICE
		);
		expect(bad.refused).toBe('problems');
		expect(bad.plan.rows.find((r) => r.errors.length)?.errors[0]?.reason).toMatch(
			/letters, digits/
		);
		expect(await snapshot()).toEqual(before);
	});
});

describe('a bundle without orgs.csv', () => {
	it('takes the schools from classes.csv: the only one is ours, two need a choice', async () => {
		const withoutOrgs = (files: Csv[]) =>
			files
				.filter((f) => f.fileName !== 'orgs.csv')
				.map((f) =>
					f.fileName === 'manifest.csv'
						? { ...f, text: f.text.replace('file.orgs,bulk', 'file.orgs,absent') }
						: f
				);
		const two = await previewRosterImport(db, schoolId, withoutOrgs(fullBundle()));
		expect(two.bundle?.orgChoices.map((o) => o.sourceId)).toEqual([NORTH, SOUTH]);
		expect(two.fileErrors.join()).toMatch(/choose which one is yours/);
		const north = withoutOrgs(fullBundle()).map((f) =>
			f.fileName === 'classes.csv'
				? {
						...f,
						text: f.text
							.split('\r\n')
							.filter((l) => !l.startsWith('c-s1,'))
							.join('\r\n')
					}
				: f
		);
		const one = await previewRosterImport(db, schoolId, north);
		expect(one.bundle?.org).toMatchObject({ sourceId: NORTH, match: 'only-school' });
		expect(one.fileErrors).toEqual([]);
		expect(one.skipped.find((n) => n.reason.startsWith('users of'))).toMatchObject({
			reason: `users of another org (${SOUTH})`,
			count: 40
		});
	});
});
