/**
 * Autosave without losing a keystroke: changes are merged per key, debounced, sent one at a time,
 * and a failed send is kept and retried with back-off until it succeeds. Nothing here touches the
 * network or the DOM; `send` is injected, and the tests drive the timers with vitest's fake timers.
 *
 * No edit lost between two tabs or devices: each key remembers the last revision the server
 * confirmed and every send names it as its base. When the server answers that something else was
 * saved since (`SaveConflict`), the change is not retried: it is kept as a conflict, beside the
 * server's version, until the person chooses `keepMine` (resent on the server's revision) or
 * `useTheirs` (dropped; the caller puts the server's version in the field).
 */

export class SaveFailure extends Error {
	constructor(
		message: string,
		/** false when resending the same change cannot help (refused as invalid or locked) */
		readonly retryable: boolean,
		/** the session ended: signing in again (in place) and resending will help */
		readonly signedOut = false
	) {
		super(message);
	}
}

/** The server kept a newer version of this key (another tab or device saved since the base). */
export class SaveConflict extends SaveFailure {
	constructor(
		message: string,
		/** the server's version, with the same field names as a change, and its revision */
		readonly current: { revision: number } & Record<string, unknown>
	) {
		super(message, false);
	}
}

export type SaveState =
	'idle' | 'pending' | 'saving' | 'saved' | 'retrying' | 'failed' | 'conflict';

/** One key whose change the server refused as stale: the person's version and the server's. */
export interface Conflict {
	key: string;
	/** the person's unsaved change (everything typed since included) */
	mine: Record<string, unknown>;
	/** the server's current version of the same fields */
	theirs: Record<string, unknown>;
	/** the server's revision of it: "Keep mine" resends on this base */
	revision: number;
}

export const CONFLICT_MESSAGE = 'This was changed in another tab or device.';

export interface SaveSnapshot {
	state: SaveState;
	/** what went wrong, in words for the person typing */
	message: string;
	unsaved: number;
	/** when the next automatic retry happens (ms since epoch), while retrying */
	retryAt: number | null;
	lastSavedAt: number | null;
	/** keys waiting for the person to choose a version, oldest first */
	conflicts: Conflict[];
	/** the last send failed because the session ended: offer to sign in again here */
	signedOut: boolean;
}

/** A change not yet acknowledged by the server, as kept on the device until it is. */
export interface UnsavedChange<P extends Payload = Record<string, unknown>> {
	key: string;
	fields: P;
	/** the revision the change was based on, so a restored change still cannot overwrite newer work */
	baseRevision: number;
}

/** Changes queued under one key are merged field by field, so a payload is a plain object. */
type Payload = object;

/** What a send learns from the server: the revision it now holds, if it says. */
export type SendResult = { revision?: number | null } | void;

export interface SaveQueueOptions<P extends Payload = Record<string, unknown>> {
	/** `baseRevision`: the last revision the server confirmed for this key (0: none yet) */
	send: (key: string, payload: P, baseRevision: number) => Promise<SendResult>;
	/** the revision of each key as the page loaded it; a key not named starts at 0 */
	revisions?: Record<string, number>;
	onChange?: (snapshot: SaveSnapshot) => void;
	debounceMs?: number;
	/** delays between automatic retries; the last repeats for ever */
	retryDelaysMs?: number[];
	/** every change not yet acknowledged, after each change of state (to keep a copy on the device) */
	onUnsaved?: (changes: UnsavedChange<P>[]) => void;
}

export const DEFAULT_RETRY_DELAYS_MS = [1000, 2000, 4000, 8000, 15000, 30000];

export class SaveQueue<P extends Payload = Record<string, unknown>> {
	private readonly pending = new Map<string, P>();
	private readonly revisions: Map<string, number>;
	private readonly conflicts = new Map<string, Conflict>();
	private inFlight: { key: string; payload: P } | null = null;
	private timer: ReturnType<typeof setTimeout> | null = null;
	private attempt = 0;
	private snapshot: SaveSnapshot = {
		state: 'idle',
		message: '',
		unsaved: 0,
		retryAt: null,
		lastSavedAt: null,
		conflicts: [],
		signedOut: false
	};
	private idleWaiters: { resolve: () => void; reject: (e: Error) => void }[] = [];
	private readonly options: Required<SaveQueueOptions<P>>;

	constructor(options: SaveQueueOptions<P>) {
		this.options = {
			debounceMs: 700,
			retryDelaysMs: DEFAULT_RETRY_DELAYS_MS,
			onChange: () => {},
			onUnsaved: () => {},
			revisions: {},
			...options
		};
		this.revisions = new Map(Object.entries(this.options.revisions));
	}

	get current(): SaveSnapshot {
		return this.snapshot;
	}

	get hasUnsaved(): boolean {
		return this.pending.size > 0 || this.inFlight !== null || this.conflicts.size > 0;
	}

	/** The last revision the server confirmed for a key. */
	revisionOf(key: string): number {
		return this.revisions.get(key) ?? 0;
	}

	/** Everything typed that the server has not acknowledged, with the revision it was based on. */
	unsavedChanges(): UnsavedChange<P>[] {
		const byKey = new Map<string, P>();
		if (this.inFlight) byKey.set(this.inFlight.key, this.inFlight.payload);
		for (const [key, fields] of this.pending) byKey.set(key, { ...byKey.get(key), ...fields });
		const changes: UnsavedChange<P>[] = [...byKey].map(([key, fields]) => ({
			key,
			fields,
			baseRevision: this.revisionOf(key)
		}));
		for (const conflict of this.conflicts.values())
			changes.push({
				key: conflict.key,
				fields: conflict.mine as P,
				baseRevision: this.revisionOf(conflict.key)
			});
		return changes;
	}

	/**
	 * Queue changes kept on the device from before a closed tab, crash or lost connection, each on
	 * the revision it was based on: if the server has moved on since, it comes back as a conflict,
	 * never as a silent overwrite.
	 */
	restore(changes: UnsavedChange<P>[]): void {
		for (const change of changes) {
			if (this.pending.has(change.key) || this.conflicts.has(change.key)) continue;
			this.revisions.set(change.key, change.baseRevision);
			this.pending.set(change.key, change.fields);
		}
		if (this.pending.size === 0) return;
		this.publish({ state: 'pending', unsaved: this.unsavedCount() });
		this.schedule(this.options.debounceMs);
	}

	/** Record a change; fields merge with any unsent change to the same key. */
	update(key: string, fields: P): void {
		const conflict = this.conflicts.get(key);
		if (conflict) {
			// Still the person's version: kept with the conflict until they choose, never sent stale.
			conflict.mine = { ...conflict.mine, ...fields };
			this.publish({ conflicts: [...this.conflicts.values()], unsaved: this.unsavedCount() });
			return;
		}
		this.pending.set(key, { ...this.pending.get(key), ...fields });
		if (this.snapshot.state === 'retrying' || this.snapshot.state === 'failed') {
			// Keep showing the problem; the retry timer (or a manual retry) will carry this change too.
			this.publish({ unsaved: this.unsavedCount() });
			if (this.snapshot.state === 'failed') this.schedule(this.options.debounceMs);
			return;
		}
		this.publish({ state: 'pending', unsaved: this.unsavedCount() });
		this.schedule(this.options.debounceMs);
	}

	/** Send everything now (before submitting, or when the person presses "Retry now"). */
	flush(): Promise<void> {
		this.cancelTimer();
		const done = new Promise<void>((resolve, reject) => {
			if (!this.hasUnsaved) resolve();
			else this.idleWaiters.push({ resolve, reject });
		});
		void this.drain();
		return done;
	}

	/**
	 * Keep the person's version of a conflicting key: resent at once on the server's revision.
	 * Returns the server's fields the change does not touch, for the caller to show (they are what is
	 * stored beside the change).
	 */
	keepMine(key: string): Record<string, unknown> {
		const conflict = this.resolve(key);
		if (!conflict) return {};
		this.pending.set(key, { ...(conflict.mine as P), ...this.pending.get(key) });
		this.publish({ state: 'pending', unsaved: this.unsavedCount() });
		void this.drain();
		return Object.fromEntries(
			Object.entries(conflict.theirs).filter(([field]) => !(field in conflict.mine))
		);
	}

	/** Take the server's version of a conflicting key: the change is dropped; returns that version. */
	useTheirs(key: string): Record<string, unknown> {
		const conflict = this.resolve(key);
		if (!conflict) return {};
		if (this.conflicts.size === 0 && !this.hasUnsaved)
			this.publish({ state: 'saved', message: '', unsaved: 0, lastSavedAt: Date.now() });
		else this.publish({ unsaved: this.unsavedCount() });
		return conflict.theirs;
	}

	private resolve(key: string): Conflict | undefined {
		const conflict = this.conflicts.get(key);
		if (!conflict) return undefined;
		this.conflicts.delete(key);
		this.revisions.set(key, conflict.revision);
		this.publish({ conflicts: [...this.conflicts.values()] });
		return conflict;
	}

	private unsavedCount(): number {
		return this.pending.size + (this.inFlight ? 1 : 0) + this.conflicts.size;
	}

	private schedule(ms: number) {
		this.cancelTimer();
		this.timer = setTimeout(() => {
			this.timer = null;
			void this.drain();
		}, ms);
	}

	private cancelTimer() {
		if (this.timer !== null) clearTimeout(this.timer);
		this.timer = null;
	}

	private publish(change: Partial<SaveSnapshot>) {
		this.snapshot = { ...this.snapshot, ...change };
		this.options.onChange(this.snapshot);
		this.options.onUnsaved(this.unsavedChanges());
	}

	private async drain(): Promise<void> {
		if (this.inFlight) return; // the running drain picks up whatever is pending
		while (this.pending.size > 0) {
			const [key, payload] = this.pending.entries().next().value as [string, P];
			this.pending.delete(key);
			this.inFlight = { key, payload };
			this.publish({
				state: 'saving',
				unsaved: this.unsavedCount(),
				retryAt: null,
				signedOut: false
			});
			try {
				const result = await this.options.send(key, payload, this.revisionOf(key));
				if (typeof result?.revision === 'number') this.revisions.set(key, result.revision);
				this.inFlight = null;
				this.attempt = 0;
			} catch (problem) {
				this.inFlight = null;
				if (problem instanceof SaveConflict) {
					// Not retried: kept beside the server's version until the person chooses.
					const { revision, ...theirs } = problem.current;
					const mine = { ...payload, ...this.pending.get(key) } as Record<string, unknown>;
					if (Object.entries(mine).every(([field, value]) => sameValue(theirs[field], value))) {
						// The server already holds exactly this (a restored change that had reached it
						// before the tab closed): nothing to choose between.
						this.pending.delete(key);
						this.revisions.set(key, revision);
						continue;
					}
					this.pending.delete(key);
					this.conflicts.set(key, { key, mine, theirs, revision });
					this.publish({ conflicts: [...this.conflicts.values()] });
					continue;
				}
				// Put the change back under anything typed since, which is newer and wins.
				this.pending.set(key, { ...payload, ...this.pending.get(key) });
				this.fail(problem);
				return;
			}
		}
		if (this.conflicts.size > 0) {
			this.publish({
				state: 'conflict',
				message: CONFLICT_MESSAGE,
				unsaved: this.unsavedCount(),
				retryAt: null
			});
			const failure = new SaveFailure(CONFLICT_MESSAGE, false);
			for (const waiter of this.idleWaiters.splice(0)) waiter.reject(failure);
			return;
		}
		this.publish({
			state: 'saved',
			message: '',
			unsaved: 0,
			retryAt: null,
			lastSavedAt: Date.now(),
			signedOut: false
		});
		for (const waiter of this.idleWaiters.splice(0)) waiter.resolve();
	}

	private fail(problem: unknown) {
		const failure =
			problem instanceof SaveFailure
				? problem
				: new SaveFailure('Could not reach the server.', true);
		for (const waiter of this.idleWaiters.splice(0)) waiter.reject(failure);
		if (!failure.retryable) {
			this.publish({
				state: 'failed',
				message: failure.message,
				unsaved: this.unsavedCount(),
				retryAt: null,
				signedOut: failure.signedOut
			});
			return;
		}
		const delays = this.options.retryDelaysMs;
		const delay = delays[Math.min(this.attempt, delays.length - 1)]!;
		this.attempt++;
		this.publish({
			state: 'retrying',
			message: failure.message,
			unsaved: this.unsavedCount(),
			retryAt: Date.now() + delay
		});
		this.schedule(delay);
	}
}

/** Field values as JSON would carry them: a missing comment and an empty one are the same text. */
function sameValue(a: unknown, b: unknown): boolean {
	const norm = (v: unknown) => (v === undefined || v === null ? '' : v);
	return JSON.stringify(norm(a)) === JSON.stringify(norm(b));
}
