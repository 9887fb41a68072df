import { z } from 'zod';
import type { Role } from './states';
import {
	familyNameSchema,
	givenNameSchema,
	passwordSchema,
	usernameSchema
} from '../schemas/people';

/**
 * Roster import, pure: turn parsed CSV files (OneRoster 1.1/1.2 or our single-file form) into a
 * validated plan with one preview row per input line. Nothing here touches the database; what
 * already exists is passed in as `ExistingRoster`.
 */

export type RosterRole = Role;
/**
 * A parsed file: `header` lower-cased for matching, `columns` as the file writes them (for the
 * preview and the list of problems), `records` keyed by the lower-cased header, and each record's
 * `cells` as they were, so a row with problems can be handed back unchanged to be fixed.
 */
export type CsvFile = {
	fileName: string;
	header: string[];
	columns: string[];
	records: Record<string, string>[];
	cells: string[][];
};
export type RosterFileKind =
	'simple' | 'oneroster-users' | 'oneroster-roles' | 'oneroster-classes' | 'oneroster-enrollments';

export interface PlannedPerson {
	sourceId: string | null;
	username: string;
	givenName: string;
	familyName: string;
	role: RosterRole;
	email: string | null;
	yearGroup: string | null;
	password: string | null;
}
export interface PlannedClass {
	sourceId: string | null;
	name: string;
	yearGroup: string | null;
	subject: string | null;
}
/** Enrolments name people by username and classes by name, once the references are resolved. */
export interface PlannedEnrolment {
	username: string;
	className: string;
	role: 'student' | 'teacher';
}
/** One problem of a row: the column it is in, as the file names it (null: the row as a whole). */
export interface RowProblem {
	column: string | null;
	reason: string;
}
export interface PreviewRow {
	fileName: string;
	/** as a spreadsheet numbers it: the header is line 1 */
	line: number;
	summary: string;
	action: 'create' | 'update' | 'enrol' | 'unchanged';
	errors: RowProblem[];
}
export interface RosterPlan {
	kinds: { fileName: string; kind: RosterFileKind }[];
	people: PlannedPerson[];
	classes: PlannedClass[];
	enrolments: PlannedEnrolment[];
	rows: PreviewRow[];
	fileErrors: string[];
	/** file problems plus rows with problems */
	errorCount: number;
	/**
	 * Every row with a problem contributes nothing to people, classes and enrolments, so the plan
	 * can be applied as it is when the admin chooses to skip them. A file that cannot be read is
	 * not a row: with one, only "fix the file first" is offered.
	 */
	goodRowCount: number;
	badRowCount: number;
}

/**
 * What the school already has, so references to existing people and classes resolve. Usernames and
 * sourcedIds are unique across the server, so what other schools hold is passed too, but only as
 * taken values: nothing here names another school's people or classes, so no preview row can.
 */
export interface ExistingRoster {
	/** username → role(s) held in this school */
	usersByUsername: Map<string, { sourceId: string | null; roles: RosterRole[] }>;
	/** usernames held by people of other schools: cannot be reused */
	usernamesElsewhere: Set<string>;
	/** this school's people: sourcedId → username */
	usernameBySourceId: Map<string, string>;
	/** people's sourcedIds held in other schools: cannot be reused */
	sourceIdsElsewhere: Set<string>;
	/** this school's classes: sourcedId → name */
	classNameBySourceId: Map<string, string>;
	/** class sourcedIds held by other schools: cannot be reused */
	classSourceIdsElsewhere: Set<string>;
	classNames: Set<string>;
}

const ONE_ROSTER_ROLES: Record<string, RosterRole> = {
	student: 'student',
	teacher: 'teacher',
	aide: 'teacher',
	administrator: 'admin',
	siteadministrator: 'admin'
};

const optionalText = (max: number) =>
	z
		.string()
		.trim()
		.max(max, `must be at most ${max} characters`)
		.transform((v) => (v === '' ? null : v));

const personSchema = z.object({
	sourceId: optionalText(255),
	username: usernameSchema,
	givenName: givenNameSchema,
	familyName: familyNameSchema,
	role: z
		.string()
		.trim()
		.toLowerCase()
		.pipe(
			z.string().refine((r) => r in ONE_ROSTER_ROLES || r === 'admin', {
				message: 'Role must be student, teacher or administrator.'
			})
		),
	email: optionalText(200).pipe(z.email('Email is not a valid address.').nullable()),
	yearGroup: optionalText(20),
	password: z
		.string()
		.transform((v) => (v === '' ? null : v))
		.pipe(passwordSchema.nullable())
});

const classRowSchema = z.object({
	sourceId: optionalText(255),
	name: z
		.string()
		.trim()
		.min(1, 'Class title is required.')
		.max(80, 'Class title must be at most 80 characters.'),
	yearGroup: optionalText(20),
	subject: optionalText(80)
});

export function detectFileKind(header: string[]): RosterFileKind | null {
	const has = (...columns: string[]) => columns.every((c) => header.includes(c.toLowerCase()));
	if (has('username', 'given_name', 'family_name', 'role')) return 'simple';
	if (has('sourcedid', 'username', 'givenname', 'familyname')) return 'oneroster-users';
	if (has('classsourcedid', 'usersourcedid', 'role')) return 'oneroster-enrollments';
	if (has('usersourcedid', 'role') && !header.includes('classsourcedid')) return 'oneroster-roles';
	if (has('sourcedid', 'title')) return 'oneroster-classes';
	return null;
}

const EXPECTED_COLUMNS =
	'Expected either username,given_name,family_name,role[,class] or OneRoster users.csv / classes.csv / enrollments.csv (and roles.csv).';

function get(record: Record<string, string>, column: string): string {
	return record[column.toLowerCase()] ?? '';
}

/** The column as this file writes it ("givenName", "GivenName"), found by its lower-cased name. */
function columnOf(file: CsvFile, column: string): string {
	return file.columns.find((c) => c.trim().toLowerCase() === column.toLowerCase()) ?? column;
}

/** Zod's issues as problems of the columns the fields came from. */
function zodProblems(error: z.ZodError, columns: Record<string, string>): RowProblem[] {
	return error.issues.map((i) => {
		const field = String(i.path[0] ?? '');
		const reason = i.message.startsWith('must')
			? `${i.message[0]!.toUpperCase()}${i.message.slice(1)}.`
			: i.message;
		return { column: columns[field] ?? null, reason };
	});
}

/** Which column of each kind of file each field of a person is read from. */
type PersonColumns = Record<keyof z.input<typeof personSchema>, string>;
type ClassColumns = Record<keyof z.input<typeof classRowSchema>, string>;

export function planRosterImport(files: CsvFile[], existing: ExistingRoster): RosterPlan {
	const plan: RosterPlan = {
		kinds: [],
		people: [],
		classes: [],
		enrolments: [],
		rows: [],
		fileErrors: [],
		errorCount: 0,
		goodRowCount: 0,
		badRowCount: 0
	};
	const byKind = new Map<RosterFileKind, CsvFile[]>();
	for (const file of files) {
		const kind = detectFileKind(file.header);
		if (!kind) {
			plan.fileErrors.push(
				`${file.fileName}: columns not recognised (${file.header.join(', ')}). ${EXPECTED_COLUMNS}`
			);
			continue;
		}
		plan.kinds.push({ fileName: file.fileName, kind });
		byKind.set(kind, [...(byKind.get(kind) ?? []), file]);
	}

	// OneRoster 1.2 moves roles out of users.csv; collect them first so users can use them.
	const roleBySourceId = new Map<string, string>();
	for (const file of byKind.get('oneroster-roles') ?? []) {
		for (const record of file.records) {
			const userSourceId = get(record, 'userSourcedId').trim();
			if (userSourceId && !roleBySourceId.has(userSourceId))
				roleBySourceId.set(userSourceId, get(record, 'role'));
		}
	}

	const plannedUsernames = new Map<string, PlannedPerson>();
	const plannedSourceIds = new Map<string, string>(); // user sourcedId → username
	const plannedClassNames = new Map<string, PlannedClass>();
	const plannedClassSourceIds = new Map<string, string>();

	// Rows with problems, by the sourcedId they carry, so a reference to one says why it is missing.
	const badUserRows = new Map<string, string>();
	const badClassRows = new Map<string, string>();
	const where = (fileName: string, line: number) => `${fileName} line ${line}`;

	const addPerson = (
		fileName: string,
		line: number,
		raw: Record<string, string>,
		columns: PersonColumns
	) => {
		const errors: RowProblem[] = [];
		const parsed = personSchema.safeParse(raw);
		const summary = `${raw.username || '(no username)'} — ${[raw.givenName, raw.familyName].filter(Boolean).join(' ')} (${raw.role || 'no role'})`;
		const row: PreviewRow = { fileName, line, summary, action: 'create', errors };
		plan.rows.push(row);
		if (!parsed.success) {
			errors.push(...zodProblems(parsed.error, columns));
			if (raw.sourceId) badUserRows.set(raw.sourceId.trim(), where(fileName, line));
			return null;
		}
		const role = parsed.data.role === 'admin' ? 'admin' : ONE_ROSTER_ROLES[parsed.data.role]!;
		const person: PlannedPerson = { ...parsed.data, role };
		const problem = (column: string, reason: string) => errors.push({ column, reason });
		if (plannedUsernames.has(person.username))
			problem(columns.username, `Username ${person.username} appears twice in this import.`);
		if (existing.usernamesElsewhere.has(person.username)) {
			problem(
				columns.username,
				`Username ${person.username} is already used by someone in another school.`
			);
		}
		const current = existing.usersByUsername.get(person.username);
		if (person.sourceId) {
			if (existing.sourceIdsElsewhere.has(person.sourceId))
				problem(
					columns.sourceId,
					`sourcedId ${person.sourceId} is already used in another school.`
				);
			const holder = existing.usernameBySourceId.get(person.sourceId);
			if (holder && holder !== person.username) {
				problem(
					columns.sourceId,
					`sourcedId ${person.sourceId} already belongs to ${holder}; usernames cannot be changed by import.`
				);
			}
			if (plannedSourceIds.has(person.sourceId))
				problem(columns.sourceId, `sourcedId ${person.sourceId} appears twice in this import.`);
		}
		if (current && current.roles.length > 0 && !current.roles.includes(role)) {
			problem(
				columns.role,
				`${person.username} already exists as ${current.roles.join(' and ')}; change roles on the admin pages, not by import.`
			);
		}
		row.action = current ? 'update' : 'create';
		if (errors.length) {
			// A second row with the same sourcedId must not hide the first, good one.
			if (person.sourceId && !plannedSourceIds.has(person.sourceId))
				badUserRows.set(person.sourceId, where(fileName, line));
			return null;
		}
		return { person, row };
	};
	/** Takes a checked person into the plan (once the rest of their row is checked too). */
	const keepPerson = (person: PlannedPerson) => {
		plannedUsernames.set(person.username, person);
		if (person.sourceId) plannedSourceIds.set(person.sourceId, person.username);
		plan.people.push(person);
	};

	/** A class's problems, or the class (the one already planned when the name repeats). */
	const checkClass = (
		raw: Record<string, string>,
		columns: ClassColumns
	): { schoolClass: PlannedClass; isNew: boolean } | { errors: RowProblem[] } => {
		const parsed = classRowSchema.safeParse(raw);
		if (!parsed.success) return { errors: zodProblems(parsed.error, columns) };
		const schoolClass = parsed.data;
		const already = plannedClassNames.get(schoolClass.name);
		if (already) return { schoolClass: already, isNew: false };
		const errors: RowProblem[] = [];
		if (schoolClass.sourceId) {
			if (existing.classSourceIdsElsewhere.has(schoolClass.sourceId))
				errors.push({
					column: columns.sourceId,
					reason: `Class sourcedId ${schoolClass.sourceId} is already used in another school.`
				});
			const holder = existing.classNameBySourceId.get(schoolClass.sourceId);
			if (holder && holder !== schoolClass.name) {
				errors.push({
					column: columns.sourceId,
					reason: `Class sourcedId ${schoolClass.sourceId} already belongs to class “${holder}”.`
				});
			}
		}
		return errors.length ? { errors } : { schoolClass, isNew: true };
	};
	const keepClass = (schoolClass: PlannedClass) => {
		plannedClassNames.set(schoolClass.name, schoolClass);
		if (schoolClass.sourceId) plannedClassSourceIds.set(schoolClass.sourceId, schoolClass.name);
		plan.classes.push(schoolClass);
	};

	// Lines are numbered as a spreadsheet shows them: the header is line 1. A simple row is a
	// person and, when it names one, their class: a problem with either keeps the whole row out.
	for (const file of byKind.get('simple') ?? []) {
		const columns: PersonColumns = {
			sourceId: columnOf(file, 'username'),
			username: columnOf(file, 'username'),
			givenName: columnOf(file, 'given_name'),
			familyName: columnOf(file, 'family_name'),
			role: columnOf(file, 'role'),
			email: columnOf(file, 'email'),
			yearGroup: columnOf(file, 'year_group'),
			password: columnOf(file, 'password')
		};
		const classColumn = columnOf(file, 'class');
		file.records.forEach((record, index) => {
			const line = index + 2;
			const checked = addPerson(
				file.fileName,
				line,
				{
					sourceId: '',
					username: get(record, 'username'),
					givenName: get(record, 'given_name'),
					familyName: get(record, 'family_name'),
					role: get(record, 'role'),
					email: get(record, 'email'),
					yearGroup: get(record, 'year_group'),
					password: get(record, 'password')
				},
				columns
			);
			if (!checked) return;
			const { person, row } = checked;
			const className = get(record, 'class').trim();
			if (!className) return keepPerson(person);
			if (person.role === 'admin') {
				row.errors.push({
					column: classColumn,
					reason: 'A school admin cannot be enrolled in a class; leave class empty.'
				});
				return;
			}
			const schoolClass = checkClass(
				{ sourceId: '', name: className, yearGroup: person.yearGroup ?? '', subject: '' },
				{
					sourceId: classColumn,
					name: classColumn,
					yearGroup: columns.yearGroup,
					subject: classColumn
				}
			);
			if ('errors' in schoolClass) {
				row.errors.push(...schoolClass.errors);
				return;
			}
			keepPerson(person);
			if (schoolClass.isNew) keepClass(schoolClass.schoolClass);
			plan.enrolments.push({
				username: person.username,
				className: schoolClass.schoolClass.name,
				role: person.role === 'teacher' ? 'teacher' : 'student'
			});
		});
	}

	for (const file of byKind.get('oneroster-users') ?? []) {
		file.records.forEach((record, index) => {
			const sourceId = get(record, 'sourcedId').trim();
			if (get(record, 'status').trim().toLowerCase() === 'tobedeleted') return;
			const preferred = (column: string) => get(record, `preferred${column}`).trim() !== '';
			const checked = addPerson(
				file.fileName,
				index + 2,
				{
					sourceId,
					username: get(record, 'username'),
					givenName: get(record, 'preferredGivenName') || get(record, 'givenName'),
					familyName: get(record, 'preferredFamilyName') || get(record, 'familyName'),
					role: get(record, 'role') || roleBySourceId.get(sourceId) || '',
					email: get(record, 'email'),
					yearGroup: yearGroupFromGrades(get(record, 'grades')),
					password: get(record, 'password')
				},
				{
					sourceId: columnOf(file, 'sourcedId'),
					username: columnOf(file, 'username'),
					givenName: columnOf(file, preferred('GivenName') ? 'preferredGivenName' : 'givenName'),
					familyName: columnOf(
						file,
						preferred('FamilyName') ? 'preferredFamilyName' : 'familyName'
					),
					role:
						get(record, 'role') || !roleBySourceId.has(sourceId)
							? columnOf(file, 'role')
							: 'role (in roles.csv)',
					email: columnOf(file, 'email'),
					yearGroup: columnOf(file, 'grades'),
					password: columnOf(file, 'password')
				}
			);
			if (checked) keepPerson(checked.person);
		});
	}

	for (const file of byKind.get('oneroster-classes') ?? []) {
		const columns: ClassColumns = {
			sourceId: columnOf(file, 'sourcedId'),
			name: columnOf(file, 'title'),
			yearGroup: columnOf(file, 'grades'),
			subject: columnOf(file, 'subjects')
		};
		file.records.forEach((record, index) => {
			if (get(record, 'status').trim().toLowerCase() === 'tobedeleted') return;
			const line = index + 2;
			const raw = {
				sourceId: get(record, 'sourcedId'),
				name: get(record, 'title'),
				yearGroup: yearGroupFromGrades(get(record, 'grades')),
				subject: get(record, 'subjects').split(',')[0] ?? ''
			};
			const checked = checkClass(raw, columns);
			const name = 'schoolClass' in checked ? checked.schoolClass.name : raw.name.trim();
			const errors = 'errors' in checked ? checked.errors : [];
			plan.rows.push({
				fileName: file.fileName,
				line,
				summary: name ? `Class ${name}` : '(no class title)',
				action: existing.classNames.has(name) ? 'update' : 'create',
				errors
			});
			if ('errors' in checked) {
				const sourceId = raw.sourceId.trim();
				if (sourceId && !plannedClassSourceIds.has(sourceId))
					badClassRows.set(sourceId, where(file.fileName, line));
			} else if (checked.isNew) keepClass(checked.schoolClass);
		});
	}

	const seenEnrolments = new Set<string>();
	for (const file of byKind.get('oneroster-enrollments') ?? []) {
		file.records.forEach((record, index) => {
			if (get(record, 'status').trim().toLowerCase() === 'tobedeleted') return;
			const line = index + 2;
			const userSourceId = get(record, 'userSourcedId').trim();
			const classSourceId = get(record, 'classSourcedId').trim();
			const roleText = get(record, 'role').trim().toLowerCase();
			const errors: RowProblem[] = [];
			const userColumn = columnOf(file, 'userSourcedId');
			const classColumn = columnOf(file, 'classSourcedId');
			const roleColumn = columnOf(file, 'role');
			const username =
				plannedSourceIds.get(userSourceId) ?? existing.usernameBySourceId.get(userSourceId);
			const className =
				plannedClassSourceIds.get(classSourceId) ?? existing.classNameBySourceId.get(classSourceId);
			if (!username)
				errors.push({
					column: userColumn,
					reason: badUserRows.has(userSourceId)
						? `User ${userSourceId} is skipped: ${badUserRows.get(userSourceId)} has a problem.`
						: `No user with sourcedId ${userSourceId || '(empty)'} in users.csv or in the school.`
				});
			if (!className)
				errors.push({
					column: classColumn,
					reason: badClassRows.has(classSourceId)
						? `Class ${classSourceId} is skipped: ${badClassRows.get(classSourceId)} has a problem.`
						: `No class with sourcedId ${classSourceId || '(empty)'} in classes.csv or in the school.`
				});
			const role =
				roleText === 'teacher' || roleText === 'aide'
					? 'teacher'
					: roleText === 'student'
						? 'student'
						: null;
			if (!role)
				errors.push({
					column: roleColumn,
					reason: `Enrolment role must be student or teacher, not “${roleText}”.`
				});
			const personRoles = username
				? plannedUsernames.has(username)
					? [plannedUsernames.get(username)!.role]
					: (existing.usersByUsername.get(username)?.roles ?? [])
				: [];
			if (username && role && !personRoles.includes(role)) {
				errors.push({
					column: roleColumn,
					reason: `${username} is not a ${role} (${personRoles.join(', ') || 'no role'}), so cannot be enrolled as one.`
				});
			}
			plan.rows.push({
				fileName: file.fileName,
				line,
				summary: `${username ?? userSourceId} → ${className ?? classSourceId} (${roleText})`,
				action: 'enrol',
				errors
			});
			if (errors.length || !username || !className || !role) return;
			const key = `${username}|${className}|${role}`;
			if (seenEnrolments.has(key)) return;
			seenEnrolments.add(key);
			plan.enrolments.push({ username, className, role });
		});
	}

	plan.badRowCount = plan.rows.filter((r) => r.errors.length > 0).length;
	plan.goodRowCount = plan.rows.length - plan.badRowCount;
	plan.errorCount = plan.fileErrors.length + plan.badRowCount;
	return plan;
}

/** A row's problems in one cell: "username: Use only letters…; role: Role must be…". */
export function problemText(errors: RowProblem[]): string {
	return errors.map((e) => (e.column ? `${e.column}: ${e.reason}` : e.reason)).join('; ');
}

/**
 * The rows with problems, file by file, as the file wrote them plus a `problem` column, so the
 * admin can fix them in a spreadsheet and import that file (the import ignores columns it does not
 * read; a `problem` column already there, from an earlier list, is written over).
 */
export function rowsWithProblems(
	plan: RosterPlan,
	files: CsvFile[]
): { fileName: string; header: string[]; rows: string[][] }[] {
	return files.flatMap((file) => {
		const bad = plan.rows.filter((r) => r.fileName === file.fileName && r.errors.length > 0);
		if (bad.length === 0) return [];
		const existingProblem = file.header.indexOf('problem');
		const header = existingProblem >= 0 ? file.columns : [...file.columns, 'problem'];
		const problemAt = existingProblem >= 0 ? existingProblem : file.columns.length;
		const rows = [...bad]
			.sort((a, b) => a.line - b.line)
			.map((row) => {
				const cells = file.columns.map((_, i) => file.cells[row.line - 2]?.[i] ?? '');
				cells[problemAt] = `Line ${row.line}: ${problemText(row.errors)}`;
				return cells;
			});
		return [{ fileName: file.fileName, header, rows }];
	});
}

/**
 * OneRoster's `grades` holds CEDS codes ("08", "09", "KG"), several comma-separated; a school reads
 * the first as its year group, written as the school writes it: "08" is year 8.
 */
export function yearGroupFromGrades(grades: string): string {
	const first = grades.split(',')[0]?.trim() ?? '';
	return /^\d+$/.test(first) ? String(Number(first)) : first;
}
