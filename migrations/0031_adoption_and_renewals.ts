import { sql, type Kysely } from 'kysely';
import { notifyAuthChanges } from '../src/lib/server/db/dialect';

/**
 * Two corrections to this step's migrations, found by the review (issue 16):
 * - A school adopts a city criterion version once among its CURRENT criteria: the unique index of
 *   0027 also covered superseded versions, so a school that had edited its adopted copy (the old
 *   version keeps the city id) could never adopt the city's criterion again (a database error).
 * - A session's sliding renewal (an UPDATE of its expiry) ends no sign-in, so it no longer tells
 *   every server to empty its session cache (0030): only a deleted session does.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
	await db.schema.dropIndex('criteria_adopted_once').execute();
	await db.schema
		.createIndex('criteria_adopted_once')
		.on('criteria')
		.columns(['school_id', 'city_criterion_id'])
		.unique()
		.where(sql.ref('superseded_at'), 'is', null)
		.execute();
	await notifyAuthChanges(db, [{ table: 'sessions', insertsToo: false, deletesOnly: true }]);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.dropIndex('criteria_adopted_once').execute();
	await db.schema
		.createIndex('criteria_adopted_once')
		.on('criteria')
		.columns(['school_id', 'city_criterion_id'])
		.unique()
		.execute();
	await notifyAuthChanges(db, [{ table: 'sessions', insertsToo: false }]);
}
