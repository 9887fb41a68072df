import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Database } from './schema';
import { AuthWritesPlugin, SessionCache } from '../auth/session-cache';

export type DB = Kysely<Database>;

export const DEFAULT_DATABASE_PATH = 'data/fusion.db';

/** Opens a SQLite database tuned for many small concurrent writes (autosave). */
export function openDatabase(path: string): DB {
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
	const sessionCache = new SessionCache<unknown>();
	const db = new Kysely<Database>({
		dialect: new SqliteDialect({ database: withStatementCache(sqlite) }),
		plugins: [new AuthWritesPlugin(sessionCache)]
	});
	sessionCaches.set(db, sessionCache);
	return db;
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

/**
 * The app's database, opened on first use: `vite build` imports server modules,
 * and opening the file at import time would create it during the build.
 */
export function getDb(): DB {
	shared ??= openDatabase(process.env.DATABASE_PATH || DEFAULT_DATABASE_PATH);
	return shared;
}

export async function closeDb(): Promise<void> {
	await shared?.destroy();
	shared = undefined;
}
