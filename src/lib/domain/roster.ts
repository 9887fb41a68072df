import { z } from 'zod';
import type { Role } from './states';
import { canonicalYearGroup } from './names';
import {
	familyNameSchema,
	givenNameSchema,
	passwordSchema,
	usernameSchema
} from '../schemas/people';
import {
	NEVER_READ,
	ROSTER_FILES,
	idList,
	oneRosterFileName,
	ownOrg,
	readManifest,
	roleAtOrg,
	roleOutcome,
	yearGroupFromGrades,
	type BundleOrg,
	type ManifestMode,
	type OrgMatch,
	type RoleRow
} from './oneroster';

export { yearGroupFromGrades };

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
	| 'simple'
	| 'oneroster-users'
	| 'oneroster-roles'
	| 'oneroster-classes'
	| 'oneroster-enrollments'
	| 'oneroster-manifest'
	| 'oneroster-orgs'
	| 'oneroster-courses'
	| 'oneroster-sessions'
	/** a file of the bundle that is not roster data, or that the manifest says is absent */
	| 'not-read';

export interface PlannedPerson {
	fileName: string;
	sourceId: string | null;
	username: string;
	givenName: string;
	familyName: string;
	role: RosterRole;
	email: string | null;
	yearGroup: string | null;
	password: string | null;
	/** false: OneRoster's enabledUser=false; the account is made (or kept) deactivated */
	active: boolean;
}
export interface PlannedClass {
	fileName: string;
	sourceId: string | null;
	name: string;
	yearGroup: string | null;
	subject: string | null;
	/** the title of the class's OneRoster course, and of its terms (academicSessions) */
	courseTitle: string | null;
	term: string | null;
}
/** Enrolments name people by username and classes by name, once the references are resolved. */
export interface PlannedEnrolment {
	fileName: string;
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
	action: 'create' | 'update' | 'enrol' | 'unchanged' | 'deactivate' | 'remove' | 'archive';
	errors: RowProblem[];
}
/** Rows left out on purpose, not problems: counted per file and reason ("40 users of Other School"). */
export interface SkipNote {
	fileName: string;
	reason: string;
	count: number;
}
/** Why a person is deactivated, a class archived or an enrolment removed. */
export type EndReason = 'tobedeleted' | 'disabled' | 'not-in-bulk';
/** What the bundle is: its manifest, and which of its orgs is this school. */
export interface BundleSummary {
	manifest: {
		manifestVersion: string;
		oneRosterVersion: string;
		sourceSystem: string | null;
		modes: { file: string; mode: ManifestMode }[];
	} | null;
	org: (BundleOrg & { match: OrgMatch }) | null;
	/** the orgs the admin may choose from when the bundle does not say which is theirs */
	orgChoices: BundleOrg[];
	orgProblem: string | null;
}
export interface RosterPlan {
	kinds: { fileName: string; kind: RosterFileKind; mode: ManifestMode | null; note?: string }[];
	people: PlannedPerson[];
	classes: PlannedClass[];
	enrolments: PlannedEnrolment[];
	/** existing people to deactivate (matched by sourcedId) */
	deactivations: { fileName: string; username: string; reason: EndReason }[];
	/** existing classes to archive (matched by sourcedId) */
	archivedClasses: { fileName: string; name: string; reason: EndReason }[];
	/** existing enrolments to end */
	removedEnrolments: (PlannedEnrolment & { reason: EndReason })[];
	skipped: SkipNote[];
	bundle: BundleSummary | null;
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
	/**
	 * Enrolments of the school whose person and class both came from a roster (carry sourcedIds):
	 * the ones a bulk enrollments.csv replaces.
	 */
	rosterEnrolments: { username: string; className: string; role: 'student' | 'teacher' }[];
}

/** The school an import is for, as far as OneRoster bundles need it. */
export interface RosterSchool {
	name: string;
	/** the org sourcedId stored on the school by an earlier import */
	storedOrgId: string | null;
	/** the org the admin chose in the preview */
	chosenOrgId: string | null;
	/** org sourcedIds linked to other schools on this server */
	orgIdsElsewhere: Set<string>;
	/** the admin importing: never deactivated by their own import */
	actorUsername: string | null;
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
	yearGroup: optionalText(20).transform(canonicalYearGroup),
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
	yearGroup: optionalText(20).transform(canonicalYearGroup),
	subject: optionalText(80)
});

/** A OneRoster file is known by its name (as the binding names it); other files by their columns. */
const KIND_OF_FILE: Partial<Record<string, RosterFileKind>> = {
	manifest: 'oneroster-manifest',
	users: 'oneroster-users',
	roles: 'oneroster-roles',
	classes: 'oneroster-classes',
	enrollments: 'oneroster-enrollments',
	orgs: 'oneroster-orgs',
	courses: 'oneroster-courses',
	academicSessions: 'oneroster-sessions'
};

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

const NO_SCHOOL: RosterSchool = {
	name: '',
	storedOrgId: null,
	chosenOrgId: null,
	orgIdsElsewhere: new Set(),
	actorUsername: null
};

const isDeleted = (record: Record<string, string>) =>
	get(record, 'status').trim().toLowerCase() === 'tobedeleted';

export function planRosterImport(
	files: CsvFile[],
	existing: ExistingRoster,
	school: RosterSchool = NO_SCHOOL
): RosterPlan {
	const plan: RosterPlan = {
		kinds: [],
		people: [],
		classes: [],
		enrolments: [],
		deactivations: [],
		archivedClasses: [],
		removedEnrolments: [],
		skipped: [],
		bundle: null,
		rows: [],
		fileErrors: [],
		errorCount: 0,
		goodRowCount: 0,
		badRowCount: 0
	};
	const skip = (fileName: string, reason: string) => {
		const note = plan.skipped.find((n) => n.fileName === fileName && n.reason === reason);
		if (note) note.count++;
		else plan.skipped.push({ fileName, reason, count: 1 });
	};

	// With a manifest the bundle says what each file is and how it is given (bulk or delta); files
	// are never guessed from their columns then. Without one, OneRoster names still say what a file
	// is (courses.csv is courses, not classes), and any other file is known by its columns.
	const manifestFile = files.find((f) => oneRosterFileName(f.fileName) === 'manifest');
	const manifest = manifestFile ? readManifest(manifestFile.records, manifestFile.fileName) : null;
	if (manifest) plan.fileErrors.push(...manifest.problems);
	const byKind = new Map<RosterFileKind, CsvFile[]>();
	const modeOf = new Map<string, ManifestMode>();
	for (const file of files) {
		const name = oneRosterFileName(file.fileName);
		const mode = name && name !== 'manifest' ? (manifest?.modes.get(name) ?? null) : null;
		let kind: RosterFileKind | null = name ? (KIND_OF_FILE[name] ?? 'not-read') : null;
		let note: string | undefined;
		if (name && NEVER_READ.has(name as never)) note = 'not read: the app keeps no demographic data';
		else if (kind === 'not-read') note = 'not read: not roster data';
		else if (manifest && name !== 'manifest' && mode === 'absent') {
			kind = 'not-read';
			note = 'not read: the manifest says it is absent';
		} else if (manifest && !name) {
			kind = 'not-read';
			note = 'not read: the OneRoster 1.2 CSV binding has no such file';
		}
		kind ??= detectFileKind(file.header);
		if (!kind) {
			plan.fileErrors.push(
				`${file.fileName}: columns not recognised (${file.header.join(', ')}). ${EXPECTED_COLUMNS}`
			);
			continue;
		}
		plan.kinds.push({ fileName: file.fileName, kind, mode, ...(note ? { note } : {}) });
		if (mode) modeOf.set(file.fileName, mode);
		byKind.set(kind, [...(byKind.get(kind) ?? []), file]);
	}
	if (manifest) {
		const given = new Set(files.map((f) => oneRosterFileName(f.fileName)));
		for (const [name, mode] of manifest.modes)
			if (mode !== 'absent' && ROSTER_FILES.has(name) && !given.has(name))
				plan.fileErrors.push(
					`${manifestFile!.fileName} lists ${name}.csv (${mode}), but it is not in the upload. Add it, or upload the whole bundle as one zip.`
				);
	}
	const isBulk = (fileName: string) => modeOf.get(fileName) === 'bulk';

	// Which org of the bundle is this school. With orgs.csv, or an org stored on the school by an
	// earlier import, only that org's people, classes and enrolments are read: the rest are other
	// schools' (a district's bundle holds them all) and are skipped, by name.
	const orgs: BundleOrg[] = (byKind.get('oneroster-orgs') ?? []).flatMap((f) =>
		f.records
			.filter((r) => !isDeleted(r) && get(r, 'sourcedId').trim())
			.map((r) => ({
				sourceId: get(r, 'sourcedId').trim(),
				name: get(r, 'name').trim() || get(r, 'sourcedId').trim(),
				type: get(r, 'type').trim()
			}))
	);
	// A bundle without orgs.csv (file.orgs=absent) still names its schools, in classes.csv: they
	// are the orgs to choose from (or the one school) on a first import.
	if (manifest && orgs.length === 0 && !school.storedOrgId) {
		const classSchools = new Set(
			(byKind.get('oneroster-classes') ?? []).flatMap((f) =>
				f.records.flatMap((r) => idList(get(r, 'schoolSourcedId')))
			)
		);
		for (const sourceId of classSchools) orgs.push({ sourceId, name: sourceId, type: 'school' });
	}
	let orgId: string | null = null;
	if (orgs.length > 0 || manifest || school.storedOrgId) {
		const schools = orgs.filter((o) => o.type.toLowerCase() === 'school');
		const found =
			orgs.length === 0 && school.storedOrgId
				? ({
						org: { sourceId: school.storedOrgId, name: school.name, type: 'school' },
						match: 'stored'
					} as const)
				: orgs.length === 0 && !manifest
					? null
					: ownOrg(orgs, school, school.orgIdsElsewhere);
		plan.bundle = {
			manifest: manifest && {
				manifestVersion: manifest.manifestVersion,
				oneRosterVersion: manifest.oneRosterVersion,
				sourceSystem: manifest.sourceSystem,
				modes: [...manifest.modes].map(([file, mode]) => ({ file, mode }))
			},
			org: found?.org ? { ...found.org, match: found.match } : null,
			orgChoices: (schools.length ? schools : orgs).filter(
				(o) => !school.orgIdsElsewhere.has(o.sourceId)
			),
			orgProblem: found && !found.org ? found.problem : null
		};
		orgId = found?.org?.sourceId ?? null;
		if (found && !found.org) {
			// Until the admin says which school is theirs, no row is planned: every school's people
			// would be shown, and none of them can be imported yet.
			plan.fileErrors.push(found.problem);
			plan.errorCount = plan.fileErrors.length;
			return plan;
		}
	}
	const orgName = (id: string) =>
		orgs.find((o) => o.sourceId === id)?.name ?? `another org (${id})`;
	/** Null: the row is this school's (or says nothing of its org); else the other org's name. */
	const otherOrg = (rowOrgIds: string[]): string | null =>
		orgId === null || rowOrgIds.length === 0 || rowOrgIds.includes(orgId)
			? null
			: orgName(rowOrgIds[0]!);

	// OneRoster 1.2 moves roles out of users.csv; collect them first so users can use them.
	const rolesOf = new Map<string, RoleRow[]>();
	for (const file of byKind.get('oneroster-roles') ?? []) {
		for (const record of file.records) {
			const userSourceId = get(record, 'userSourcedId').trim();
			if (!userSourceId || isDeleted(record)) continue;
			rolesOf.set(userSourceId, [
				...(rolesOf.get(userSourceId) ?? []),
				{
					role: get(record, 'role'),
					roleType: get(record, 'roleType'),
					orgSourceId: get(record, 'orgSourcedId').trim()
				}
			]);
		}
	}
	/** The role a person holds here: at this school's org, the primary one first. */
	const roleFromRoles = (userSourceId: string): string | null => {
		const rows = rolesOf.get(userSourceId) ?? [];
		if (rows.length === 0) return null;
		if (orgId) return roleAtOrg(rows, orgId);
		return (rows.find((r) => r.roleType.trim().toLowerCase() === 'primary') ?? rows[0])!.role;
	};
	const titles = (kind: RosterFileKind) =>
		new Map(
			(byKind.get(kind) ?? []).flatMap((f) =>
				f.records.map((r) => [get(r, 'sourcedId').trim(), get(r, 'title').trim()] as const)
			)
		);
	const courseTitles = titles('oneroster-courses');
	const sessionTitles = titles('oneroster-sessions');
	// Why a user or class of the file is not imported, so their enrolments say the same.
	const skippedUsers = new Map<string, string>();
	const skippedClasses = new Map<string, string>();
	// The sourcedIds a file names for this school, whatever becomes of the row: what a bulk file
	// does not name is what it ends.
	const namedUsers = new Set<string>();
	const namedClasses = new Set<string>();

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
		columns: PersonColumns,
		active = true
	) => {
		const errors: RowProblem[] = [];
		const parsed = personSchema.safeParse(raw);
		const summary = `${raw.username || '(no username)'} — ${[raw.givenName, raw.familyName].filter(Boolean).join(' ')} (${raw.role || 'no role'})${active ? '' : ', disabled: kept deactivated'}`;
		const row: PreviewRow = { fileName, line, summary, action: 'create', errors };
		plan.rows.push(row);
		if (!parsed.success) {
			errors.push(...zodProblems(parsed.error, columns));
			if (raw.sourceId) badUserRows.set(raw.sourceId.trim(), where(fileName, line));
			return null;
		}
		const role = parsed.data.role === 'admin' ? 'admin' : ONE_ROSTER_ROLES[parsed.data.role]!;
		const person: PlannedPerson = { ...parsed.data, role, fileName, active };
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
		if (!active && person.username === school.actorUsername)
			problem(columns.role, 'You cannot deactivate your own account.');
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
		if (!person.active && existing.usersByUsername.has(person.username))
			plan.deactivations.push({
				fileName: person.fileName,
				username: person.username,
				reason: 'disabled'
			});
	};

	/** A class's problems, or the class (the one already planned when the name repeats). */
	const checkClass = (
		raw: Record<string, string>,
		columns: ClassColumns,
		more: Pick<PlannedClass, 'fileName' | 'courseTitle' | 'term'>
	): { schoolClass: PlannedClass; isNew: boolean } | { errors: RowProblem[] } => {
		const parsed = classRowSchema.safeParse(raw);
		if (!parsed.success) return { errors: zodProblems(parsed.error, columns) };
		const schoolClass: PlannedClass = { ...parsed.data, ...more };
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
			const roleSkipped = roleOutcome(get(record, 'role'));
			if (roleSkipped.kind === 'skip') return skip(file.fileName, roleSkipped.reason);
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
				},
				{ fileName: file.fileName, courseTitle: null, term: null }
			);
			if ('errors' in schoolClass) {
				row.errors.push(...schoolClass.errors);
				return;
			}
			keepPerson(person);
			if (schoolClass.isNew) keepClass(schoolClass.schoolClass);
			plan.enrolments.push({
				fileName: file.fileName,
				username: person.username,
				className: schoolClass.schoolClass.name,
				role: person.role === 'teacher' ? 'teacher' : 'student'
			});
		});
	}

	for (const file of byKind.get('oneroster-users') ?? []) {
		file.records.forEach((record, index) => {
			const line = index + 2;
			const sourceId = get(record, 'sourcedId').trim();
			// 1.1 lists a user's orgs in users.csv; 1.2 names the primary org and the roles' orgs.
			const userOrgs = [
				...idList(get(record, 'orgSourcedIds')),
				...idList(get(record, 'primaryOrgSourcedId')),
				...(rolesOf.get(sourceId) ?? []).map((r) => r.orgSourceId).filter(Boolean)
			];
			// A guardian or a district administrator gets no account wherever their role is held.
			const roleRows = rolesOf.get(sourceId) ?? [];
			const noAccount = roleRows.map((r) => roleOutcome(r.role));
			if (noAccount.length > 0 && noAccount.every((o) => o.kind === 'skip')) {
				const reason = (noAccount[0] as { reason: string }).reason;
				skippedUsers.set(sourceId, reason);
				return skip(file.fileName, reason);
			}
			const elsewhere = otherOrg(userOrgs);
			if (elsewhere) {
				const reason = `users of ${elsewhere}`;
				skippedUsers.set(sourceId, reason);
				return skip(file.fileName, reason);
			}
			if (sourceId) namedUsers.add(sourceId);
			if (isDeleted(record)) {
				const holder = existing.usernameBySourceId.get(sourceId);
				if (!holder || plannedSourceIds.has(sourceId))
					return skip(file.fileName, 'users marked tobedeleted whom the school does not have');
				plan.rows.push({
					fileName: file.fileName,
					line,
					summary: `${holder} (tobedeleted)`,
					action: 'deactivate',
					errors:
						holder === school.actorUsername
							? [{ column: null, reason: 'You cannot deactivate your own account.' }]
							: []
				});
				if (holder !== school.actorUsername)
					plan.deactivations.push({
						fileName: file.fileName,
						username: holder,
						reason: 'tobedeleted'
					});
				return;
			}
			const roleText =
				get(record, 'role') ||
				roleFromRoles(sourceId) ||
				// A delta row often changes a name only: the person keeps the role they hold.
				existing.usersByUsername.get(existing.usernameBySourceId.get(sourceId) ?? '')?.roles[0] ||
				'';
			const outcome = roleOutcome(roleText);
			if (outcome.kind === 'skip') {
				skippedUsers.set(sourceId, outcome.reason);
				return skip(file.fileName, outcome.reason);
			}
			const preferred = (column: string) => get(record, `preferred${column}`).trim() !== '';
			const checked = addPerson(
				file.fileName,
				line,
				{
					sourceId,
					username: get(record, 'username'),
					givenName: get(record, 'preferredGivenName') || get(record, 'givenName'),
					familyName: get(record, 'preferredFamilyName') || get(record, 'familyName'),
					role: outcome.kind === 'account' ? outcome.role : roleText,
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
						get(record, 'role') || !rolesOf.has(sourceId)
							? columnOf(file, 'role')
							: 'role (in roles.csv)',
					email: columnOf(file, 'email'),
					yearGroup: columnOf(file, 'grades'),
					password: columnOf(file, 'password')
				},
				get(record, 'enabledUser').trim().toLowerCase() !== 'false'
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
			const line = index + 2;
			const sourceId = get(record, 'sourcedId').trim();
			const elsewhere = otherOrg(idList(get(record, 'schoolSourcedId')));
			if (elsewhere) {
				const reason = `classes of ${elsewhere}`;
				skippedClasses.set(sourceId, reason);
				return skip(file.fileName, reason);
			}
			if (sourceId) namedClasses.add(sourceId);
			if (isDeleted(record)) {
				const holder = existing.classNameBySourceId.get(sourceId);
				if (!holder)
					return skip(file.fileName, 'classes marked tobedeleted that the school does not have');
				plan.rows.push({
					fileName: file.fileName,
					line,
					summary: `Class ${holder} (tobedeleted)`,
					action: 'archive',
					errors: []
				});
				plan.archivedClasses.push({ fileName: file.fileName, name: holder, reason: 'tobedeleted' });
				return;
			}
			const raw = {
				sourceId,
				name: get(record, 'title'),
				yearGroup: yearGroupFromGrades(get(record, 'grades')),
				subject: get(record, 'subjects').split(',')[0] ?? ''
			};
			const courseTitle = courseTitles.get(get(record, 'courseSourcedId').trim()) || null;
			const term =
				idList(get(record, 'termSourcedIds'))
					.map((id) => sessionTitles.get(id))
					.filter(Boolean)
					.join(', ') || null;
			const checked = checkClass(raw, columns, { fileName: file.fileName, courseTitle, term });
			const name = 'schoolClass' in checked ? checked.schoolClass.name : raw.name.trim();
			const errors = 'errors' in checked ? checked.errors : [];
			plan.rows.push({
				fileName: file.fileName,
				line,
				summary: name
					? `Class ${name}${courseTitle ? ` (${courseTitle}${term ? `, ${term}` : ''})` : term ? ` (${term})` : ''}`
					: '(no class title)',
				action: existing.classNames.has(name) ? 'update' : 'create',
				errors
			});
			if ('errors' in checked) {
				if (sourceId && !plannedClassSourceIds.has(sourceId))
					badClassRows.set(sourceId, where(file.fileName, line));
			} else if (checked.isNew) keepClass(checked.schoolClass);
		});
	}

	const seenEnrolments = new Set<string>();
	const enrolmentKey = (e: { username: string; className: string; role: string }) =>
		`${e.username}|${e.className}|${e.role}`;
	for (const file of byKind.get('oneroster-enrollments') ?? []) {
		file.records.forEach((record, index) => {
			const line = index + 2;
			const userSourceId = get(record, 'userSourcedId').trim();
			const classSourceId = get(record, 'classSourcedId').trim();
			const roleText = get(record, 'role').trim().toLowerCase();
			const elsewhere =
				otherOrg(idList(get(record, 'schoolSourcedId'))) ?? skippedClasses.get(classSourceId);
			if (elsewhere)
				return skip(
					file.fileName,
					elsewhere.startsWith('classes of ')
						? `enrolments in ${elsewhere}`
						: `enrolments of ${elsewhere}`
				);
			const userSkipped = skippedUsers.get(userSourceId);
			if (userSkipped)
				return skip(
					file.fileName,
					userSkipped.startsWith('users of ')
						? `enrolments of ${userSkipped}`
						: `enrolments of people who get no account: ${userSkipped}`
				);
			const enrolmentRole = roleOutcome(roleText);
			if (
				enrolmentRole.kind === 'skip' ||
				(enrolmentRole.kind === 'account' && enrolmentRole.role === 'admin')
			)
				return skip(
					file.fileName,
					'enrolments as administrator, proctor or guardian (a class has learners and teachers only)'
				);
			const errors: RowProblem[] = [];
			const userColumn = columnOf(file, 'userSourcedId');
			const classColumn = columnOf(file, 'classSourcedId');
			const roleColumn = columnOf(file, 'role');
			const username =
				plannedSourceIds.get(userSourceId) ?? existing.usernameBySourceId.get(userSourceId);
			const className =
				plannedClassSourceIds.get(classSourceId) ?? existing.classNameBySourceId.get(classSourceId);
			const role =
				enrolmentRole.kind === 'account' && enrolmentRole.role !== 'admin'
					? enrolmentRole.role
					: null;
			if (username && className && role)
				seenEnrolments.add(`named:${enrolmentKey({ username, className, role })}`);
			if (isDeleted(record)) {
				if (!username || !className || !role)
					return skip(
						file.fileName,
						'enrolments marked tobedeleted that name no person and class of the school'
					);
				plan.rows.push({
					fileName: file.fileName,
					line,
					summary: `${username} ✕ ${className} (${roleText}, tobedeleted)`,
					action: 'remove',
					errors: []
				});
				plan.removedEnrolments.push({
					fileName: file.fileName,
					username,
					className,
					role,
					reason: 'tobedeleted'
				});
				return;
			}
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
			const key = enrolmentKey({ username, className, role });
			if (seenEnrolments.has(key)) return;
			seenEnrolments.add(key);
			plan.enrolments.push({ fileName: file.fileName, username, className, role });
		});
	}

	// A bulk file is the whole set for this school: what came from a roster before (carries a
	// sourcedId) and the file no longer names is ended: people deactivated, classes archived,
	// enrolments removed. Nobody is deleted, and admins are never deactivated this way (an admin
	// missing from the MIS export must not lock the school out).
	for (const file of byKind.get('oneroster-users') ?? []) {
		if (!isBulk(file.fileName) || orgId === null) continue;
		const ending = new Set(plan.deactivations.map((d) => d.username));
		for (const [sourceId, username] of existing.usernameBySourceId) {
			if (namedUsers.has(sourceId) || ending.has(username)) continue;
			if (existing.usersByUsername.get(username)?.roles.includes('admin')) continue;
			plan.deactivations.push({ fileName: file.fileName, username, reason: 'not-in-bulk' });
		}
	}
	for (const file of byKind.get('oneroster-classes') ?? []) {
		if (!isBulk(file.fileName) || orgId === null) continue;
		const ending = new Set(plan.archivedClasses.map((c) => c.name));
		for (const [sourceId, name] of existing.classNameBySourceId)
			if (!namedClasses.has(sourceId) && !ending.has(name))
				plan.archivedClasses.push({ fileName: file.fileName, name, reason: 'not-in-bulk' });
	}
	for (const file of byKind.get('oneroster-enrollments') ?? []) {
		if (!isBulk(file.fileName) || orgId === null) continue;
		const ending = new Set(plan.removedEnrolments.map(enrolmentKey));
		for (const e of existing.rosterEnrolments) {
			const key = enrolmentKey(e);
			if (seenEnrolments.has(`named:${key}`) || ending.has(key)) continue;
			plan.removedEnrolments.push({ ...e, fileName: file.fileName, reason: 'not-in-bulk' });
		}
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
