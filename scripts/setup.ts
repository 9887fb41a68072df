// `npm run setup -- --school "Name" --admin username [--given … --family …]`: a real school and its
// first admin in DATABASE_PATH, with a one-time password printed once (changed at first sign-in).
import { parseArgs } from 'node:util';
import { DEFAULT_DATABASE_PATH, openDatabase } from '../src/lib/server/db/connection';
import { migrateToLatest } from '../src/lib/server/db/migrate';
import { setUpSchoolFromCommand } from '../src/lib/server/setup/school-setup';
import { newSchoolSchema } from '../src/lib/schemas/people';
import { Refusal } from '../src/lib/server/errors';

const USAGE =
	'Usage: npm run setup -- --school "School name" --admin username [--given "Given name"] [--family "Family name"]';

let values: Record<string, string | undefined>;
try {
	({ values } = parseArgs({
		options: {
			school: { type: 'string' },
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
const parsed = newSchoolSchema.safeParse({
	schoolName: values.school,
	username: values.admin,
	givenName: values.given ?? 'School',
	familyName: values.family ?? 'Admin'
});
if (!parsed.success) {
	const problem = parsed.error.issues[0]!;
	const flag = { schoolName: '--school', username: '--admin', givenName: '--given' }[
		String(problem.path[0])
	];
	console.error(`${flag ?? '--family'}: ${problem.message}\n${USAGE}`);
	process.exit(2);
}

const databasePath = process.env.DATABASE_PATH || DEFAULT_DATABASE_PATH;
const origin = process.env.ORIGIN || `http://localhost:${process.env.PORT || '3000'}`;
const db = openDatabase(databasePath);
try {
	await migrateToLatest(db);
	const created = await setUpSchoolFromCommand(db, parsed.data, origin);
	console.log(`Set up ${parsed.data.schoolName} in ${databasePath}.`);
	console.log(`\nSchool admin: ${created.username}`);
	console.log(`One-time password (shown only now): ${created.password}`);
	console.log('They must choose their own password when they first sign in.\n');
	console.log(`Start the server with DATABASE_PATH=${databasePath} npm start, then sign in.`);
} catch (e) {
	if (!(e instanceof Refusal)) throw e;
	console.error(e.message);
	process.exitCode = 1;
} finally {
	await db.destroy();
}
