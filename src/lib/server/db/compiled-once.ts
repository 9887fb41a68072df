import { createQueryId, type CompiledQuery, type Kysely } from 'kysely';
import type { Database } from './schema';

/**
 * The SQL of every query compiled here, by the name PostgreSQL prepares it under: a connection
 * (`connection.ts`) runs these as named prepared statements, parsed and planned once per connection
 * rather than on every run. Parsing and planning the autosave's update cost more than running it
 * (0.6 → 0.26 ms of the server's CPU a save, measured with the bench's data). Only these: queries
 * built afresh vary (lists of ids of every length), and each prepared one holds memory in its
 * connection for as long as the connection lives.
 */
export const preparedStatementNames = new Map<string, string>();

/** A parameter whose value is given when the query runs, not when it is built. */
class Slot {
	constructor(readonly name: string) {}
}

/**
 * A query built and compiled by kysely once, then run many times with new values: for the few
 * queries on hot paths (every autosave), where building the operation tree and compiling it cost
 * as much as SQLite's own work. The query stays in kysely, so it compiles for any dialect; on
 * PostgreSQL it runs as a prepared statement (`preparedStatementNames`).
 *
 * `build` receives a database to build on and `slot(name)`, a stand-in for a value given at run
 * time; use slots only where kysely binds a value as a parameter (`where`, `set`, `val`).
 *
 * Every run is still shown to the database's plugins, so those that watch queries (the session
 * cache's AuthWritesPlugin) see it as they see any other; a plugin that rewrote the query would
 * only shape the first compile.
 */
export function compiledOnce<K extends string, R>(
	build: (db: Kysely<Database>, slot: <T>(name: K) => T) => { compile(): CompiledQuery<R> }
): (db: Kysely<Database>, values: Record<K, unknown>) => Promise<R[]> {
	let compiled: CompiledQuery<R> | undefined;
	return async (db, values) => {
		if (!compiled) {
			compiled = build(db, <T>(name: K) => new Slot(name) as unknown as T).compile();
			if (!preparedStatementNames.has(compiled.sql))
				preparedStatementNames.set(compiled.sql, `compiled_${preparedStatementNames.size + 1}`);
		}
		const queryId = createQueryId();
		db.getExecutor().transformQuery(compiled.query, queryId);
		const parameters = compiled.parameters.map((p) =>
			p instanceof Slot ? values[p.name as K] : p
		);
		const result = await db.executeQuery<R>({ ...compiled, parameters, queryId });
		return result.rows;
	};
}
