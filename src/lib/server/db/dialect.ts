import {
	ColumnDefinitionNode,
	DataTypeNode,
	GeneratedNode,
	OperationNodeTransformer,
	PostgresAdapter,
	sql,
	type Expression,
	type Kysely,
	type KyselyPlugin,
	type PluginTransformQueryArgs,
	type PluginTransformResultArgs,
	type QueryResult,
	type RawBuilder,
	type RootOperationNode,
	type UnknownRow
} from 'kysely';

/**
 * Everything that differs between the two databases the app runs on: the embedded SQLite file (one
 * school, the default) and PostgreSQL (a city: `DATABASE_URL=postgres://…`). Queries elsewhere use
 * kysely's builder and portable SQL; when a function or statement has no common spelling it is
 * written here once, for both. See docs/ARCHITECTURE.md, "Two databases".
 */

export type DatabaseKind = 'sqlite' | 'postgres';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function databaseKind(db: Kysely<any>): DatabaseKind {
	return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function isPostgres(db: Kysely<any>): boolean {
	return databaseKind(db) === 'postgres';
}

export function isPostgresUrl(location: string): boolean {
	return /^postgres(ql)?:\/\//i.test(location);
}

/**
 * The migrations are written once with kysely's schema builder in SQLite's vocabulary (frozen:
 * they have run in schools). On PostgreSQL they are read with three words changed: an
 * `integer … autoincrement` key becomes an identity column, `real` becomes `double precision`
 * (PostgreSQL's `real` is 4-byte and would round a 0–100 slider value such as 33.3) and `blob`
 * becomes `bytea`.
 */
const POSTGRES_TYPE_WORDS: Record<string, 'double precision' | 'bytea'> = {
	real: 'double precision',
	blob: 'bytea'
};

class PostgresSchemaWords extends OperationNodeTransformer {
	protected override transformColumnDefinition(node: ColumnDefinitionNode): ColumnDefinitionNode {
		const column = super.transformColumnDefinition(node);
		if (!column.autoIncrement) return column;
		return ColumnDefinitionNode.cloneWith(column, {
			autoIncrement: false,
			generated: GeneratedNode.create({ byDefault: true, identity: true })
		});
	}

	protected override transformDataType(node: DataTypeNode): DataTypeNode {
		const word = POSTGRES_TYPE_WORDS[node.dataType as string];
		return word ? DataTypeNode.create(word) : node;
	}
}

export class PostgresSchemaPlugin implements KyselyPlugin {
	#words = new PostgresSchemaWords();

	transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
		const kind = args.node.kind;
		if (kind !== 'CreateTableNode' && kind !== 'AlterTableNode') return args.node;
		return this.#words.transformNode(args.node);
	}

	async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
		return args.result;
	}
}

/** `values` joined by `separator`, in the group's order (SQLite `group_concat`, PostgreSQL `string_agg`). */
export function joinedText(
	// eslint-disable-next-line @typescript-eslint/no-explicit-any
	db: Kysely<any>,
	values: Expression<string | null>,
	separator: string
): RawBuilder<string> {
	return isPostgres(db)
		? sql<string>`string_agg(${values}, ${sql.lit(separator)})`
		: sql<string>`group_concat(${values}, ${sql.lit(separator)})`;
}

/** Whether `text` contains `word`, ignoring case (ASCII and, on PostgreSQL, beyond). */
export function containsIgnoringCase(
	// eslint-disable-next-line @typescript-eslint/no-explicit-any
	db: Kysely<any>,
	text: Expression<string | null>,
	word: string
): RawBuilder<boolean> {
	return isPostgres(db)
		? sql<boolean>`strpos(lower(${text}), ${word.toLowerCase()}) > 0`
		: sql<boolean>`instr(lower(${text}), ${word.toLowerCase()}) > 0`;
}

/**
 * A JSON object held as text, with its numeric `key` increased by `added` (taken as 1 when absent).
 */
export function jsonTextWithCountAdded(
	// eslint-disable-next-line @typescript-eslint/no-explicit-any
	db: Kysely<any>,
	jsonText: Expression<string>,
	key: string,
	added: number
): RawBuilder<string> {
	const path = sql.lit(key);
	return isPostgres(db)
		? sql<string>`jsonb_set(${jsonText}::jsonb, array[${path}], to_jsonb(coalesce((${jsonText}::jsonb ->> ${path})::integer, 1) + ${sql.lit(added)}))::text`
		: sql<string>`json_set(${jsonText}, ${sql.lit('$.' + key)}, coalesce(json_extract(${jsonText}, ${sql.lit('$.' + key)}), 1) + ${sql.lit(added)})`;
}

/**
 * Holds a lock named `key` until the transaction ends, so two app servers doing the same
 * read-then-write (a sign-in attempt counted against its allowance, say) take turns. `shared`:
 * any number of holders at once, none beside an exclusive holder. SQLite needs none: its
 * transactions on the app's one connection already run one at a time.
 */
export async function lockForTransaction(
	// eslint-disable-next-line @typescript-eslint/no-explicit-any
	trx: Kysely<any>,
	key: string,
	mode: 'exclusive' | 'shared' = 'exclusive'
): Promise<void> {
	if (!isPostgres(trx)) return;
	if (mode === 'shared')
		await sql`select pg_advisory_xact_lock_shared(hashtextextended(${key}, 0))`.execute(trx);
	else await sql`select pg_advisory_xact_lock(hashtextextended(${key}, 0))`.execute(trx);
}

/** Whether locks between app servers mean anything here (PostgreSQL), so worth a query to find. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const locksBetweenServers = (db: Kysely<any>): boolean => isPostgres(db);

/**
 * After an erasure: SQLite keeps recently deleted pages in its write-ahead log until a checkpoint
 * (secure_delete zeroes them in the file itself), so the log is checkpointed and emptied. On
 * PostgreSQL deleted rows stay in the table's dead space until vacuumed; VACUUM cannot run in a
 * transaction, so the erased tables are vacuumed here, after the erasure committed.
 */
export async function purgeDeletedRows(
	// eslint-disable-next-line @typescript-eslint/no-explicit-any
	db: Kysely<any>,
	tables: readonly string[]
): Promise<void> {
	if (isPostgres(db)) {
		for (const table of tables) await sql`vacuum ${sql.table(table)}`.execute(db);
	} else await sql`PRAGMA wal_checkpoint(TRUNCATE)`.execute(db);
}

/** The PostgreSQL schema this connection works in (the first of its search_path that exists). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function currentSchema(db: Kysely<any>): Promise<string> {
	const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
	return rows[0]!.schema;
}

/** The one PostgreSQL channel the app servers talk on (see server/cluster/events.ts). */
export const CLUSTER_CHANNEL = 'fusion_events';

/**
 * PostgreSQL only: `tables` notify the cluster channel (topic `auth`) when a statement changes
 * them, delivered when the transaction commits, whichever server or script wrote. `insertsToo`
 * false for tables where a new row changes nothing for existing sign-ins (sessions).
 */
export async function notifyAuthChanges(
	// eslint-disable-next-line @typescript-eslint/no-explicit-any
	db: Kysely<any>,
	tables: { table: string; insertsToo: boolean; deletesOnly?: boolean }[]
): Promise<void> {
	if (!isPostgres(db)) return;
	await sql`create or replace function fusion_notify_auth() returns trigger language plpgsql as $$
		begin
			perform pg_notify(${sql.lit(CLUSTER_CHANNEL)}, '{"topic":"auth"}');
			return null;
		end $$`.execute(db);
	for (const { table, insertsToo, deletesOnly } of tables) {
		const events = deletesOnly
			? 'delete'
			: insertsToo
				? 'insert or update or delete'
				: 'update or delete';
		await sql`drop trigger if exists ${sql.id(`${table}_auth_changed`)} on ${sql.table(table)}`.execute(
			db
		);
		await sql`create trigger ${sql.id(`${table}_auth_changed`)}
			after ${sql.raw(events)} on ${sql.table(table)}
			for each statement execute function fusion_notify_auth()`.execute(db);
	}
}

/** A claim query's rows that another server holds are skipped, not waited for (PostgreSQL). */
export function skippingLockedRows(
	// eslint-disable-next-line @typescript-eslint/no-explicit-any
	db: Kysely<any>
) {
	return <Q extends { forUpdate(): Q; skipLocked(): Q }>(query: Q): Q =>
		isPostgres(db) ? query.forUpdate().skipLocked() : query;
}

/**
 * A number rounded to 3 decimals in SQL, as `Math.round(n * 1000) / 1000` in JavaScript (the
 * profile's rounding). SQLite's `round(x, 3)` takes a real; PostgreSQL's takes only `numeric`.
 */
export function round3Sql(
	// eslint-disable-next-line @typescript-eslint/no-explicit-any
	db: Kysely<any>,
	value: Expression<number>
): RawBuilder<number> {
	return isPostgres(db)
		? sql<number>`round(cast(${value} as numeric), 3)`
		: sql<number>`round(${value}, 3)`;
}

/**
 * Locks rows of `table` by id until the transaction ends (PostgreSQL `FOR UPDATE`, in id order),
 * for work that reads and rewrites what hangs off them. Row locks, not advisory ones: a school-wide
 * refresh locks thousands without filling the server's lock table. SQLite: nothing to do.
 */
export async function lockRowsForTransaction(
	// eslint-disable-next-line @typescript-eslint/no-explicit-any
	trx: Kysely<any>,
	table: string,
	ids: readonly number[]
): Promise<void> {
	if (!isPostgres(trx) || ids.length === 0) return;
	await sql`select id from ${sql.table(table)} where id in (${sql.join(ids)}) order by id for update`.execute(
		trx
	);
}
