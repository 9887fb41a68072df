// `npm run migrate`: brings the database (DATABASE_URL, else DATABASE_PATH) to the latest schema and
// exits. For a city's servers: run once per release before (re)starting them; kysely's migration
// lock makes two at once safe. `npm start` does this itself.
import { databaseLocation, openDatabase } from '../src/lib/server/db/connection';
import { migrateToLatest } from '../src/lib/server/db/migrate';

const db = openDatabase(databaseLocation());
try {
	const { results } = await migrateToLatest(db);
	const applied = (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
	console.log(
		applied.length ? `Applied migrations: ${applied.join(', ')}` : 'Database schema is up to date.'
	);
} finally {
	await db.destroy();
}
