import type { DB } from './connection';
import { hashPassword } from '../auth/passwords';
import { seededRandom } from '../../domain/random';
import { ensureReferenceData } from '../frameworks/reference-data';
import { seedStarterBank } from '../criteria/criteria';
import { nowIso } from '../clock';
import { chunks } from './chunks';
import { refreshAggregatesForSchool } from '../profiles/aggregates';
import type { Role } from '../../domain/states';

/**
 * A school of any size, deterministic from a seed number: the demo school for `npm start`,
 * the fixture for tests, and the 2,000-learner school for `npm run bench` all come from here.
 */

export const DEMO_PASSWORD = 'fusion-demo';
export const DEMO_SCHOOL_SLUG = 'northbridge';

export interface SchoolSpec {
	seed: number;
	schoolName: string;
	slug: string;
	/** learners per class, in order; learners are numbered student1, student2 … across classes */
	classSizes: number[];
	teacherCount: number;
}

export interface PlannedSchool {
	schoolName: string;
	slug: string;
	people: {
		username: string;
		givenName: string;
		familyName: string;
		role: Role;
		yearGroup: string | null;
	}[];
	classes: {
		name: string;
		yearGroup: string;
		subject: string;
		teachers: string[];
		learners: string[];
	}[];
}

export const DEMO_SCHOOL: SchoolSpec = {
	seed: 1,
	schoolName: 'Northbridge Academy',
	slug: DEMO_SCHOOL_SLUG,
	classSizes: [15, 12],
	teacherCount: 2
};

/** A school shaped like the benchmark's: `learners` spread evenly over `classes`. */
export function schoolOfSize(learners: number, classes: number, seed = 42): SchoolSpec {
	const base = Math.floor(learners / classes);
	const classSizes = Array.from(
		{ length: classes },
		(_, i) => base + (i < learners % classes ? 1 : 0)
	);
	return {
		seed,
		schoolName: `Generated School ${seed}`,
		slug: `generated-${seed}`,
		classSizes,
		teacherCount: Math.max(1, Math.ceil(classes / 2))
	};
}

export { seededRandom } from '../../domain/random';

const GIVEN_NAMES = [
	'Amara',
	'Ben',
	'Chloe',
	'Dev',
	'Ella',
	'Farah',
	'George',
	'Hana',
	'Isaac',
	'Jade',
	'Kwame',
	'Leah',
	'Mohammed',
	'Niamh',
	'Oscar',
	'Priya',
	'Quinn',
	'Ruby',
	'Sami',
	'Tomasz',
	'Uma',
	'Vikram',
	'Wren',
	'Xander',
	'Yusuf',
	'Zara',
	'Aisha',
	'Callum',
	'Daisy',
	'Ethan',
	'Freya',
	'Hamza',
	'Ivy',
	'Jamal',
	'Keira',
	'Luca',
	'Maya',
	'Noah',
	'Olu',
	'Poppy'
];
const FAMILY_NAMES = [
	'Adeyemi',
	'Brown',
	'Chen',
	'Davies',
	'Evans',
	'Fernandes',
	'Green',
	'Hussain',
	'Ibrahim',
	'Jones',
	'Khan',
	'Lewis',
	'Mensah',
	'Nowak',
	"O'Brien",
	'Patel',
	'Quigley',
	'Rahman',
	'Smith',
	'Taylor',
	'Usman',
	'Vaughan',
	'Williams',
	'Xu',
	'Young',
	'Zielinski',
	'Ahmed',
	'Begum',
	'Clarke',
	'Dunn',
	'Edwards',
	'Forde',
	'Gill',
	'Hall',
	'Iqbal'
];
const SUBJECTS = [
	'Design & Technology',
	'Science',
	'English',
	'Geography',
	'Computing',
	'Art',
	'Business',
	'History'
];
const YEAR_GROUPS = ['7', '8', '9', '10', '11', '12', '13'];
const FORM_LETTERS = 'ABCDEFGHJKLMNPQRSTUVWXYZ';

export function planSchool(spec: SchoolSpec): PlannedSchool {
	const random = seededRandom(spec.seed);
	const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
	const person = (
		username: string,
		role: PlannedSchool['people'][number]['role'],
		yearGroup: string | null = null
	) => ({
		username,
		givenName: pick(GIVEN_NAMES),
		familyName: pick(FAMILY_NAMES),
		role,
		yearGroup
	});

	const people: PlannedSchool['people'] = [person('admin', 'admin')];
	const teachers = Array.from({ length: spec.teacherCount }, (_, i) =>
		i === 0 ? 'teacher' : `teacher${i + 1}`
	);
	for (const username of teachers) people.push(person(username, 'teacher'));

	const classes: PlannedSchool['classes'] = [];
	let learnerNumber = 0;
	spec.classSizes.forEach((size, classIndex) => {
		const yearGroup = YEAR_GROUPS[(classIndex + 2) % YEAR_GROUPS.length]!;
		const subject = SUBJECTS[classIndex % SUBJECTS.length]!;
		const letter = FORM_LETTERS[Math.floor(classIndex / YEAR_GROUPS.length) % FORM_LETTERS.length]!;
		const suffix = classIndex >= YEAR_GROUPS.length * FORM_LETTERS.length ? ` ${classIndex}` : '';
		const learners: string[] = [];
		for (let i = 0; i < size; i++) {
			learnerNumber++;
			const username = `student${learnerNumber}`;
			people.push(person(username, 'student', yearGroup));
			learners.push(username);
		}
		classes.push({
			name: `${yearGroup}${letter} ${subject}${suffix}`,
			yearGroup,
			subject,
			teachers: [teachers[classIndex % teachers.length]!],
			learners
		});
	});
	return { schoolName: spec.schoolName, slug: spec.slug, people, classes };
}

/**
 * Writes a planned school in one transaction. Everyone shares one password, so it is hashed once:
 * a 2,000-learner school would otherwise spend a minute in argon2. The school is marked `demo`:
 * its accounts share a password that is published (README), so the server keeps it on loopback.
 */
export async function insertSchool(
	db: DB,
	plan: PlannedSchool,
	password: string
): Promise<{ schoolId: number }> {
	const passwordHash = await hashPassword(password);
	const now = nowIso();
	await ensureReferenceData(db);
	const school = await db.transaction().execute(async (trx) => {
		const { id: schoolId } = await trx
			.insertInto('schools')
			.values({ name: plan.schoolName, slug: plan.slug, demo: 1, created_at: now })
			.returning('id')
			.executeTakeFirstOrThrow();
		const userIds = new Map<string, number>();
		for (const batch of chunks(plan.people)) {
			const inserted = await trx
				.insertInto('users')
				.values(
					batch.map((p) => ({
						username: p.username,
						given_name: p.givenName,
						family_name: p.familyName,
						password_hash: passwordHash,
						password_changed_at: now,
						created_at: now
					}))
				)
				.returning(['id', 'username'])
				.execute();
			for (const row of inserted) userIds.set(row.username, row.id);
		}
		for (const batch of chunks(plan.people)) {
			await trx
				.insertInto('memberships')
				.values(
					batch.map((p) => ({
						user_id: userIds.get(p.username)!,
						school_id: schoolId,
						role: p.role,
						year_group: p.yearGroup,
						created_at: now
					}))
				)
				.execute();
		}
		for (const schoolClass of plan.classes) {
			const { id: classId } = await trx
				.insertInto('classes')
				.values({
					school_id: schoolId,
					name: schoolClass.name,
					year_group: schoolClass.yearGroup,
					subject: schoolClass.subject,
					created_at: now
				})
				.returning('id')
				.executeTakeFirstOrThrow();
			await trx
				.insertInto('class_teachers')
				.values(
					schoolClass.teachers.map((t) => ({ class_id: classId, teacher_id: userIds.get(t)! }))
				)
				.execute();
			for (const batch of chunks(schoolClass.learners)) {
				await trx
					.insertInto('enrolments')
					.values(
						batch.map((l) => ({ class_id: classId, learner_id: userIds.get(l)!, created_at: now }))
					)
					.execute();
			}
		}
		// Its learners counted into the report's class and year group totals (no grades yet).
		await refreshAggregatesForSchool(trx, schoolId);
		return { schoolId };
	});
	await seedStarterBank(db, school.schoolId);
	return school;
}

export async function isDatabaseEmpty(db: DB): Promise<boolean> {
	const school = await db.selectFrom('schools').select('id').limit(1).executeTakeFirst();
	return !school;
}

export async function seedDemoSchool(db: DB): Promise<{ schoolId: number }> {
	const school = await insertSchool(db, planSchool(DEMO_SCHOOL), DEMO_PASSWORD);
	await insertDemoCity(db, school.schoolId);
	return school;
}

export const DEMO_CITY = { name: 'Northbridge City', slug: 'northbridge-city', admin: 'city' };

/**
 * The demo school's city (issue 16) and its city admin, `city`, with the demo password: it sees the
 * city's one school counted and its aggregate report, never a learner. Marked demo as the school is
 * (the server stays on loopback while a demo school exists).
 */
async function insertDemoCity(db: DB, schoolId: number): Promise<void> {
	const now = nowIso();
	const passwordHash = await hashPassword(DEMO_PASSWORD);
	await db.transaction().execute(async (trx) => {
		const { id: cityId } = await trx
			.insertInto('cities')
			.values({ name: DEMO_CITY.name, slug: DEMO_CITY.slug, created_at: now })
			.returning('id')
			.executeTakeFirstOrThrow();
		await trx.updateTable('schools').set({ city_id: cityId }).where('id', '=', schoolId).execute();
		const { id: userId } = await trx
			.insertInto('users')
			.values({
				username: DEMO_CITY.admin,
				given_name: 'Cleo',
				family_name: 'Marsh',
				password_hash: passwordHash,
				password_changed_at: now,
				created_at: now
			})
			.returning('id')
			.executeTakeFirstOrThrow();
		await trx
			.insertInto('city_admins')
			.values({ city_id: cityId, user_id: userId, created_at: now })
			.execute();
	});
}

/** Does the database hold a school from the seed generator, whose accounts share one password? */
export async function hasDemoSchool(db: DB): Promise<boolean> {
	return Boolean(
		await db.selectFrom('schools').select('id').where('demo', '=', 1).executeTakeFirst()
	);
}

export function demoLogins(): { username: string; role: string }[] {
	const plan = planSchool(DEMO_SCHOOL);
	const learners = plan.people.filter((p) => p.role === 'student');
	return [
		{ username: 'admin', role: 'school admin' },
		{ username: DEMO_CITY.admin, role: `city admin of ${DEMO_CITY.name} (totals only)` },
		{ username: 'teacher', role: `teacher of ${plan.classes[0]!.name}` },
		{ username: 'teacher2', role: `teacher of ${plan.classes[1]!.name}` },
		{
			username: `student1 … student${learners.length}`,
			role: `students (student1–student${plan.classes[0]!.learners.length} in ${plan.classes[0]!.name})`
		}
	];
}
