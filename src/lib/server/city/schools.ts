import type { DB } from '../db/connection';
import { generateReadablePassword, hashPassword } from '../auth/passwords';
import { setUpSchoolInCity, slugFor } from '../setup/school-setup';
import { nowIso } from '../clock';
import { Refusal } from '../errors';
import type { NewSchoolInput } from '../../schemas/people';
import type { NewCityInput } from '../../schemas/city';

/**
 * A city's schools as its city admin sees them: names and counts, never a person. The counts are
 * three grouped queries over all the city's schools, whatever their number.
 */
export async function cityOverview(db: DB, cityId: number) {
	const [city, schools, people, classes] = await Promise.all([
		db
			.selectFrom('cities')
			.select(['id', 'name', 'slug'])
			.where('id', '=', cityId)
			.executeTakeFirstOrThrow(),
		db
			.selectFrom('schools')
			.select(['id', 'name', 'created_at as createdAt'])
			.where('city_id', '=', cityId)
			.orderBy('name')
			.orderBy('id')
			.execute(),
		db
			.selectFrom('memberships')
			.innerJoin('schools', 'schools.id', 'memberships.school_id')
			.innerJoin('users', 'users.id', 'memberships.user_id')
			.select((eb) => [
				'memberships.school_id as schoolId',
				'memberships.role',
				eb.fn.countAll<number>().as('n')
			])
			.where('schools.city_id', '=', cityId)
			.where('users.active', '=', 1)
			.groupBy(['memberships.school_id', 'memberships.role'])
			.orderBy('memberships.school_id')
			.orderBy('memberships.role')
			.execute(),
		db
			.selectFrom('classes')
			.innerJoin('schools', 'schools.id', 'classes.school_id')
			.select((eb) => ['classes.school_id as schoolId', eb.fn.countAll<number>().as('n')])
			.where('schools.city_id', '=', cityId)
			.where('classes.archived', '=', 0)
			.groupBy('classes.school_id')
			.orderBy('classes.school_id')
			.execute()
	]);
	const count = (schoolId: number, role: string) =>
		Number(people.find((p) => p.schoolId === schoolId && p.role === role)?.n ?? 0);
	return {
		city,
		schools: schools.map((s) => ({
			...s,
			learners: count(s.id, 'student'),
			teachers: count(s.id, 'teacher'),
			classes: Number(classes.find((c) => c.schoolId === s.id)?.n ?? 0)
		}))
	};
}

/** A new school in the city with its first admin (the one way a school and admin are made). */
export async function createCitySchool(
	db: DB,
	cityId: number,
	actorId: number,
	input: NewSchoolInput,
	origin: string
) {
	return setUpSchoolInCity(db, cityId, actorId, input, origin);
}

/**
 * A city and its first city admin, from the command line (`npm run setup -- --city …`): a one-time
 * password printed once, changed at first sign-in. The admin belongs to no school.
 */
export async function createCityWithAdmin(
	db: DB,
	input: NewCityInput
): Promise<{ cityId: number; userId: number; username: string; password: string }> {
	const password = generateReadablePassword();
	const passwordHash = await hashPassword(password);
	return db.transaction().execute(async (trx) => {
		const now = nowIso();
		const taken = await trx
			.selectFrom('users')
			.select('id')
			.where('username', '=', input.username)
			.executeTakeFirst();
		if (taken)
			throw new Refusal(`The username ${input.username} is already taken. Choose another.`);
		const slug = slugFor(input.cityName);
		const clash = await trx
			.selectFrom('cities')
			.select('id')
			.where('slug', '=', slug)
			.executeTakeFirst();
		if (clash) throw new Refusal(`A city called ${input.cityName} exists already.`);
		const { id: cityId } = await trx
			.insertInto('cities')
			.values({ name: input.cityName, slug, created_at: now })
			.returning('id')
			.executeTakeFirstOrThrow();
		const { id: userId } = await trx
			.insertInto('users')
			.values({
				username: input.username,
				given_name: input.givenName,
				family_name: input.familyName,
				password_hash: passwordHash,
				password_changed_at: now,
				must_change_password: 1,
				created_at: now
			})
			.returning('id')
			.executeTakeFirstOrThrow();
		await trx
			.insertInto('city_admins')
			.values({ city_id: cityId, user_id: userId, created_at: now })
			.execute();
		return { cityId, userId, username: input.username, password };
	});
}

/** Puts an existing school (by its slug) into a city, from the command line. */
export async function addSchoolToCity(db: DB, citySlug: string, schoolSlug: string) {
	const city = await db
		.selectFrom('cities')
		.select(['id', 'name'])
		.where('slug', '=', citySlug)
		.executeTakeFirst();
	if (!city) throw new Refusal(`There is no city ${citySlug}.`);
	const school = await db
		.selectFrom('schools')
		.select(['id', 'name', 'city_id'])
		.where('slug', '=', schoolSlug)
		.executeTakeFirst();
	if (!school) throw new Refusal(`There is no school ${schoolSlug}.`);
	if (school.city_id !== null && school.city_id !== city.id)
		throw new Refusal(`${school.name} belongs to another city already.`);
	await db.updateTable('schools').set({ city_id: city.id }).where('id', '=', school.id).execute();
	return { city: city.name, school: school.name };
}
