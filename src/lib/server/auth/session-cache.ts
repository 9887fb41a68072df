import type {
	KyselyPlugin,
	OperationNode,
	PluginTransformQueryArgs,
	PluginTransformResultArgs,
	QueryResult,
	RootOperationNode,
	UnknownRow
} from 'kysely';

/**
 * Validated sessions, kept in memory for a few seconds. Every request of a signed-in person checks
 * their session, and the autosave endpoint is called on every slider move: the four-table lookup
 * was the largest cost on that path (see docs/PERFORMANCE.md).
 *
 * Staleness is never allowed to outlive an in-process change: `AuthWritesPlugin` watches every
 * query the app's database runs and empties the cache when one writes to the tables a session's
 * validity depends on (sign-out, password change, deactivation, role changes, erasure — whatever
 * code path does it). An entry is stored only if no such write happened while it was being read
 * (`epoch`). The time limit bounds staleness from outside the process (a script run against the
 * file).
 */
export const SESSION_CACHE_TTL_MS = 10_000;
const MAX_ENTRIES = 20_000;

/** Tables whose rows decide whether a session is valid and who its user is. */
const AUTH_TABLES = new Set([
	'sessions',
	'users',
	'memberships',
	'schools',
	'city_admins',
	'cities'
]);

export class SessionCache<T> {
	#entries = new Map<string, { value: T; storedAt: number }>();
	#epoch = 0;
	#onClear = new Set<() => void>();
	#enabled = true;

	constructor(private readonly ttlMs = SESSION_CACHE_TTL_MS) {}

	/** Read before the database lookup; pass to `store` so a lookup raced by a write is not kept. */
	get epoch(): number {
		return this.#epoch;
	}

	/**
	 * Off while this server cannot hear the others' auth changes (several servers on PostgreSQL:
	 * see cluster/events.ts): every request then reads the database.
	 */
	setEnabled(enabled: boolean): void {
		this.#enabled = enabled;
		if (!enabled) this.#entries.clear();
	}

	get(sessionId: string, now: number): T | undefined {
		if (!this.#enabled) return undefined;
		const entry = this.#entries.get(sessionId);
		if (!entry) return undefined;
		if (now - entry.storedAt >= this.ttlMs) {
			this.#entries.delete(sessionId);
			return undefined;
		}
		return entry.value;
	}

	store(sessionId: string, value: T, epochAtRead: number, now: number): void {
		if (epochAtRead !== this.#epoch || !this.#enabled) return;
		if (this.#entries.size >= MAX_ENTRIES) this.#entries.delete(this.#entries.keys().next().value!);
		this.#entries.set(sessionId, { value, storedAt: now });
	}

	forget(sessionId: string): void {
		this.#entries.delete(sessionId);
	}

	clear(): void {
		this.#epoch++;
		this.#entries.clear();
		for (const listener of this.#onClear) listener();
	}

	/**
	 * Called on every auth write, as the query is about to run (not after it commits): listeners that
	 * re-read the database must wait a moment first.
	 */
	onClear(listener: () => void): () => void {
		this.#onClear.add(listener);
		return () => this.#onClear.delete(listener);
	}

	get size(): number {
		return this.#entries.size;
	}
}

function tableName(node: OperationNode | undefined): string | undefined {
	if (!node) return undefined;
	if (node.kind === 'TableNode')
		return (node as unknown as { table: { identifier: { name: string } } }).table.identifier.name;
	if (node.kind === 'AliasNode')
		return tableName((node as unknown as { node: OperationNode }).node);
	return undefined;
}

/**
 * Which auth-relevant table a query changes, if any. A new session (insert) invalidates nothing.
 */
export function changesAuthTable(node: RootOperationNode): boolean {
	switch (node.kind) {
		case 'InsertQueryNode': {
			const table = tableName(node.into);
			return table !== undefined && table !== 'sessions' && AUTH_TABLES.has(table);
		}
		case 'UpdateQueryNode':
			return AUTH_TABLES.has(tableName(node.table) ?? '');
		case 'DeleteQueryNode':
			return node.from.froms.some((from) => AUTH_TABLES.has(tableName(from) ?? ''));
		case 'RawNode':
			// Hand-written SQL is not parsed: any write in it is assumed to touch sessions.
			return /\b(insert|update|delete|replace)\b/i.test(node.sqlFragments.join(' '));
		default:
			return false;
	}
}

export class AuthWritesPlugin implements KyselyPlugin {
	constructor(private readonly cache: SessionCache<unknown>) {}

	transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
		if (changesAuthTable(args.node)) this.cache.clear();
		return args.node;
	}

	async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
		return args.result;
	}
}
