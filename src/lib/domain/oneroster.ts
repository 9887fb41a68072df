/**
 * OneRoster 1.2 CSV bundles, pure: the manifest, which files we read and which we leave alone,
 * which org of a district's bundle is this school, the role a person holds there, and grade codes
 * as year groups. The roster planner (roster.ts) uses these; nothing here touches the database.
 */

/** How the manifest says a file is given: the whole set, changes only, or not at all. */
export type ManifestMode = 'bulk' | 'delta' | 'absent';

/** The data files of the 1.2 CSV binding, by their manifest name (`file.<name>`). */
export const ONEROSTER_FILES = [
	'academicSessions',
	'categories',
	'classes',
	'classResources',
	'courses',
	'courseResources',
	'demographics',
	'enrollments',
	'lineItemLearningObjectiveIds',
	'lineItems',
	'lineItemScoreScales',
	'orgs',
	'resources',
	'resultLearningObjectiveIds',
	'results',
	'resultScoreScales',
	'roles',
	'scoreScales',
	'userProfiles',
	'userResources',
	'users'
] as const;
export type OneRosterFileName = (typeof ONEROSTER_FILES)[number];

/** The files the roster reads; the rest of a bundle (gradebook, resources) is not roster data. */
export const ROSTER_FILES: ReadonlySet<OneRosterFileName> = new Set([
	'academicSessions',
	'classes',
	'courses',
	'enrollments',
	'orgs',
	'roles',
	'users'
]);

/**
 * Never read, never carried in the page: demographics are a child's birth date, sex and
 * ethnicity, which the app has no use for (learners are children: keep the least).
 */
export const NEVER_READ: ReadonlySet<OneRosterFileName> = new Set(['demographics']);

/** "Users.CSV", "oneroster/users.csv" → "users"; null for a name the binding does not define. */
export function oneRosterFileName(fileName: string): OneRosterFileName | 'manifest' | null {
	const base = (fileName.split(/[\\/]/).pop() ?? '').toLowerCase();
	if (!base.endsWith('.csv')) return null;
	const stem = base.slice(0, -4);
	if (stem === 'manifest') return 'manifest';
	return ONEROSTER_FILES.find((f) => f.toLowerCase() === stem) ?? null;
}

export interface Manifest {
	manifestVersion: string;
	oneRosterVersion: string;
	modes: Map<OneRosterFileName, ManifestMode>;
	sourceSystem: string | null;
	problems: string[];
}

/**
 * manifest.csv is `propertyName,value` rows: `manifest.version` (1.0), `oneroster.version` (1.2,
 * or 1.1 from older exports), and `file.<name>` = bulk / delta / absent for each data file.
 */
export function readManifest(records: Record<string, string>[], fileName: string): Manifest {
	const manifest: Manifest = {
		manifestVersion: '',
		oneRosterVersion: '',
		modes: new Map(),
		sourceSystem: null,
		problems: []
	};
	for (const record of records) {
		const name = (record['propertyname'] ?? '').trim();
		const value = (record['value'] ?? '').trim();
		if (name === 'manifest.version') manifest.manifestVersion = value;
		else if (name === 'oneroster.version') manifest.oneRosterVersion = value;
		else if (name === 'source.systemName') manifest.sourceSystem = value || null;
		else if (name.startsWith('file.')) {
			const file = ONEROSTER_FILES.find((f) => f.toLowerCase() === name.slice(5).toLowerCase());
			const mode = value.toLowerCase();
			if (!file) continue; // a later version's file: not ours to read
			if (mode !== 'bulk' && mode !== 'delta' && mode !== 'absent')
				manifest.problems.push(
					`${fileName}: ${name} is “${value}”; it must be bulk, delta or absent.`
				);
			else manifest.modes.set(file, mode);
		}
	}
	if (!('propertyname' in (records[0] ?? {})) && records.length > 0)
		manifest.problems.push(`${fileName}: the columns must be propertyName,value.`);
	if (manifest.manifestVersion !== '1.0')
		manifest.problems.push(
			`${fileName}: manifest.version is “${manifest.manifestVersion || '(missing)'}”; expected 1.0.`
		);
	if (!['1.1', '1.2'].includes(manifest.oneRosterVersion))
		manifest.problems.push(
			`${fileName}: oneroster.version is “${manifest.oneRosterVersion || '(missing)'}”; this import reads OneRoster 1.2 (and 1.1).`
		);
	return manifest;
}

export interface BundleOrg {
	sourceId: string;
	name: string;
	type: string;
}

/** Where the school's org came from, for the preview to say so. */
export type OrgMatch = 'stored' | 'chosen' | 'name' | 'only-school';

/**
 * Which org of the bundle is this school: the one stored on the school (a first import stored it),
 * else the admin's choice, else the one school-type org whose name is the school's, else the only
 * school in the bundle. Null with a reason when the admin has to choose. An org linked to another
 * school on this server is never this school's.
 */
export function ownOrg(
	orgs: BundleOrg[],
	school: { name: string; storedOrgId: string | null; chosenOrgId: string | null },
	orgIdsElsewhere: ReadonlySet<string>
): { org: BundleOrg; match: OrgMatch } | { org: null; problem: string } {
	const byId = (id: string) => orgs.find((o) => o.sourceId === id);
	const schools = orgs.filter((o) => o.type.toLowerCase() === 'school');
	const candidates = schools.length > 0 ? schools : orgs;
	if (school.storedOrgId && !school.chosenOrgId) {
		const stored = byId(school.storedOrgId);
		if (stored) return { org: stored, match: 'stored' };
		return {
			org: null,
			problem: `This bundle has no org ${school.storedOrgId}, the one your school was imported as before. Choose your school from the bundle's orgs.`
		};
	}
	if (school.chosenOrgId) {
		const chosen = byId(school.chosenOrgId);
		if (!chosen) return { org: null, problem: 'The chosen school is not in this bundle.' };
		if (orgIdsElsewhere.has(chosen.sourceId))
			return {
				org: null,
				problem: `${chosen.name} is linked to another school on this server: its people cannot be imported here.`
			};
		return { org: chosen, match: 'chosen' };
	}
	const free = candidates.filter((o) => !orgIdsElsewhere.has(o.sourceId));
	const named = free.filter(
		(o) => o.name.trim().toLowerCase() === school.name.trim().toLowerCase()
	);
	if (named.length === 1) return { org: named[0]!, match: 'name' };
	if (free.length === 1 && candidates.length === 1) return { org: free[0]!, match: 'only-school' };
	if (orgs.length === 0)
		return { org: null, problem: 'The bundle has no orgs.csv (or it is empty): add it.' };
	return {
		org: null,
		problem:
			free.length === 0
				? 'Every school in this bundle is linked to another school on this server.'
				: `This bundle holds ${candidates.length} schools: choose which one is yours.`
	};
}

/** OneRoster roles: who gets an account, as what, and why the others do not. */
export type RoleOutcome =
	| { kind: 'account'; role: 'student' | 'teacher' | 'admin' }
	| { kind: 'skip'; reason: string }
	/** not a OneRoster role: a problem of the row, for the admin to fix */
	| { kind: 'unknown' };

export const SKIPPED_ROLE_REASONS = {
	guardian:
		'guardians, parents and relatives get no account (a learner’s family is not a user here)',
	district:
		'district and system administrators get no account here: the school’s own admins manage its roster',
	other: 'proctors get no account (only learners, teachers, aides and administrators do)'
} as const;

export function roleOutcome(role: string): RoleOutcome {
	switch (role.trim().toLowerCase()) {
		case 'student':
			return { kind: 'account', role: 'student' };
		case 'teacher':
		case 'aide':
			return { kind: 'account', role: 'teacher' };
		case 'administrator':
		case 'siteadministrator':
			return { kind: 'account', role: 'admin' };
		case 'guardian':
		case 'parent':
		case 'relative':
			return { kind: 'skip', reason: SKIPPED_ROLE_REASONS.guardian };
		case 'districtadministrator':
		case 'systemadministrator':
			return { kind: 'skip', reason: SKIPPED_ROLE_REASONS.district };
		case 'proctor':
			return { kind: 'skip', reason: SKIPPED_ROLE_REASONS.other };
		default:
			return { kind: 'unknown' };
	}
}

export interface RoleRow {
	role: string;
	roleType: string;
	orgSourceId: string;
}

/**
 * A person's role at the school's org from roles.csv: the row marked `primary` wins over the first
 * row seen (a teacher who is also an aide elsewhere is a teacher). Rows of other orgs are the
 * person's roles there; null when the person holds no role at this org.
 */
export function roleAtOrg(rows: RoleRow[], orgSourceId: string): string | null {
	const here = rows.filter((r) => r.orgSourceId === orgSourceId);
	return (here.find((r) => r.roleType.trim().toLowerCase() === 'primary') ?? here[0])?.role ?? null;
}

/**
 * OneRoster `grades` holds CEDS grade codes ("KG", "01" … "13", "PK"), several comma-separated; the
 * first is the year group. We read the number as the school's own year ("07" is Year 7), as UK MIS
 * exports write it, not shifted by age (a US grade 7 is England's Year 8): a school whose SIS
 * writes US grades for English years fixes the year group on the admin pages. KG is the year before
 * Year 1 (Reception), PK/PR/TK the one before that (Nursery); other codes are kept as they are.
 */
export function yearGroupFromGrades(grades: string): string {
	const first = grades.split(',')[0]?.trim() ?? '';
	if (/^\d+$/.test(first)) return String(Number(first));
	const named: Record<string, string> = {
		KG: 'Reception',
		PK: 'Nursery',
		PR: 'Nursery',
		TK: 'Nursery'
	};
	return named[first.toUpperCase()] ?? first;
}

/** "a, b ,c" → ["a","b","c"]: OneRoster's lists of sourcedIds in one cell. */
export function idList(cell: string): string[] {
	return cell
		.split(',')
		.map((s) => s.trim())
		.filter(Boolean);
}
