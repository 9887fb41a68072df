// `npm run frameworks -- import <case-package.json>`: the one way to add or extend a framework that
// every school on this server shares. Schools' admins import only frameworks of their own (the app
// refuses changes to shared ones), so this runs with the server operator's access to the database.
import { readFileSync } from 'node:fs';
import { DEFAULT_DATABASE_PATH, openDatabase } from '../src/lib/server/db/connection';
import { migrateToLatest } from '../src/lib/server/db/migrate';
import { importCasePackage } from '../src/lib/server/frameworks/frameworks';
import { Refusal } from '../src/lib/server/errors';

const [command, file] = process.argv.slice(2);
if (command !== 'import' || !file) {
	console.error('Usage: npm run frameworks -- import <case-package.json>');
	process.exit(2);
}
let json: unknown;
try {
	json = JSON.parse(readFileSync(file, 'utf8'));
} catch (problem) {
	console.error(`Could not read ${file} as JSON: ${(problem as Error).message}`);
	process.exit(2);
}
const db = openDatabase(process.env.DATABASE_PATH || DEFAULT_DATABASE_PATH);
try {
	await migrateToLatest(db);
	const result = await importCasePackage(db, null, null, json);
	console.log(
		`${result.frameworkCreated ? 'Created the shared framework' : 'Extended the shared framework'}: ${result.itemsCreated} items added, ${result.itemsAlreadyPresent} already present.`
	);
} catch (problem) {
	console.error(problem instanceof Refusal ? problem.message : problem);
	process.exitCode = 1;
} finally {
	await db.destroy();
}
