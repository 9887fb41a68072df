// `npm run setup -- --school "Name" --admin username [--given … --family …]`: a real school and its
// first admin in DATABASE_PATH, with a one-time password printed once (changed at first sign-in).
// `npm run setup -- --city "Name" --admin username [--given … --family …]`: a city (issue 16) and its
// first city admin, the same way; `--city-slug slug --add-school slug` puts an existing school in it.
import { parseArgs } from 'node:util';
import { DEFAULT_DATABASE_PATH, openDatabase } from '../src/lib/server/db/connection';
import { migrateToLatest } from '../src/lib/server/db/migrate';
import { setUpSchoolFromCommand } from '../src/lib/server/setup/school-setup';
import { addSchoolToCity, createCityWithAdmin } from '../src/lib/server/city/schools';
import { hasDemoSchool } from '../src/lib/server/db/seed';
import { newSchoolSchema } from '../src/lib/schemas/people';
import { newCitySchema } from '../src/lib/schemas/city';
import { Refusal } from '../src/lib/server/errors';

const USAGE = [
	'Usage: npm run setup -- --school "School name" --admin username [--given "Given name"] [--family "Family name"]',
	'   or: npm run setup -- --city "City name" --admin username [--given "Given name"] [--family "Family name"]',
	'   or: npm run setup -- --city-slug city-slug --add-school school-slug'
].join('\n');

let values: Record<string, string | undefined>;
try {
	({ values } = parseArgs({
		options: {
			school: { type: 'string' },
			city: { type: 'string' },
			'city-slug': { type: 'string' },
			'add-school': { type: 'string' },
			admin: { type: 'string' },
			given: { type: 'string' },
			family: { type: 'string' }
		},
		strict: true
	}));
} catch (e) {
	console.error(`${(e as Error).message}\n${USAGE}`);
	process.exit(2);
}

type Plan =
	| { kind: 'school'; input: ReturnType<typeof newSchoolSchema.parse> }
	| { kind: 'city'; input: ReturnType<typeof newCitySchema.parse> }
	| { kind: 'add'; citySlug: string; schoolSlug: string };

function plan(): Plan {
	if (values['add-school'] || values['city-slug']) {
		if (!values['add-school'] || !values['city-slug']) {
			console.error(`--city-slug and --add-school go together.\n${USAGE}`);
			process.exit(2);
		}
		return { kind: 'add', citySlug: values['city-slug'], schoolSlug: values['add-school'] };
	}
	const flags = {
		schoolName: '--school',
		cityName: '--city',
		username: '--admin',
		givenName: '--given'
	};
	const names = { givenName: values.given ?? 'City', familyName: values.family ?? 'Admin' };
	if (values.city !== undefined && values.school !== undefined) {
		console.error(`Give --school or --city, not both.\n${USAGE}`);
		process.exit(2);
	}
	const parsed =
		values.city !== undefined
			? newCitySchema.safeParse({ cityName: values.city, username: values.admin, ...names })
			: newSchoolSchema.safeParse({
					schoolName: values.school,
					username: values.admin,
					givenName: values.given ?? 'School',
					familyName: values.family ?? 'Admin'
				});
	if (!parsed.success) {
		const problem = parsed.error.issues[0]!;
		const flag = flags[String(problem.path[0]) as keyof typeof flags];
		console.error(`${flag ?? '--family'}: ${problem.message}\n${USAGE}`);
		process.exit(2);
	}
	return values.city !== undefined
		? { kind: 'city', input: parsed.data as ReturnType<typeof newCitySchema.parse> }
		: { kind: 'school', input: parsed.data as ReturnType<typeof newSchoolSchema.parse> };
}

const todo = plan();
const databasePath = process.env.DATABASE_PATH || DEFAULT_DATABASE_PATH;
const origin = process.env.ORIGIN || `http://localhost:${process.env.PORT || '3000'}`;
const db = openDatabase(databasePath);
try {
	await migrateToLatest(db);
	if (todo.kind === 'school') {
		const created = await setUpSchoolFromCommand(db, todo.input, origin);
		console.log(`Set up ${todo.input.schoolName} in ${databasePath}.`);
		console.log(`\nSchool admin: ${created.username}`);
		console.log(`One-time password (shown only now): ${created.password}`);
	} else if (todo.kind === 'city') {
		if (await hasDemoSchool(db))
			throw new Refusal(
				'This database holds the demo school, whose accounts share a published password. Set up a real city in a database of its own: set DATABASE_PATH to a new file.'
			);
		const created = await createCityWithAdmin(db, todo.input);
		console.log(`Set up the city ${todo.input.cityName} in ${databasePath}.`);
		console.log(`\nCity admin: ${created.username}`);
		console.log(`One-time password (shown only now): ${created.password}`);
	} else {
		const added = await addSchoolToCity(db, todo.citySlug, todo.schoolSlug);
		console.log(`${added.school} now belongs to ${added.city}.`);
	}
	if (todo.kind !== 'add') {
		console.log('They must choose their own password when they first sign in.\n');
		console.log(`Start the server with DATABASE_PATH=${databasePath} npm start, then sign in.`);
	}
} catch (e) {
	if (!(e instanceof Refusal)) throw e;
	console.error(e.message);
	process.exitCode = 1;
} finally {
	await db.destroy();
}
