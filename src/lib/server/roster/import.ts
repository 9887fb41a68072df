import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import type { Transaction } from 'kysely';
import type { DB } from '../db/connection';
import type { Database } from '../db/schema';
import { hashPassword, generateReadablePassword } from '../auth/passwords';
import { recordAudit } from '../audit';
import { nowIso } from '../clock';
import { chunks } from '../db/chunks';
import {
	planRosterImport,
	type CsvFile,
	type ExistingRoster,
	type RosterPlan,
	type RosterRole,
	rowsWithProblems
} from '../../domain/roster';
import { Refusal } from '../errors';
import { displayName } from '../../domain/names';
import { toCsv } from '../reports/csv';
import {
	deleteHandoutAtExpiry,
	handoutKey,
	handoutOrder,
	storeHandout,
	type HandoutEntry,
	type HandoutSummary
} from './handouts';

export const MAX_ROSTER_FILE_BYTES = 2 * 1024 * 1024;
export const MAX_ROSTER_ROWS = 20_000;

export const MAX_ROSTER_FILES = 6;

export interface UploadedCsv {
	fileName: string;
	text: string;
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
		classNames: new Set()
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
	return existing;
}

export async function previewRosterImport(
	db: DB,
	schoolId: number,
	uploads: UploadedCsv[]
): Promise<RosterPlan> {
	return (await readAndPlan(db, schoolId, uploads)).plan;
}

async function readAndPlan(db: DB, schoolId: number, uploads: UploadedCsv[]) {
	const files: CsvFile[] = [];
	const fileErrors: string[] = [];
	for (const upload of uploads) {
		const read = readCsv(upload);
		if ('problem' in read) fileErrors.push(read.problem);
		else files.push(read.file);
	}
	const plan = planRosterImport(files, await loadExistingRoster(db, schoolId));
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
	uploads: UploadedCsv[]
): Promise<{ fileName: string; csv: string; rows: number }[]> {
	const { plan, files } = await readAndPlan(db, schoolId, uploads);
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

export interface RosterImportResult {
	/** The passwords are not here: they go, sealed, to the importing admin's handout only. */
	createdPeople: {
		username: string;
		name: string;
		role: RosterRole;
		oneTimePassword: boolean;
	}[];
	updatedPeople: number;
	createdClasses: number;
	enrolments: number;
	skippedRows: number;
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
 * nothing: people match on sourcedId, then username; classes on sourcedId, then name.
 */
export async function applyRosterImport(
	db: DB,
	schoolId: number,
	actorId: number,
	uploads: UploadedCsv[],
	choice: RosterImportChoice = { kind: 'all' }
): Promise<
	| { plan: RosterPlan; result: RosterImportResult; refused?: undefined }
	| { plan: RosterPlan; result: null; refused: RosterImportRefusal }
> {
	const plan = await previewRosterImport(db, schoolId, uploads);
	if (plan.fileErrors.length > 0) return { plan, result: null, refused: 'file-problems' };
	if (choice.kind === 'all' && plan.badRowCount > 0)
		return { plan, result: null, refused: 'problems' };
	if (choice.kind === 'good-rows' && plan.badRowCount !== choice.problemRowsSeen)
		return { plan, result: null, refused: 'changed' };
	if (plan.goodRowCount === 0) return { plan, result: null, refused: 'nothing-good' };
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
				newPasswords.set(person.username, { password, shown: person.password === null });
				hashes.set(person.username, await hashPassword(password));
			})
	);

	const result: RosterImportResult = {
		createdPeople: [],
		updatedPeople: 0,
		createdClasses: 0,
		enrolments: 0,
		skippedRows: plan.badRowCount,
		handout: null
	};
	const classesOf = new Map<string, string[]>();
	for (const e of plan.enrolments)
		classesOf.set(e.username, [...(classesOf.get(e.username) ?? []), e.className]);
	const handout: HandoutEntry[] = [];
	await db.transaction().execute(async (trx) => {
		const now = nowIso();
		const userIds = new Map<string, number>();
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
					oneTimePassword: secret.shown
				});
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

		const classIds = new Map<string, number>();
		for (const schoolClass of plan.classes) {
			const found = known.classFor(schoolClass);
			if (found) {
				await trx
					.updateTable('classes')
					.set((eb) => ({
						name: schoolClass.name,
						year_group: schoolClass.yearGroup ?? eb.ref('year_group'),
						subject: schoolClass.subject ?? eb.ref('subject'),
						source_id: schoolClass.sourceId ?? eb.ref('source_id')
					}))
					.where('id', '=', found.id)
					.execute();
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
						created_at: now
					})
					.returning('id')
					.executeTakeFirstOrThrow();
				classIds.set(schoolClass.name, inserted.id);
				result.createdClasses++;
			}
		}

		for (const enrolment of plan.enrolments) {
			const userId = userIds.get(enrolment.username) ?? known.userIdOf(enrolment.username);
			const classId = classIds.get(enrolment.className) ?? known.classIdOf(enrolment.className);
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
			result.enrolments += Number(inserted.numInsertedOrUpdatedRows ?? 0);
		}

		await recordAudit(trx, {
			schoolId,
			actorId,
			action: 'roster.import',
			entityType: 'school',
			entityId: String(schoolId),
			after: {
				files: plan.kinds,
				createdPeople: result.createdPeople.length,
				updatedPeople: result.updatedPeople,
				createdClasses: result.createdClasses,
				enrolments: result.enrolments,
				skippedRows: result.skippedRows,
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
	if (result.handout) deleteHandoutAtExpiry(db, result.handout);
	return { plan, result };
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
		...plan.enrolments.map((e) => e.username)
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
					.select(['id', 'username', 'given_name', 'family_name', 'email', 'source_id'])
					.where(column, 'in', batch)
					.execute())
			);
		}
	}
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
