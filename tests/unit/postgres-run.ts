import pg from 'pg';

/**
 * The unit suite runs twice in `npm test`: on SQLite files, then (TEST_DATABASE=postgres) on
 * PostgreSQL. For the second run, vitest's global setup (the default export) migrates a template
 * database named after the process and time, so two checkouts never share one; every
 * `freshDatabase()` is then a copy of it (CREATE DATABASE … TEMPLATE: a third of the time of
 * running the migrations again). The run's databases are dropped when it ends.
 */
export const TEST_POSTGRES_SERVER = process.env.TEST_POSTGRES_SERVER || 'postgres://127.0.0.1:5432';

export function postgresTestRun(): boolean {
	return process.env.TEST_DATABASE === 'postgres';
}

export function postgresUrl(server: string, database: string): string {
	const url = new URL(server);
	url.pathname = `/${database}`;
	if (!url.username) url.username = process.env.PGUSER || 'postgres';
	return url.toString();
}

async function onServer<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
	const client = new pg.Client({ connectionString: postgresUrl(TEST_POSTGRES_SERVER, 'postgres') });
	await client.connect();
	try {
		return await work(client);
	} finally {
		await client.end();
	}
}

/** vitest globalSetup: the run's migrated template; every database of the run dropped at its end. */
export default async function globalSetup(): Promise<(() => Promise<void>) | void> {
	if (!postgresTestRun()) return;
	const run = `fusion_test_${process.pid}_${Date.now().toString(36)}`;
	const template = `${run}_template`;
	try {
		await onServer((client) => client.query(`create database ${template}`));
	} catch (problem) {
		throw new Error(
			`TEST_DATABASE=postgres, but PostgreSQL at ${TEST_POSTGRES_SERVER} could not make a test database (${String(problem)}). npm test starts one when it can; set TEST_POSTGRES_SERVER to use another server.`,
			{ cause: problem }
		);
	}
	const { openDatabase } = await import('../../src/lib/server/db/connection');
	const { migrateToLatest } = await import('../../src/lib/server/db/migrate');
	const db = openDatabase(postgresUrl(TEST_POSTGRES_SERVER, template));
	await migrateToLatest(db);
	await db.destroy();
	process.env.TEST_POSTGRES_RUN = run;
	return async () => {
		await onServer(async (client) => {
			const { rows } = await client.query<{ datname: string }>(
				`select datname from pg_database where datname like $1`,
				[`${run}%`]
			);
			for (const { datname } of rows)
				await client.query(`drop database if exists ${datname} with (force)`);
		});
	};
}

let copies = 0;

/** A new database of the run, already migrated (empty of data but what migrations insert): its URL. */
export async function freshPostgresDatabase(): Promise<string> {
	const run = process.env.TEST_POSTGRES_RUN;
	if (!run) throw new Error('the PostgreSQL test run has no template database: run through vitest');
	const database = `${run}_${process.pid}_${++copies}`;
	// Two copies of one template at the same moment are refused ("being accessed by other users"):
	// the copy is retried after a short pause.
	for (let attempt = 0; ; attempt++) {
		try {
			await onServer((client) =>
				client.query(`create database ${database} template ${run}_template`)
			);
			break;
		} catch (problem) {
			if (attempt >= 50 || !/being accessed by other users/.test(String(problem))) throw problem;
			await new Promise((resolve) => setTimeout(resolve, 20 + Math.random() * 80));
		}
	}
	return postgresUrl(TEST_POSTGRES_SERVER, database);
}
