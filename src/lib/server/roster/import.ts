import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import type { Transaction } from 'kysely';
import type { DB } from '../db/connection';
import type { Database } from '../db/schema';
import { hashPassword, generateReadablePassword } from '../auth/passwords';
import { recordAudit } from '../audit';
import { nowIso } from '../clock';
import { chunks } from '../db/chunks';
import { refreshReportGroups } from '../profiles/aggregates';
import {
	planRosterImport,
	type CsvFile,
	type ExistingRoster,
	type RosterFileKind,
	type RosterPlan,
	type RosterRole,
	type RosterSchool,
	rowsWithProblems
} from '../../domain/roster';
import type { ManifestMode } from '../../domain/oneroster';
import { Refusal } from '../errors';
import { displayName } from '../../domain/names';
import { toCsv } from '../reports/csv';
import {
	handoutKey,
	handoutOrder,
	storeHandout,
	type HandoutEntry,
	type HandoutSummary
} from './handouts';

import { MAX_ROSTER_FILE_BYTES, MAX_ROSTER_FILES, type UploadedCsv } from './bundle';

export { MAX_ROSTER_FILE_BYTES, MAX_ROSTER_FILES, type UploadedCsv };
export const MAX_ROSTER_ROWS = 20_000;

/** What the admin said in the preview beyond the files: which org of a bundle is their school. */
export interface RosterImportOptions {
	chosenOrgId?: string | null;
	/** the importing admin, never deactivated by their own import */
	actorId?: number | null;
}

/**
 * The files of a preview, carried in the page (a hidden field) to the import and to the list of
 * problems, so neither needs them uploaded again; both read and check them afresh.
 */
export const rosterPayloadSchema = z
	.array(z.object({ fileName: z.string().max(200), text: z.string().max(MAX_ROSTER_FILE_BYTES) }))
	.min(1)
	.max(MAX_ROSTER_FILES);

/** Parses with csv-parse: quoted fields, embedded commas and newlines, a BOM from Excel. */
export function parseCsv(upload: UploadedCsv): CsvFile {
	const read = readCsv(upload);
	if ('problem' in read) throw new Refusal(read.problem);
	return read.file;
}

/** A file that cannot be read is a problem of the preview, listed beside the rows' problems. */
function readCsv(upload: UploadedCsv): { file: CsvFile } | { problem: string } {
	let rows: string[][];
	try {
		rows = parse(upload.text, {
			bom: true,
			skip_empty_lines: true,
			relax_column_count: true,
			trim: false
		});
	} catch (e) {
		return { problem: `${upload.fileName}: not a readable CSV file (${(e as Error).message}).` };
	}
	const [headerRow, ...body] = rows;
	if (!headerRow) return { problem: `${upload.fileName}: the file is empty.` };
	if (body.length > MAX_ROSTER_ROWS) {
		return {
			problem: `${upload.fileName}: ${body.length} rows is more than the ${MAX_ROSTER_ROWS} one import can take.`
		};
	}
	const header = headerRow.map((h) => h.trim().toLowerCase());
	const records = body.map((cells) =>
		Object.fromEntries(header.map((column, i) => [column, cells[i] ?? '']))
	);
	return { file: { fileName: upload.fileName, header, columns: headerRow, records, cells: body } };
}

/**
 * What the school already has. Other schools' usernames and sourcedIds are only collected as taken
 * (they are unique across the server): another school's username or class name never reaches the
 * plan, so the preview cannot show it to someone who guessed a sourcedId.
 */
async function loadExistingRoster(db: DB, schoolId: number): Promise<ExistingRoster> {
	const people = await db
		.selectFrom('users')
		.leftJoin('memberships', (join) =>
			join.onRef('memberships.user_id', '=', 'users.id').on('memberships.school_id', '=', schoolId)
		)
		.select(['users.username', 'users.source_id', 'memberships.role'])
		.execute();
	const existing: ExistingRoster = {
		usersByUsername: new Map(),
		usernamesElsewhere: new Set(),
		usernameBySourceId: new Map(),
		sourceIdsElsewhere: new Set(),
		classNameBySourceId: new Map(),
		classSourceIdsElsewhere: new Set(),
		classNames: new Set(),
		rosterEnrolments: []
	};
	const ownSchool = new Set(people.filter((p) => p.role !== null).map((p) => p.username));
	for (const person of people) {
		if (!ownSchool.has(person.username)) {
			existing.usernamesElsewhere.add(person.username);
			if (person.source_id) existing.sourceIdsElsewhere.add(person.source_id);
			continue;
		}
		const entry = existing.usersByUsername.get(person.username) ?? {
			sourceId: person.source_id,
			roles: [] as RosterRole[]
		};
		if (person.role) entry.roles.push(person.role);
		existing.usersByUsername.set(person.username, entry);
		if (person.source_id) existing.usernameBySourceId.set(person.source_id, person.username);
	}
	const classes = await db
		.selectFrom('classes')
		.select(['school_id', 'name', 'source_id'])
		.where((eb) => eb.or([eb('school_id', '=', schoolId), eb('source_id', 'is not', null)]))
		.execute();
	for (const c of classes) {
		if (c.school_id !== schoolId) {
			existing.classSourceIdsElsewhere.add(c.source_id!);
			continue;
		}
		existing.classNames.add(c.name);
		if (c.source_id) existing.classNameBySourceId.set(c.source_id, c.name);
	}
	// The enrolments a bulk enrollments.csv replaces: both ends came from a roster.
	const rostered = (role: 'student' | 'teacher') =>
		db
			.selectFrom(role === 'student' ? 'enrolments' : 'class_teachers')
			.innerJoin('classes', 'classes.id', 'class_id')
			.innerJoin('users', 'users.id', role === 'student' ? 'learner_id' : 'teacher_id')
			.select(['users.username', 'classes.name as className'])
			.where('classes.school_id', '=', schoolId)
			.where('classes.archived', '=', 0)
			.where('classes.source_id', 'is not', null)
			.where('users.source_id', 'is not', null)
			.execute();
	for (const role of ['student', 'teacher'] as const)
		for (const e of await rostered(role))
			existing.rosterEnrolments.push({ username: e.username, className: e.className, role });
	return existing;
}

/** The school as a OneRoster bundle needs it: its name, its org, and the orgs of other schools. */
async function loadRosterSchool(
	db: DB,
	schoolId: number,
	options: RosterImportOptions
): Promise<RosterSchool> {
	const schools = await db
		.selectFrom('schools')
		.select(['id', 'name', 'roster_org_source_id'])
		.where((eb) => eb.or([eb('id', '=', schoolId), eb('roster_org_source_id', 'is not', null)]))
		.execute();
	const own = schools.find((s) => s.id === schoolId);
	const actor = options.actorId
		? await db
				.selectFrom('users')
				.select('username')
				.where('id', '=', options.actorId)
				.executeTakeFirst()
		: undefined;
	return {
		name: own?.name ?? '',
		storedOrgId: own?.roster_org_source_id ?? null,
		chosenOrgId: options.chosenOrgId ?? null,
		orgIdsElsewhere: new Set(
			schools.flatMap((s) =>
				s.id !== schoolId && s.roster_org_source_id ? [s.roster_org_source_id] : []
			)
		),
		actorUsername: actor?.username ?? null
	};
}

export async function previewRosterImport(
	db: DB,
	schoolId: number,
	uploads: UploadedCsv[],
	options: RosterImportOptions = {}
): Promise<RosterPlan> {
	return (await readAndPlan(db, schoolId, uploads, options)).plan;
}

async function readAndPlan(
	db: DB,
	schoolId: number,
	uploads: UploadedCsv[],
	options: RosterImportOptions = {}
) {
	const files: CsvFile[] = [];
	const fileErrors: string[] = [];
	for (const upload of uploads) {
		const read = readCsv(upload);
		if ('problem' in read) fileErrors.push(read.problem);
		else files.push(read.file);
	}
	const plan = planRosterImport(
		files,
		await loadExistingRoster(db, schoolId),
		await loadRosterSchool(db, schoolId, options)
	);
	plan.fileErrors.unshift(...fileErrors);
	plan.errorCount += fileErrors.length;
	return { plan, files };
}

/**
 * The rows with problems as CSV files (one per uploaded file that has any), as the school sees
 * them now: each row as it was written plus a `problem` column, UTF-8 with a BOM for Excel.
 */
export async function rosterProblemsCsv(
	db: DB,
	schoolId: number,
	uploads: UploadedCsv[],
	options: RosterImportOptions = {}
): Promise<{ fileName: string; csv: string; rows: number }[]> {
	const { plan, files } = await readAndPlan(db, schoolId, uploads, options);
	return rowsWithProblems(plan, files).map((file) => ({
		fileName: problemsFileName(file.fileName),
		csv: toCsv(file.header, file.rows, { bom: true }),
		rows: file.rows.length
	}));
}

/** "users.csv" → "users-problems.csv": the name says what it is and keeps where it came from. */
export function problemsFileName(fileName: string): string {
	const base = fileName.replace(/\.csv$/i, '').replace(/[^\p{L}\p{N}._ -]+/gu, '_') || 'roster';
	return `${base.replace(/-problems$/, '')}-problems.csv`;
}

/** What one file of the import did. */
export interface RosterFileOutcome {
	fileName: string;
	kind: RosterFileKind;
	mode: ManifestMode | null;
	note: string | null;
	createdPeople: number;
	updatedPeople: number;
	deactivatedPeople: number;
	createdClasses: number;
	updatedClasses: number;
	archivedClasses: number;
	enrolments: number;
	removedEnrolments: number;
	/** rows left out on purpose, with why ("40 users of Other School") */
	skipped: { reason: string; count: number }[];
	/** rows with problems the admin chose to skip */
	problemRows: number;
}

export interface RosterImportResult {
	/** The passwords are not here: they go, sealed, to the importing admin's handout only. */
	createdPeople: {
		username: string;
		name: string;
		role: RosterRole;
		oneTimePassword: boolean;
		active: boolean;
	}[];
	updatedPeople: number;
	deactivatedPeople: number;
	createdClasses: number;
	archivedClasses: number;
	enrolments: number;
	removedEnrolments: number;
	skippedRows: number;
	/** the org of the bundle imported as this school, when the files name orgs */
	org: { sourceId: string; name: string } | null;
	files: RosterFileOutcome[];
	/** the sign-in slips and password list of the accounts given a one-time password */
	handout: HandoutSummary | null;
}

export type RosterImportChoice =
	| { kind: 'all' }
	/** the admin chose to skip the rows with problems, having seen this many in the preview */
	| { kind: 'good-rows'; problemRowsSeen: number };

export type RosterImportRefusal = 'problems' | 'file-problems' | 'changed' | 'nothing-good';

/**
 * Applies a plan in one transaction: all of it when it has no problems, or (when the admin chose
 * so) its good rows, skipping the rows with problems, which the plan already leaves out. Refused,
 * writing nothing, when a file cannot be read, or when the rows with problems are not the number
 * the admin saw (the school changed since the preview). Re-importing the same files changes
 * nothing: people match on sourcedId, then username; classes on sourcedId, then name. A bundle's
 * delta files update and end (deactivate, archive, unenrol) by sourcedId; its bulk files also end
 * what came from a roster before and they no longer name.
 */
export async function applyRosterImport(
	db: DB,
	schoolId: number,
	actorId: number,
	uploads: UploadedCsv[],
	choice: RosterImportChoice = { kind: 'all' },
	options: RosterImportOptions = {}
): Promise<
	| { plan: RosterPlan; result: RosterImportResult; refused?: undefined }
	| { plan: RosterPlan; result: null; refused: RosterImportRefusal }
> {
	const plan = await previewRosterImport(db, schoolId, uploads, { ...options, actorId });
	if (plan.fileErrors.length > 0) return { plan, result: null, refused: 'file-problems' };
	if (choice.kind === 'all' && plan.badRowCount > 0)
		return { plan, result: null, refused: 'problems' };
	if (choice.kind === 'good-rows' && plan.badRowCount !== choice.problemRowsSeen)
		return { plan, result: null, refused: 'changed' };
	const endings =
		plan.deactivations.length + plan.archivedClasses.length + plan.removedEnrolments.length;
	if (plan.goodRowCount === 0 && endings === 0)
		return { plan, result: null, refused: 'nothing-good' };
	const key = await handoutKey(db);

	// Hash outside the transaction: argon2 is slow on purpose, and SQLite holds its write lock
	// meanwhile.
	const newPasswords = new Map<string, { password: string; shown: boolean }>();
	const existingUsernames = new Set(
		(
			await db
				.selectFrom('users')
				.select('username')
				.where('username', 'in', plan.people.length ? plan.people.map((p) => p.username) : [''])
				.execute()
		).map((u) => u.username)
	);
	const hashes = new Map<string, string>();
	await Promise.all(
		plan.people
			.filter((p) => !existingUsernames.has(p.username))
			.map(async (person) => {
				const password = person.password ?? generateReadablePassword();
				// A disabled account cannot sign in: no slip for it until an admin reactivates it
				// (and then resets its password).
				newPasswords.set(person.username, {
					password,
					shown: person.password === null && person.active
				});
				hashes.set(person.username, await hashPassword(password));
			})
	);

	const files = new Map<string, RosterFileOutcome>(
		plan.kinds.map((k) => [
			k.fileName,
			{
				fileName: k.fileName,
				kind: k.kind,
				mode: k.mode,
				note: k.note ?? null,
				createdPeople: 0,
				updatedPeople: 0,
				deactivatedPeople: 0,
				createdClasses: 0,
				updatedClasses: 0,
				archivedClasses: 0,
				enrolments: 0,
				removedEnrolments: 0,
				skipped: plan.skipped
					.filter((n) => n.fileName === k.fileName)
					.map(({ reason, count }) => ({ reason, count })),
				problemRows: plan.rows.filter((r) => r.fileName === k.fileName && r.errors.length > 0)
					.length
			}
		])
	);
	const fileOf = (fileName: string) => files.get(fileName)!;
	const result: RosterImportResult = {
		createdPeople: [],
		updatedPeople: 0,
		deactivatedPeople: 0,
		createdClasses: 0,
		archivedClasses: 0,
		enrolments: 0,
		removedEnrolments: 0,
		skippedRows: plan.badRowCount,
		org: plan.bundle?.org
			? { sourceId: plan.bundle.org.sourceId, name: plan.bundle.org.name }
			: null,
		files: [],
		handout: null
	};
	const classesOf = new Map<string, string[]>();
	for (const e of plan.enrolments)
		classesOf.set(e.username, [...(classesOf.get(e.username) ?? []), e.className]);
	const handout: HandoutEntry[] = [];
	await db.transaction().execute(async (trx) => {
		const now = nowIso();
		if (plan.bundle?.org) {
			// The school is this org from now on, so the next bundle needs no choice. Another school
			// linking the same org meanwhile is caught by the unique index: nothing is written.
			await trx
				.updateTable('schools')
				.set({ roster_org_source_id: plan.bundle.org.sourceId })
				.where('id', '=', schoolId)
				.where((eb) =>
					eb.or([
						eb('roster_org_source_id', 'is', null),
						eb('roster_org_source_id', '!=', plan.bundle!.org!.sourceId)
					])
				)
				.executeTakeFirst()
				.catch(() => {
					throw new Refusal(
						`${plan.bundle!.org!.name} is linked to another school on this server: nothing was imported.`
					);
				});
		}
		const userIds = new Map<string, number>();
		// Everyone whose year group, classes or activity this import may change: recounted in the
		// report's class and year group totals at the end (0032).
		const recounted = new Set<number>();
		const known = await knownPeopleAndClasses(trx, schoolId, plan);
		for (const person of plan.people) {
			const found = known.personFor(person);
			let userId: number;
			if (found) {
				userId = found.id;
				const changed =
					found.given_name !== person.givenName ||
					found.family_name !== person.familyName ||
					(person.email !== null && found.email !== person.email) ||
					(person.sourceId !== null && found.source_id !== person.sourceId);
				if (changed) {
					await trx
						.updateTable('users')
						.set({
							given_name: person.givenName,
							family_name: person.familyName,
							email: person.email ?? found.email,
							source_id: person.sourceId ?? found.source_id
						})
						.where('id', '=', userId)
						.execute();
					result.updatedPeople++;
					fileOf(person.fileName).updatedPeople++;
				}
			} else {
				const inserted = await trx
					.insertInto('users')
					.values({
						username: person.username,
						given_name: person.givenName,
						family_name: person.familyName,
						email: person.email,
						source_id: person.sourceId,
						password_hash: hashes.get(person.username)!,
						password_changed_at: now,
						// Whoever wrote the file or read the preview knows it: the person picks their own.
						must_change_password: 1,
						// OneRoster's enabledUser=false: the account exists, deactivated, as an admin's
						// deactivation leaves it.
						active: person.active ? 1 : 0,
						created_at: now
					})
					.returning('id')
					.executeTakeFirstOrThrow();
				userId = inserted.id;
				const secret = newPasswords.get(person.username)!;
				result.createdPeople.push({
					username: person.username,
					name: displayName(person),
					role: person.role,
					oneTimePassword: secret.shown,
					active: person.active
				});
				fileOf(person.fileName).createdPeople++;
				// A password the file gave is known to whoever wrote the file: no slip for it.
				if (secret.shown)
					handout.push({
						givenName: person.givenName,
						familyName: person.familyName,
						name: displayName(person),
						username: person.username,
						role: person.role,
						classes: classesOf.get(person.username) ?? [],
						password: secret.password
					});
			}
			await trx
				.insertInto('memberships')
				.values({
					user_id: userId,
					school_id: schoolId,
					role: person.role,
					year_group: person.yearGroup,
					created_at: now
				})
				.onConflict((oc) =>
					oc.columns(['user_id', 'school_id', 'role']).doUpdateSet({ year_group: person.yearGroup })
				)
				.execute();
			userIds.set(person.username, userId);
		}

		// Deactivation as an admin's (people/accounts.ts): the account stays, its sessions end.
		if (plan.deactivations.length) {
			const fileByUsername = new Map(plan.deactivations.map((d) => [d.username, d.fileName]));
			const ending: { id: number; username: string }[] = [];
			for (const batch of chunks([...fileByUsername.keys()]))
				ending.push(
					...(await trx
						.selectFrom('users')
						.innerJoin('memberships', 'memberships.user_id', 'users.id')
						.select(['users.id', 'users.username'])
						.distinct()
						.where('memberships.school_id', '=', schoolId)
						.where('users.username', 'in', batch)
						.where('users.active', '=', 1)
						.where('users.id', '!=', actorId)
						.execute())
				);
			for (const batch of chunks(ending.map((u) => u.id))) {
				await trx.updateTable('users').set({ active: 0 }).where('id', 'in', batch).execute();
				await trx.deleteFrom('sessions').where('user_id', 'in', batch).execute();
			}
			for (const u of ending) {
				fileOf(fileByUsername.get(u.username)!).deactivatedPeople++;
				recounted.add(u.id);
			}
			result.deactivatedPeople = ending.length;
		}

		const classIds = new Map<string, number>();
		for (const schoolClass of plan.classes) {
			const found = known.classFor(schoolClass);
			if (found) {
				const changed = await trx
					.updateTable('classes')
					.set((eb) => ({
						name: schoolClass.name,
						year_group: schoolClass.yearGroup ?? eb.ref('year_group'),
						subject: schoolClass.subject ?? eb.ref('subject'),
						source_id: schoolClass.sourceId ?? eb.ref('source_id'),
						course_title: schoolClass.courseTitle ?? eb.ref('course_title'),
						term: schoolClass.term ?? eb.ref('term')
					}))
					.where('id', '=', found.id)
					.where((eb) =>
						eb.or([
							eb('name', '!=', schoolClass.name),
							...(schoolClass.yearGroup
								? [eb('year_group', 'is distinct from', schoolClass.yearGroup)]
								: []),
							...(schoolClass.subject
								? [eb('subject', 'is distinct from', schoolClass.subject)]
								: []),
							...(schoolClass.sourceId
								? [eb('source_id', 'is distinct from', schoolClass.sourceId)]
								: []),
							...(schoolClass.courseTitle
								? [eb('course_title', 'is distinct from', schoolClass.courseTitle)]
								: []),
							...(schoolClass.term ? [eb('term', 'is distinct from', schoolClass.term)] : [])
						])
					)
					.executeTakeFirst();
				if (Number(changed.numUpdatedRows) > 0) fileOf(schoolClass.fileName).updatedClasses++;
				classIds.set(schoolClass.name, found.id);
			} else {
				const inserted = await trx
					.insertInto('classes')
					.values({
						school_id: schoolId,
						name: schoolClass.name,
						year_group: schoolClass.yearGroup,
						subject: schoolClass.subject,
						source_id: schoolClass.sourceId,
						course_title: schoolClass.courseTitle,
						term: schoolClass.term,
						created_at: now
					})
					.returning('id')
					.executeTakeFirstOrThrow();
				classIds.set(schoolClass.name, inserted.id);
				result.createdClasses++;
				fileOf(schoolClass.fileName).createdClasses++;
			}
		}

		for (const enrolment of plan.enrolments) {
			const userId = userIds.get(enrolment.username) ?? known.userIdOf(enrolment.username);
			const classId = classIds.get(enrolment.className) ?? known.classIdOf(enrolment.className);
			recounted.add(userId);
			const inserted =
				enrolment.role === 'teacher'
					? await trx
							.insertInto('class_teachers')
							.values({ class_id: classId, teacher_id: userId })
							.onConflict((oc) => oc.doNothing())
							.executeTakeFirst()
					: await trx
							.insertInto('enrolments')
							.values({ class_id: classId, learner_id: userId, created_at: now })
							.onConflict((oc) => oc.doNothing())
							.executeTakeFirst();
			const n = Number(inserted.numInsertedOrUpdatedRows ?? 0);
			result.enrolments += n;
			fileOf(enrolment.fileName).enrolments += n;
		}

		// Ended enrolments, grouped by class: one delete per class and role, not one per row. The
		// learner's work in the class stays (as when a teacher removes them).
		const ended = new Map<
			string,
			{ classId: number; role: string; userIds: number[]; fileName: string }
		>();
		for (const e of plan.removedEnrolments) {
			const classId = known.classIdOf(e.className);
			const groupKey = `${classId}|${e.role}|${e.fileName}`;
			const group = ended.get(groupKey) ?? {
				classId,
				role: e.role,
				userIds: [],
				fileName: e.fileName
			};
			group.userIds.push(known.userIdOf(e.username));
			recounted.add(known.userIdOf(e.username));
			ended.set(groupKey, group);
		}
		for (const group of ended.values()) {
			for (const batch of chunks(group.userIds)) {
				const removed =
					group.role === 'teacher'
						? await trx
								.deleteFrom('class_teachers')
								.where('class_id', '=', group.classId)
								.where('teacher_id', 'in', batch)
								.executeTakeFirst()
						: await trx
								.deleteFrom('enrolments')
								.where('class_id', '=', group.classId)
								.where('learner_id', 'in', batch)
								.executeTakeFirst();
				const n = Number(removed.numDeletedRows);
				result.removedEnrolments += n;
				fileOf(group.fileName).removedEnrolments += n;
			}
		}

		// Archived, as an admin archives a class: its work stays, it leaves the lists.
		for (const [fileName, names] of groupBy(plan.archivedClasses, (c) => c.fileName)) {
			for (const batch of chunks(names.map((c) => c.name))) {
				const archived = await trx
					.updateTable('classes')
					.set({ archived: 1 })
					.where('school_id', '=', schoolId)
					.where('name', 'in', batch)
					.where('archived', '=', 0)
					.executeTakeFirst();
				const n = Number(archived.numUpdatedRows);
				result.archivedClasses += n;
				fileOf(fileName).archivedClasses += n;
			}
		}

		for (const id of userIds.values()) recounted.add(id);
		await refreshReportGroups(trx, [...recounted]);

		result.files = [...files.values()];
		await recordAudit(trx, {
			schoolId,
			actorId,
			action: 'roster.import',
			entityType: 'school',
			entityId: String(schoolId),
			after: {
				files: plan.kinds,
				org: result.org?.sourceId ?? null,
				createdPeople: result.createdPeople.length,
				updatedPeople: result.updatedPeople,
				deactivatedPeople: result.deactivatedPeople,
				createdClasses: result.createdClasses,
				archivedClasses: result.archivedClasses,
				enrolments: result.enrolments,
				removedEnrolments: result.removedEnrolments,
				skippedRows: result.skippedRows,
				skipped: plan.skipped,
				// How many slips were made, never what is on them.
				signInSlips: handout.length
			}
		});
		if (handout.length)
			result.handout = await storeHandout(
				trx,
				key,
				{ schoolId, adminId: actorId },
				handoutOrder(handout),
				new Date(now)
			);
	});
	return { plan, result };
}

function groupBy<T>(items: T[], keyOf: (item: T) => string): Map<string, T[]> {
	const groups = new Map<string, T[]>();
	for (const item of items) groups.set(keyOf(item), [...(groups.get(keyOf(item)) ?? []), item]);
	return groups;
}

/**
 * The existing people and classes an import plan refers to, read in a few set-based queries (not
 * one per row): a person matches on sourcedId or username, a class of the school on sourcedId or
 * name, the earliest row when both match different rows, as the import has always matched them.
 */
async function knownPeopleAndClasses(
	trx: Transaction<Database>,
	schoolId: number,
	plan: RosterPlan
) {
	const usernames = new Set([
		...plan.people.map((p) => p.username),
		...plan.enrolments.map((e) => e.username),
		...plan.removedEnrolments.map((e) => e.username)
	]);
	const sourceIds = new Set(plan.people.flatMap((p) => (p.sourceId ? [p.sourceId] : [])));
	const people = [];
	for (const [column, values] of [
		['username', usernames],
		['source_id', sourceIds]
	] as const) {
		for (const batch of chunks([...values])) {
			people.push(
				...(await trx
					.selectFrom('users')
					.select((eb) => [
						'id',
						'username',
						'given_name',
						'family_name',
						'email',
						'source_id',
						eb
							.exists(
								eb
									.selectFrom('memberships')
									.select('memberships.id')
									.whereRef('memberships.user_id', '=', 'users.id')
									.where('memberships.school_id', '=', schoolId)
							)
							.as('ours')
					])
					.where(column, 'in', batch)
					.execute())
			);
		}
	}
	// The plan left out everyone of another school; someone found now who is not this school's was
	// made elsewhere while the passwords were hashed, and is not ours to change or enrol.
	if (people.some((p) => !p.ours))
		throw new Refusal(
			'Someone in this roster was added to another school on this server while it was being imported. Nothing was imported: check the roster again and re-import.',
			409
		);
	const classes = await trx
		.selectFrom('classes')
		.select(['id', 'name', 'source_id'])
		.where('school_id', '=', schoolId)
		.execute();

	const personByUsername = new Map(people.map((p) => [p.username, p]));
	const personBySourceId = new Map(people.flatMap((p) => (p.source_id ? [[p.source_id, p]] : [])));
	const classByName = new Map(classes.map((c) => [c.name, c]));
	const classBySourceId = new Map(classes.flatMap((c) => (c.source_id ? [[c.source_id, c]] : [])));
	const earliest = <T extends { id: number }>(a: T | undefined, b: T | undefined) =>
		a && b ? (a.id < b.id ? a : b) : (a ?? b);
	const found = <T>(row: T | undefined, what: string): T => {
		if (!row) throw new Error(`The roster plan names ${what}, which does not exist.`);
		return row;
	};
	return {
		personFor: (person: { username: string; sourceId: string | null }) =>
			earliest(
				personByUsername.get(person.username),
				person.sourceId ? personBySourceId.get(person.sourceId) : undefined
			),
		classFor: (schoolClass: { name: string; sourceId: string | null }) =>
			earliest(
				classByName.get(schoolClass.name),
				schoolClass.sourceId ? classBySourceId.get(schoolClass.sourceId) : undefined
			),
		userIdOf: (username: string) => found(personByUsername.get(username), username).id,
		classIdOf: (name: string) => found(classByName.get(name), `class ${name}`).id
	};
}
