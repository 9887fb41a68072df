import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, type Dialect } from 'kysely';
import pg from 'pg';
import { preparedStatementNames } from './compiled-once';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Database } from './schema';
import { AuthWritesPlugin, SessionCache } from '../auth/session-cache';
import { isPostgresUrl, PostgresSchemaPlugin } from './dialect';

export type DB = Kysely<Database>;

export const DEFAULT_DATABASE_PATH = 'data/fusion.db';

/**
 * Opens the app's database: a PostgreSQL server for a `postgres://` URL (a city, several app
 * servers), else the SQLite file at that path (one school, the default).
 */
export function openDatabase(
	location: string,
	/** `connections`: the most PostgreSQL connections open at once (DATABASE_POOL_SIZE, else 10) */
	options: { connections?: number } = {}
): DB {
	const dialect = isPostgresUrl(location)
		? postgresDialect(location, options.connections)
		: sqliteDialect(location);
	const sessionCache = new SessionCache<unknown>();
	// On PostgreSQL other servers may write too: no cache until this one hears them (cluster/events.ts).
	if (dialect instanceof PostgresDialect) sessionCache.setEnabled(false);
	const db = new Kysely<Database>({
		dialect,
		plugins: [
			new AuthWritesPlugin(sessionCache),
			...(dialect instanceof PostgresDialect ? [new PostgresSchemaPlugin()] : [])
		]
	});
	sessionCaches.set(db, sessionCache);
	locations.set(db, location);
	return db;
}

const locations = new WeakMap<DB, string>();

/** What `openDatabase` was given for this database: a SQLite path or a postgres:// URL. */
export function databaseLocationOf(db: DB): string {
	const location = locations.get(db);
	if (!location) throw new Error('not a database opened by openDatabase');
	return location;
}

/**
 * The PostgreSQL connection string a database was opened with, its `?schema=` kept as libpq
 * options: for a connection of its own (LISTEN) or for pg_dump.
 */
export function connectionStringOf(db: DB): string {
	const location = locations.get(db);
	if (!location || !isPostgresUrl(location)) throw new Error('not a PostgreSQL database');
	const parsed = new URL(location);
	const schema = parsed.searchParams.get('schema');
	parsed.searchParams.delete('schema');
	if (schema) parsed.searchParams.set('options', `-c search_path=${schema}`);
	return parsed.toString();
}

/**
 * PostgreSQL counts and sums come back as 64-bit integers, and numerics as exact decimals; pg
 * gives both as strings so as not to lose precision. The app's counts and sums fit a double, and
 * the same query must give the same JavaScript value on either database.
 */
const postgresTypes = {
	getTypeParser(oid: number, format?: string) {
		if (oid === pg.types.builtins.INT8) return (value: string) => Number(value);
		if (oid === pg.types.builtins.NUMERIC) return (value: string) => Number(value);
		return pg.types.getTypeParser(oid, format as 'text');
	}
} as pg.CustomTypesConfig;

/**
 * `?schema=NAME` in the URL (not a libpq parameter) puts every connection's search_path there: each
 * test run, or each test, works in a schema of its own.
 */
function postgresDialect(
	url: string,
	connections = Number(process.env.DATABASE_POOL_SIZE || 10)
): Dialect {
	const parsed = new URL(url);
	const schema = parsed.searchParams.get('schema');
	parsed.searchParams.delete('schema');
	if (schema !== null && !/^[a-z_][a-z0-9_]*$/.test(schema))
		throw new Error(`DATABASE_URL: schema "${schema}" must be lower-case letters, digits and _`);
	const pool = new pg.Pool({
		connectionString: parsed.toString(),
		max: connections,
		idleTimeoutMillis: 10_000,
		allowExitOnIdle: true,
		types: postgresTypes,
		...(schema ? { options: `-c search_path=${schema}` } : {})
	});
	pool.on('connect', runCompiledQueriesPrepared);
	return new PostgresDialect({ pool });
}

/**
 * A pooled connection runs the queries `compiledOnce` made as named prepared statements (pg
 * prepares a name on its first use on a connection, then only binds and executes it). Kysely hands
 * the driver SQL text only, so the name is looked up by the text.
 */
function runCompiledQueriesPrepared(client: pg.PoolClient) {
	const query = client.query.bind(client) as (...args: unknown[]) => unknown;
	client.query = ((text: unknown, values: unknown, ...rest: unknown[]) => {
		const name = typeof text === 'string' ? preparedStatementNames.get(text) : undefined;
		if (name === undefined || !Array.isArray(values)) return query(text, values, ...rest);
		return query({ name, text, values }, ...rest);
	}) as typeof client.query;
}

/** A SQLite database tuned for many small concurrent writes (autosave). */
function sqliteDialect(path: string): Dialect {
	if (path !== ':memory:') mkdirSync(dirname(resolve(path)), { recursive: true });
	const sqlite = new SQLite(path);
	sqlite.pragma('journal_mode = WAL');
	// NORMAL is durable across application crashes in WAL mode; only power loss can drop the last
	// commits.
	sqlite.pragma('synchronous = NORMAL');
	sqlite.pragma('foreign_keys = ON');
	sqlite.pragma('busy_timeout = 5000');
	// Deleted and overwritten rows are zeroed on disk, not left in free space: an erased learner's
	// words must not stay readable in the file (a checkpoint after erasure empties the log too).
	sqlite.pragma('secure_delete = ON');
	return new SqliteDialect({ database: withStatementCache(sqlite) });
}

const sessionCaches = new WeakMap<DB, SessionCache<unknown>>();

/**
 * The validated-session cache of a database opened here (none for a transaction or another Kysely).
 */
export function sessionCacheOf<T>(db: DB): SessionCache<T> | undefined {
	return sessionCaches.get(db) as SessionCache<T> | undefined;
}

/**
 * Kysely prepares every query afresh; preparing was a tenth of the autosave path's CPU. The app
 * issues a few hundred distinct SQL strings, so keep their prepared statements (one connection,
 * used synchronously, so a statement is never in use twice at once).
 */
function withStatementCache(sqlite: SQLite.Database, limit = 500): SQLite.Database {
	const cache = new Map<string, SQLite.Statement>();
	const prepare = sqlite.prepare.bind(sqlite);
	return new Proxy(sqlite, {
		get(target, property, receiver) {
			if (property !== 'prepare') return Reflect.get(target, property, receiver);
			return (sql: string) => {
				let statement = cache.get(sql);
				if (!statement) {
					statement = prepare(sql);
					if (cache.size >= limit) cache.delete(cache.keys().next().value!);
					cache.set(sql, statement);
				}
				return statement;
			};
		}
	});
}

let shared: DB | undefined;

/** Where the app's database is: DATABASE_URL (a postgres:// URL), else the DATABASE_PATH file. */
export function databaseLocation(env: NodeJS.ProcessEnv = process.env): string {
	if (env.DATABASE_URL) {
		if (!isPostgresUrl(env.DATABASE_URL))
			throw new Error(
				'DATABASE_URL must be a postgres:// URL; for a SQLite file set DATABASE_PATH'
			);
		return env.DATABASE_URL;
	}
	return env.DATABASE_PATH || DEFAULT_DATABASE_PATH;
}

/**
 * The app's database, opened on first use: `vite build` imports server modules,
 * and opening the file at import time would create it during the build.
 */
export function getDb(): DB {
	shared ??= openDatabase(databaseLocation());
	return shared;
}

export async function closeDb(): Promise<void> {
	await shared?.destroy();
	shared = undefined;
}
