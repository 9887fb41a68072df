/**
 * Autosave without losing a keystroke: changes are merged per key, debounced, sent one at a time,
 * and a failed send is kept and retried with back-off until it succeeds. Nothing here touches the
 * network or the DOM; `send` is injected, and the tests drive the timers with vitest's fake timers.
 */

export class SaveFailure extends Error {
	constructor(
		message: string,
		/** false when resending the same change cannot help (refused as invalid or locked) */
		readonly retryable: boolean
	) {
		super(message);
	}
}

export type SaveState = 'idle' | 'pending' | 'saving' | 'saved' | 'retrying' | 'failed';

export interface SaveSnapshot {
	state: SaveState;
	/** what went wrong, in words for the person typing */
	message: string;
	unsaved: number;
	/** when the next automatic retry happens (ms since epoch), while retrying */
	retryAt: number | null;
	lastSavedAt: number | null;
}

/** Changes queued under one key are merged field by field, so a payload is a plain object. */
type Payload = object;

export interface SaveQueueOptions<P extends Payload = Record<string, unknown>> {
	send: (key: string, payload: P) => Promise<void>;
	onChange?: (snapshot: SaveSnapshot) => void;
	debounceMs?: number;
	/** delays between automatic retries; the last repeats for ever */
	retryDelaysMs?: number[];
}

export const DEFAULT_RETRY_DELAYS_MS = [1000, 2000, 4000, 8000, 15000, 30000];

export class SaveQueue<P extends Payload = Record<string, unknown>> {
	private readonly pending = new Map<string, P>();
	private inFlight: { key: string; payload: P } | null = null;
	private timer: ReturnType<typeof setTimeout> | null = null;
	private attempt = 0;
	private snapshot: SaveSnapshot = {
		state: 'idle',
		message: '',
		unsaved: 0,
		retryAt: null,
		lastSavedAt: null
	};
	private idleWaiters: { resolve: () => void; reject: (e: Error) => void }[] = [];
	private readonly options: Required<SaveQueueOptions<P>>;

	constructor(options: SaveQueueOptions<P>) {
		this.options = {
			debounceMs: 700,
			retryDelaysMs: DEFAULT_RETRY_DELAYS_MS,
			onChange: () => {},
			...options
		};
	}

	get current(): SaveSnapshot {
		return this.snapshot;
	}

	get hasUnsaved(): boolean {
		return this.pending.size > 0 || this.inFlight !== null;
	}

	/** Record a change; fields merge with any unsent change to the same key. */
	update(key: string, fields: P): void {
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

	private unsavedCount(): number {
		return this.pending.size + (this.inFlight ? 1 : 0);
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
	}

	private async drain(): Promise<void> {
		if (this.inFlight) return; // the running drain picks up whatever is pending
		while (this.pending.size > 0) {
			const [key, payload] = this.pending.entries().next().value as [string, P];
			this.pending.delete(key);
			this.inFlight = { key, payload };
			this.publish({ state: 'saving', unsaved: this.unsavedCount(), retryAt: null });
			try {
				await this.options.send(key, payload);
				this.inFlight = null;
				this.attempt = 0;
			} catch (problem) {
				this.inFlight = null;
				// Put the change back under anything typed since, which is newer and wins.
				this.pending.set(key, { ...payload, ...this.pending.get(key) });
				this.fail(problem);
				return;
			}
		}
		this.publish({
			state: 'saved',
			message: '',
			unsaved: 0,
			retryAt: null,
			lastSavedAt: Date.now()
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
				retryAt: null
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
