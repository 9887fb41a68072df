// Fast bulk inserts into the bench's scratch database, and nothing else: the app's own SQL stays in
// kysely with its dialect differences in `db/dialect.ts`. Filling ten million judgements row by row
// through kysely takes too long, so each database gets its fastest plain path: prepared statements
// in a transaction on SQLite, one `insert … select from unnest(arrays)` per table and class on
// PostgreSQL (no COPY: that needs another dependency for its stream).
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { isPostgresUrl } from '../src/lib/server/db/dialect';
import { connectionStringOf, openDatabase } from '../src/lib/server/db/connection';

export interface BulkWriter {
	begin(): Promise<void>;
	commit(): Promise<void>;
	/** Inserts rows (values in `columns` order); returns the `returning` columns of each, if asked. */
	insert(
		table: string,
		columns: string[],
		rows: unknown[][],
		returning?: string[]
	): Promise<Record<string, unknown>[]>;
	/** Statistics for the planner, then close. */
	finish(): Promise<void>;
}

export async function bulkWriterFor(target: string): Promise<BulkWriter> {
	return isPostgresUrl(target) ? postgresWriter(target) : sqliteWriter(target);
}

function sqliteWriter(path: string): BulkWriter {
	const sqlite = new SQLite(path);
	sqlite.pragma('journal_mode = WAL');
	sqlite.pragma('synchronous = OFF'); // a scratch database: speed over durability while filling it
	const statements = new Map<string, SQLite.Statement>();
	return {
		async begin() {
			sqlite.exec('begin');
		},
		async commit() {
			sqlite.exec('commit');
		},
		async insert(table, columns, rows, returning) {
			const key = `${table}|${columns.join()}|${returning?.join() ?? ''}`;
			let statement = statements.get(key);
			if (!statement) {
				statement = sqlite.prepare(
					`insert into ${table} (${columns.join(', ')}) values (${columns.map(() => '?').join(', ')})` +
						(returning ? ` returning ${returning.join(', ')}` : '')
				);
				statements.set(key, statement);
			}
			const out: Record<string, unknown>[] = [];
			for (const row of rows) {
				if (returning) out.push(statement.get(...row) as Record<string, unknown>);
				else statement.run(...row);
			}
			return out;
		},
		async finish() {
			sqlite.pragma('synchronous = NORMAL');
			sqlite.exec('analyze');
			sqlite.close();
		}
	};
}

async function postgresWriter(url: string): Promise<BulkWriter> {
	// The connection string as the app opens it (its `?schema=` becomes the search path).
	const probe = openDatabase(url);
	const connectionString = connectionStringOf(probe);
	await probe.destroy();
	const client = new pg.Client({ connectionString });
	await client.connect();
	// A scratch database: a commit need not wait for the disk.
	await client.query('set synchronous_commit = off');
	const typesOf = new Map<string, Map<string, string>>();
	const columnTypes = async (table: string) => {
		let types = typesOf.get(table);
		if (!types) {
			const { rows } = await client.query<{ column_name: string; udt_name: string }>(
				`select column_name, udt_name from information_schema.columns where table_schema = current_schema() and table_name = $1`,
				[table]
			);
			types = new Map(rows.map((r) => [r.column_name, r.udt_name]));
			typesOf.set(table, types);
		}
		return types;
	};
	return {
		async begin() {
			await client.query('begin');
		},
		async commit() {
			await client.query('commit');
		},
		async insert(table, columns, rows, returning) {
			if (rows.length === 0) return [];
			const types = await columnTypes(table);
			const arrays = columns.map((_, i) => rows.map((row) => row[i] ?? null));
			const casts = columns.map((c, i) => {
				const type = types.get(c);
				if (!type) throw new Error(`${table}.${c}: no such column`);
				return `$${i + 1}::${type}[]`;
			});
			const result = await client.query(
				`insert into ${table} (${columns.join(', ')}) select * from unnest(${casts.join(', ')})` +
					(returning ? ` returning ${returning.join(', ')}` : ''),
				arrays
			);
			return result.rows as Record<string, unknown>[];
		},
		async finish() {
			await client.query('analyze');
			await client.end();
		}
	};
}
