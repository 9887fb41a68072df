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
export type CsvFile = { fileName: string; header: string[]; records: Record<string, string>[] };
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
export interface PreviewRow {
	fileName: string;
	line: number;
	summary: string;
	action: 'create' | 'update' | 'enrol' | 'unchanged';
	errors: string[];
}
export interface RosterPlan {
	kinds: { fileName: string; kind: RosterFileKind }[];
	people: PlannedPerson[];
	classes: PlannedClass[];
	enrolments: PlannedEnrolment[];
	rows: PreviewRow[];
	fileErrors: string[];
	errorCount: number;
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

function zodMessages(error: z.ZodError): string[] {
	return error.issues.map((i) => {
		const field = String(i.path[0] ?? '');
		return i.message.startsWith('must') ? `${field} ${i.message}` : i.message;
	});
}

export function planRosterImport(files: CsvFile[], existing: ExistingRoster): RosterPlan {
	const plan: RosterPlan = {
		kinds: [],
		people: [],
		classes: [],
		enrolments: [],
		rows: [],
		fileErrors: [],
		errorCount: 0
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

	const addPerson = (fileName: string, line: number, raw: Record<string, string>) => {
		const errors: string[] = [];
		const parsed = personSchema.safeParse(raw);
		const summary = `${raw.username || '(no username)'} — ${[raw.givenName, raw.familyName].filter(Boolean).join(' ')} (${raw.role || 'no role'})`;
		if (!parsed.success) {
			errors.push(...zodMessages(parsed.error));
			plan.rows.push({ fileName, line, summary, action: 'create', errors });
			return null;
		}
		const role = parsed.data.role === 'admin' ? 'admin' : ONE_ROSTER_ROLES[parsed.data.role]!;
		const person: PlannedPerson = { ...parsed.data, role };
		if (plannedUsernames.has(person.username))
			errors.push(`Username ${person.username} appears twice in this import.`);
		if (existing.usernamesElsewhere.has(person.username)) {
			errors.push(`Username ${person.username} is already used by someone in another school.`);
		}
		const current = existing.usersByUsername.get(person.username);
		if (person.sourceId) {
			if (existing.sourceIdsElsewhere.has(person.sourceId))
				errors.push(`sourcedId ${person.sourceId} is already used in another school.`);
			const holder = existing.usernameBySourceId.get(person.sourceId);
			if (holder && holder !== person.username) {
				errors.push(
					`sourcedId ${person.sourceId} already belongs to ${holder}; usernames cannot be changed by import.`
				);
			}
			if (plannedSourceIds.has(person.sourceId))
				errors.push(`sourcedId ${person.sourceId} appears twice in this import.`);
		}
		if (current && current.roles.length > 0 && !current.roles.includes(role)) {
			errors.push(
				`${person.username} already exists as ${current.roles.join(' and ')}; change roles on the admin pages, not by import.`
			);
		}
		const action = current ? 'update' : 'create';
		plan.rows.push({ fileName, line, summary, action, errors });
		if (errors.length) return null;
		plannedUsernames.set(person.username, person);
		if (person.sourceId) plannedSourceIds.set(person.sourceId, person.username);
		plan.people.push(person);
		return person;
	};

	const addClass = (
		fileName: string,
		line: number,
		raw: Record<string, string>,
		showRow = true
	) => {
		const parsed = classRowSchema.safeParse(raw);
		if (!parsed.success) {
			plan.rows.push({
				fileName,
				line,
				summary: raw.name || '(no class title)',
				action: 'create',
				errors: zodMessages(parsed.error)
			});
			return null;
		}
		const schoolClass = parsed.data;
		const already = plannedClassNames.get(schoolClass.name);
		if (already) return already;
		const errors: string[] = [];
		if (schoolClass.sourceId) {
			if (existing.classSourceIdsElsewhere.has(schoolClass.sourceId))
				errors.push(`Class sourcedId ${schoolClass.sourceId} is already used in another school.`);
			const holder = existing.classNameBySourceId.get(schoolClass.sourceId);
			if (holder && holder !== schoolClass.name) {
				errors.push(
					`Class sourcedId ${schoolClass.sourceId} already belongs to class “${holder}”.`
				);
			}
		}
		const action = existing.classNames.has(schoolClass.name) ? 'update' : 'create';
		if (showRow || errors.length)
			plan.rows.push({ fileName, line, summary: `Class ${schoolClass.name}`, action, errors });
		if (errors.length) return null;
		plannedClassNames.set(schoolClass.name, schoolClass);
		if (schoolClass.sourceId) plannedClassSourceIds.set(schoolClass.sourceId, schoolClass.name);
		plan.classes.push(schoolClass);
		return schoolClass;
	};

	// Lines are numbered as a spreadsheet shows them: the header is line 1.
	for (const file of byKind.get('simple') ?? []) {
		file.records.forEach((record, index) => {
			const line = index + 2;
			const person = addPerson(file.fileName, line, {
				sourceId: '',
				username: get(record, 'username'),
				givenName: get(record, 'given_name'),
				familyName: get(record, 'family_name'),
				role: get(record, 'role'),
				email: get(record, 'email'),
				yearGroup: get(record, 'year_group'),
				password: get(record, 'password')
			});
			const className = get(record, 'class').trim();
			if (!person || !className) return;
			if (person.role === 'admin') {
				plan.rows
					.at(-1)!
					.errors.push('A school admin cannot be enrolled in a class; leave class empty.');
				plan.people.pop();
				return;
			}
			const schoolClass = addClass(
				file.fileName,
				line,
				{ sourceId: '', name: className, yearGroup: person.yearGroup ?? '', subject: '' },
				false
			);
			if (schoolClass)
				plan.enrolments.push({
					username: person.username,
					className: schoolClass.name,
					role: person.role === 'teacher' ? 'teacher' : 'student'
				});
		});
	}

	for (const file of byKind.get('oneroster-users') ?? []) {
		file.records.forEach((record, index) => {
			const sourceId = get(record, 'sourcedId').trim();
			if (get(record, 'status').trim().toLowerCase() === 'tobedeleted') return;
			addPerson(file.fileName, index + 2, {
				sourceId,
				username: get(record, 'username'),
				givenName: get(record, 'preferredGivenName') || get(record, 'givenName'),
				familyName: get(record, 'preferredFamilyName') || get(record, 'familyName'),
				role: get(record, 'role') || roleBySourceId.get(sourceId) || '',
				email: get(record, 'email'),
				yearGroup: yearGroupFromGrades(get(record, 'grades')),
				password: get(record, 'password')
			});
		});
	}

	for (const file of byKind.get('oneroster-classes') ?? []) {
		file.records.forEach((record, index) => {
			if (get(record, 'status').trim().toLowerCase() === 'tobedeleted') return;
			addClass(file.fileName, index + 2, {
				sourceId: get(record, 'sourcedId'),
				name: get(record, 'title'),
				yearGroup: yearGroupFromGrades(get(record, 'grades')),
				subject: get(record, 'subjects').split(',')[0] ?? ''
			});
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
			const errors: string[] = [];
			const username =
				plannedSourceIds.get(userSourceId) ?? existing.usernameBySourceId.get(userSourceId);
			const className =
				plannedClassSourceIds.get(classSourceId) ?? existing.classNameBySourceId.get(classSourceId);
			if (!username)
				errors.push(
					`No user with sourcedId ${userSourceId || '(empty)'} in users.csv or in the school.`
				);
			if (!className)
				errors.push(
					`No class with sourcedId ${classSourceId || '(empty)'} in classes.csv or in the school.`
				);
			const role =
				roleText === 'teacher' || roleText === 'aide'
					? 'teacher'
					: roleText === 'student'
						? 'student'
						: null;
			if (!role) errors.push(`Enrolment role must be student or teacher, not “${roleText}”.`);
			const personRoles = username
				? plannedUsernames.has(username)
					? [plannedUsernames.get(username)!.role]
					: (existing.usersByUsername.get(username)?.roles ?? [])
				: [];
			if (username && role && !personRoles.includes(role)) {
				errors.push(
					`${username} is not a ${role} (${personRoles.join(', ') || 'no role'}), so cannot be enrolled as one.`
				);
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

	plan.errorCount = plan.fileErrors.length + plan.rows.filter((r) => r.errors.length > 0).length;
	return plan;
}

/**
 * OneRoster's `grades` holds CEDS codes ("08", "09", "KG"), several comma-separated; a school reads
 * the first as its year group, written as the school writes it: "08" is year 8.
 */
export function yearGroupFromGrades(grades: string): string {
	const first = grades.split(',')[0]?.trim() ?? '';
	return /^\d+$/.test(first) ? String(Number(first)) : first;
}
