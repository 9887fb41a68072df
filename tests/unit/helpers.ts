import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type DB } from '../../src/lib/server/db/connection';
import { migrateToLatest } from '../../src/lib/server/db/migrate';
import { DEMO_PASSWORD, DEMO_SCHOOL, insertSchool, planSchool } from '../../src/lib/server/db/seed';

/** A migrated database in a fresh temporary file (WAL needs a real file, not :memory:). */
export async function freshDatabase(): Promise<DB> {
	const db = openDatabase(join(mkdtempSync(join(tmpdir(), 'fusion-test-')), 'test.db'));
	await migrateToLatest(db);
	return db;
}

export async function demoDatabase(): Promise<{ db: DB; schoolId: number }> {
	const db = await freshDatabase();
	const { schoolId } = await insertSchool(db, planSchool(DEMO_SCHOOL), DEMO_PASSWORD);
	return { db, schoolId };
}

export async function userId(db: DB, username: string): Promise<number> {
	return (await db.selectFrom('users').select('id').where('username', '=', username).executeTakeFirstOrThrow()).id;
}
