import { strToU8, zipSync } from 'fflate';

/**
 * A generated OneRoster 1.2 CSV bundle as a district's SIS writes it (the binding's file names,
 * column headers and order; manifest with every file.* property): a trust with two schools,
 * "Northfield Academy" (ours in the tests) and "Southgate School" (40 pupils, another school's),
 * a teacher who is also an aide elsewhere (roles.csv: the primary role wins), guardians, a district
 * administrator, a disabled pupil (enabledUser=false), e-mail usernames, courses and terms, and
 * demographics (which must never be read). `deltaBundle` then changes a few of them.
 */

export type Csv = { fileName: string; text: string };

const csv = (fileName: string, header: string, rows: string[][]): Csv => ({
	fileName,
	text: [header, ...rows.map((r) => r.map(quote).join(','))].join('\r\n') + '\r\n'
});
const quote = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

const DATA_FILES = [
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
];

export function manifest(modes: Record<string, 'bulk' | 'delta'>): Csv {
	return csv('manifest.csv', 'propertyName,value', [
		['manifest.version', '1.0'],
		['oneroster.version', '1.2'],
		...DATA_FILES.map((f) => [`file.${f}`, modes[f] ?? 'absent']),
		['source.systemName', 'Trust SIS'],
		['source.systemCode', 'trust-sis']
	]);
}

const USERS_HEADER =
	'sourcedId,status,dateLastModified,enabledUser,username,userIds,givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password,userMasterIdentifier,resourceSourcedIds,preferredGivenName,preferredMiddleName,preferredFamilyName,primaryOrgSourcedId,pronouns';
const ROLES_HEADER =
	'sourcedId,status,dateLastModified,userSourcedId,roleType,role,beginDate,endDate,orgSourcedId,userProfileSourcedId';
const ENROLLMENTS_HEADER =
	'sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role,primary,beginDate,endDate';
const CLASSES_HEADER =
	'sourcedId,status,dateLastModified,title,grades,courseSourcedId,classCode,classType,location,schoolSourcedId,termSourcedIds,subjects,subjectCodes,periods';

interface User {
	id: string;
	username: string;
	given: string;
	family: string;
	grades?: string;
	enabled?: boolean;
	org: string;
	status?: string;
	preferredGiven?: string;
}
const userRow = (u: User) => [
	u.id,
	u.status ?? 'active',
	'2026-09-01T08:00:00.000Z',
	u.enabled === false ? 'false' : 'true',
	u.username,
	`{MIS:${u.id}}`,
	u.given,
	u.family,
	'',
	u.id.toUpperCase(),
	u.username.includes('@') ? u.username : '',
	'',
	'',
	'',
	u.grades ?? '',
	'',
	'',
	'',
	u.preferredGiven ?? '',
	'',
	'',
	u.org,
	''
];
const roleRow = (id: string, user: string, roleType: string, role: string, org: string) => [
	id,
	'active',
	'2026-09-01T08:00:00.000Z',
	user,
	roleType,
	role,
	'2026-09-01',
	'',
	org,
	''
];
const enrolmentRow = (
	id: string,
	cls: string,
	school: string,
	user: string,
	role: string,
	status = 'active'
) => [
	id,
	status,
	'2026-09-01T08:00:00.000Z',
	cls,
	school,
	user,
	role,
	role === 'teacher' ? 'true' : 'false',
	'2026-09-01',
	''
];

export const NORTH = 'org-north';
export const SOUTH = 'org-south';

/** Ours: a teacher, a teacher who is also an aide, five pupils (one disabled), e-mail usernames. */
export const NORTH_PUPILS: User[] = [
	{
		id: 'u-n1',
		username: 'ava.khan@northfield.example',
		given: 'Ava',
		family: 'Khan',
		grades: '08',
		org: NORTH
	},
	{
		id: 'u-n2',
		username: 'ben.ode@northfield.example',
		given: 'Benedict',
		family: 'Ode',
		grades: '08',
		org: NORTH,
		preferredGiven: 'Ben'
	},
	{ id: 'u-n3', username: 'orb.cara', given: 'Cara', family: 'Lim', grades: '08', org: NORTH },
	{ id: 'u-n4', username: 'orb.dev', given: 'Dev', family: 'Shah', grades: '09', org: NORTH },
	{ id: 'u-n5', username: 'orb.eli', given: 'Eli', family: 'Moss', grades: 'KG', org: NORTH },
	{
		id: 'u-n6',
		username: 'orb.fay@northfield.example',
		given: 'Fay',
		family: 'Brook',
		grades: '08',
		org: NORTH,
		enabled: false
	}
];

export function fullBundle(options: { northName?: string; leaveOut?: string[] } = {}): Csv[] {
	const leave = new Set(options.leaveOut ?? []);
	const south: User[] = Array.from({ length: 40 }, (_, i) => ({
		id: `u-s${i + 1}`,
		username: `orb.south${i + 1}@southgate.example`,
		given: `South${i + 1}`,
		family: 'Pupil',
		grades: '07',
		org: SOUTH
	}));
	const pupils = NORTH_PUPILS.filter((u) => !leave.has(u.id));
	const staff: User[] = [
		{
			id: 'u-t1',
			username: 'orb.teacher@northfield.example',
			given: 'Tess',
			family: 'Adeyemi',
			org: NORTH
		},
		{ id: 'u-t2', username: 'orb.aide', given: 'Ian', family: 'Reed', org: NORTH }
	];
	const others: User[] = [
		{ id: 'u-g1', username: 'orb.parent1@mail.example', given: 'Gina', family: 'Khan', org: NORTH },
		{ id: 'u-g2', username: 'orb.parent2@mail.example', given: 'Ray', family: 'Ode', org: NORTH },
		{
			id: 'u-d1',
			username: 'orb.district@trust.example',
			given: 'Dana',
			family: 'Trust',
			org: 'org-trust'
		}
	];
	return [
		manifest({
			academicSessions: 'bulk',
			classes: 'bulk',
			courses: 'bulk',
			demographics: 'bulk',
			enrollments: 'bulk',
			orgs: 'bulk',
			roles: 'bulk',
			users: 'bulk'
		}),
		csv('orgs.csv', 'sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId', [
			['org-trust', 'active', '2026-09-01', 'Northfield Learning Trust', 'district', 'TRUST', ''],
			[
				NORTH,
				'active',
				'2026-09-01',
				options.northName ?? 'Northfield Academy',
				'school',
				'URN100001',
				'org-trust'
			],
			[SOUTH, 'active', '2026-09-01', 'Southgate School', 'school', 'URN100002', 'org-trust']
		]),
		csv(
			'academicSessions.csv',
			'sourcedId,status,dateLastModified,title,type,startDate,endDate,parentSourcedId,schoolYear',
			[
				[
					'y2027',
					'active',
					'2026-09-01',
					'2026–27',
					'schoolYear',
					'2026-09-01',
					'2027-07-20',
					'',
					'2027'
				],
				[
					't-aut',
					'active',
					'2026-09-01',
					'Autumn 2026',
					'term',
					'2026-09-01',
					'2026-12-18',
					'y2027',
					'2027'
				],
				[
					't-spr',
					'active',
					'2026-09-01',
					'Spring 2027',
					'term',
					'2027-01-04',
					'2027-03-26',
					'y2027',
					'2027'
				]
			]
		),
		csv(
			'courses.csv',
			'sourcedId,status,dateLastModified,schoolYearSourcedId,title,courseCode,grades,orgSourcedId,subjects,subjectCodes',
			[
				[
					'crs-geo',
					'active',
					'2026-09-01',
					'y2027',
					'Geography KS3',
					'GEO3',
					'08',
					NORTH,
					'Geography',
					''
				],
				[
					'crs-his',
					'active',
					'2026-09-01',
					'y2027',
					'History KS3',
					'HIS3',
					'09',
					NORTH,
					'History',
					''
				],
				[
					'crs-sci',
					'active',
					'2026-09-01',
					'y2027',
					'Science Year 7',
					'SCI7',
					'07',
					SOUTH,
					'Science',
					''
				]
			]
		),
		csv('classes.csv', CLASSES_HEADER, [
			[
				'c-n1',
				'active',
				'2026-09-01',
				'orb 8G Geography',
				'08',
				'crs-geo',
				'8G-GEO',
				'scheduled',
				'R12',
				NORTH,
				't-aut,t-spr',
				'Geography',
				'',
				'1'
			],
			[
				'c-n2',
				'active',
				'2026-09-01',
				'orb 9H History',
				'09',
				'crs-his',
				'9H-HIS',
				'scheduled',
				'R14',
				NORTH,
				't-aut',
				'History',
				'',
				'2'
			],
			[
				'c-s1',
				'active',
				'2026-09-01',
				'orb 7S Science',
				'07',
				'crs-sci',
				'7S-SCI',
				'scheduled',
				'Lab',
				SOUTH,
				't-aut',
				'Science',
				'',
				'1'
			]
		]),
		csv('users.csv', USERS_HEADER, [...staff, ...pupils, ...others, ...south].map(userRow)),
		csv('roles.csv', ROLES_HEADER, [
			roleRow('r-t1', 'u-t1', 'primary', 'teacher', NORTH),
			// First seen: aide at Southgate, then aide here; the primary role here is teacher.
			roleRow('r-t2a', 'u-t2', 'secondary', 'aide', SOUTH),
			roleRow('r-t2b', 'u-t2', 'secondary', 'aide', NORTH),
			roleRow('r-t2c', 'u-t2', 'primary', 'teacher', NORTH),
			...pupils.map((u) => roleRow(`r-${u.id}`, u.id, 'primary', 'student', NORTH)),
			roleRow('r-g1', 'u-g1', 'primary', 'guardian', NORTH),
			roleRow('r-g2', 'u-g2', 'primary', 'parent', NORTH),
			roleRow('r-d1', 'u-d1', 'primary', 'districtAdministrator', 'org-trust'),
			...south.map((u) => roleRow(`r-${u.id}`, u.id, 'primary', 'student', SOUTH))
		]),
		csv('enrollments.csv', ENROLLMENTS_HEADER, [
			enrolmentRow('e-t1', 'c-n1', NORTH, 'u-t1', 'teacher'),
			enrolmentRow('e-t2', 'c-n2', NORTH, 'u-t2', 'teacher'),
			...pupils
				.filter((u) => u.grades === '08')
				.map((u) => enrolmentRow(`e-${u.id}-1`, 'c-n1', NORTH, u.id, 'student')),
			...pupils
				.filter((u) => ['u-n1', 'u-n2', 'u-n4'].includes(u.id))
				.map((u) => enrolmentRow(`e-${u.id}-2`, 'c-n2', NORTH, u.id, 'student')),
			...south.map((u) => enrolmentRow(`e-${u.id}`, 'c-s1', SOUTH, u.id, 'student'))
		]),
		csv(
			'demographics.csv',
			'sourcedId,status,dateLastModified,birthDate,sex,americanIndianOrAlaskaNative,asian,blackOrAfricanAmerican,nativeHawaiianOrOtherPacificIslander,white,demographicRaceTwoOrMoreRaces,hispanicOrLatinoEthnicity,countryOfBirthCode,stateOfBirthAbbreviation,cityOfBirth,publicSchoolResidenceStatus',
			pupils.map((u) => [
				u.id,
				'active',
				'2026-09-01',
				'2013-05-04',
				'female',
				'false',
				'false',
				'false',
				'false',
				'true',
				'false',
				'false',
				'GB',
				'',
				'Leeds',
				''
			])
		)
	];
}

/**
 * The next night's delta: Ava's family name changes, Cara leaves (tobedeleted), a new pupil
 * arrives in 8G, Benedict leaves 9H, and a Southgate pupil's change is not ours.
 */
export function deltaBundle(): Csv[] {
	return [
		manifest({ users: 'delta', roles: 'delta', enrollments: 'delta' }),
		csv('users.csv', USERS_HEADER, [
			userRow({ ...NORTH_PUPILS[0]!, family: 'Khan-Reid' }),
			userRow({ ...NORTH_PUPILS[2]!, status: 'tobedeleted' }),
			userRow({
				id: 'u-n7',
				username: 'orb.gus@northfield.example',
				given: 'Gus',
				family: 'New',
				grades: '08',
				org: NORTH
			}),
			userRow({
				id: 'u-s1',
				username: 'orb.south1@southgate.example',
				given: 'South1',
				family: 'Renamed',
				grades: '07',
				org: SOUTH
			})
		]),
		csv('roles.csv', ROLES_HEADER, [
			roleRow('r-u-n7', 'u-n7', 'primary', 'student', NORTH),
			roleRow('r-u-s1', 'u-s1', 'primary', 'student', SOUTH)
		]),
		csv('enrollments.csv', ENROLLMENTS_HEADER, [
			enrolmentRow('e-u-n7-1', 'c-n1', NORTH, 'u-n7', 'student'),
			enrolmentRow('e-u-n2-2', 'c-n2', NORTH, 'u-n2', 'student', 'tobedeleted')
		])
	];
}

/** The bundle as one zip, as SIS exports deliver it (in a folder, as some do). */
export function zipOf(files: Csv[], folder = ''): Uint8Array {
	return zipSync(Object.fromEntries(files.map((f) => [`${folder}${f.fileName}`, strToU8(f.text)])));
}
