import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { sql } from 'kysely';
import { openDatabase, type DB } from '../../src/lib/server/db/connection';
import { freshDatabaseLocation } from './helpers';
import { postgresTestRun } from './postgres-run';
import { migrateToLatest } from '../../src/lib/server/db/migrate';
import { DEMO_PASSWORD, DEMO_SCHOOL, insertSchool, planSchool } from '../../src/lib/server/db/seed';

function tableSums(path: string): Record<string, string> {
	const db = new Database(path, { readonly: true });
	const sums: Record<string, string> = {};
	for (const { name } of db
		.prepare(`select name from sqlite_master where type = 'table' order by name`)
		.all() as { name: string }[]) {
		sums[name] = JSON.stringify(db.prepare(`select * from "${name}" order by rowid`).all());
	}
	db.close();
	return sums;
}

describe('npm run backup', () => {
	it('copies a live database and its uploads; the restored copy holds the same rows', async () => {
		const dir = mkdtempSync(join(tmpdir(), 'fusion-backup-'));
		const source = join(dir, 'fusion.db');
		const db = openDatabase(source);
		await migrateToLatest(db);
		await insertSchool(db, planSchool(DEMO_SCHOOL), DEMO_PASSWORD);
		mkdirSync(join(dir, 'uploads'));
		writeFileSync(join(dir, 'uploads', 'abc123'), 'evidence bytes');
		// The app keeps its connection open while the backup runs.
		const target = join(dir, 'backup.db');
		execFileSync('npx', ['tsx', 'scripts/backup.ts', target], {
			env: { ...process.env, DATABASE_PATH: source },
			stdio: 'pipe'
		});
		await db.updateTable('schools').set({ name: 'Changed after the backup' }).execute();
		await db.destroy();

		const restored = tableSums(target);
		expect(Object.keys(restored).length).toBeGreaterThan(30);
		expect(JSON.parse(restored.users!)).toHaveLength(planSchool(DEMO_SCHOOL).people.length);
		expect(restored.schools).not.toContain('Changed after the backup');
		const live = tableSums(source);
		for (const table of Object.keys(live))
			if (table !== 'schools') expect(restored[table], table).toBe(live[table]);
		expect(readdirSync(`${target}.uploads`)).toEqual(['abc123']);
	}, 60_000);
});

describe.runIf(postgresTestRun())('npm run backup on PostgreSQL', () => {
	it('dumps a live database with pg_dump; pg_restore into a new database gives the same rows', async () => {
		const location = await freshDatabaseLocation();
		const db = openDatabase(location);
		await migrateToLatest(db);
		await insertSchool(db, planSchool(DEMO_SCHOOL), DEMO_PASSWORD);
		const dir = mkdtempSync(join(tmpdir(), 'fusion-pg-backup-'));
		const target = join(dir, 'fusion.dump');
		execFileSync('npx', ['tsx', 'scripts/backup.ts', target], {
			env: {
				...process.env,
				DATABASE_URL: location,
				DATABASE_PATH: '',
				UPLOADS_DIR: join(dir, 'none')
			},
			stdio: 'pipe'
		});
		await db.updateTable('schools').set({ name: 'Changed after the backup' }).execute();

		// The documented restore: an empty database, then pg_restore.
		const restoredUrl = new URL(location);
		const restoredName = `${restoredUrl.pathname.slice(1)}_restored`;
		const admin = new URL(location);
		admin.pathname = '/postgres';
		execFileSync('psql', [admin.toString(), '-qc', `create database ${restoredName}`]);
		restoredUrl.pathname = `/${restoredName}`;
		execFileSync('pg_restore', ['--no-owner', `--dbname=${restoredUrl}`, target]);
		const restored = openDatabase(restoredUrl.toString());
		try {
			const tables = (await db.introspection.getTables()).map((t) => t.name).sort();
			expect(tables.length).toBeGreaterThan(30);
			for (const table of tables) {
				// Compared as a sorted set of rows: `order by 1` leaves ties (a learner's two groups) in
				// either order.
				const rows = async (from: DB) =>
					JSON.stringify(
						(await sql`select * from ${sql.table(table)}`.execute(from)).rows
							.map((row) => JSON.stringify(row))
							.sort()
					);
				if (table === 'schools')
					expect(await rows(restored)).not.toContain('Changed after the backup');
				else expect(await rows(restored), table).toBe(await rows(db));
			}
			// The restored database takes new rows: its identity sequences came back with it.
			await restored
				.insertInto('cities')
				.values({
					name: 'After restore',
					slug: 'after-restore',
					created_at: new Date().toISOString()
				})
				.execute();
		} finally {
			await restored.destroy();
			await db.destroy();
		}
	}, 120_000);
});
