import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parentPort, Worker, type Transferable } from 'node:worker_threads';

/**
 * A small pool of worker threads for work that must not hold up the request thread (reports, PDFs,
 * zips: docs/PERFORMANCE.md, "Reports off the request thread"). Hand-written rather than piscina
 * because what it needs beyond a task queue is a stream that the worker only advances when the
 * reader pulls (a slow download must not make the worker read the whole school into memory), and
 * because the worker's file has to be found in SvelteKit's build (`workerScript`).
 *
 * A worker takes several tasks at once: they interleave at their awaits (a CSV waiting for its
 * reader's next pull costs nothing), so one long download does not queue every PDF behind it. A
 * worker that dies fails only the tasks it held, with a clear error, and the next task starts a
 * new one. A task that sends nothing for `timeoutMs` is taken as stuck: its worker is ended.
 */

/** Main thread → worker. */
type ToWorker =
	| { op: 'run'; id: number; kind: string; payload: unknown }
	| { op: 'stream'; id: number; kind: string; payload: unknown }
	| { op: 'pull'; id: number }
	| { op: 'cancel'; id: number }
	| { op: 'close' };

/** Worker → main thread. */
type FromWorker =
	| { op: 'done'; id: number; value: unknown }
	| { op: 'progress'; id: number; value: unknown }
	| { op: 'chunk'; id: number; bytes: Uint8Array }
	| { op: 'end'; id: number }
	| { op: 'error'; id: number; message: string; status?: number };

/** A task that failed in its worker, or whose worker stopped. `status` is a thrown Refusal's. */
export class WorkerTaskError extends Error {
	constructor(
		message: string,
		readonly status?: number,
		/** the worker stopped (crashed, stuck or shut down), not the task's own refusal */
		readonly workerLost = false,
		/** the pool was closed: the server is stopping, and the task was cut short, not wrong */
		readonly serverStopping = false,
		/** the task ran past the timeout without a word and its worker was ended: the work was spent */
		readonly stuck = false
	) {
		super(message);
		this.name = 'WorkerTaskError';
	}
}

/**
 * How many report workers: `REPORT_WORKERS`, else one fewer than the cores (at least 1, at most 4),
 * so on a 2-core machine one worker leaves a core for the requests.
 */
export function reportWorkerCount(
	env: Record<string, string | undefined> = process.env,
	cores = availableParallelism()
): number {
	const fallback = Math.max(1, Math.min(4, cores - 1));
	const raw = env.REPORT_WORKERS?.trim();
	if (!raw) return fallback;
	const count = Number(raw);
	if (!Number.isInteger(count) || count < 1 || count > 64) {
		console.warn(`REPORT_WORKERS=${raw} is not a whole number from 1 to 64; using ${fallback}.`);
		return fallback;
	}
	return count;
}

/**
 * The worker for a module: built JavaScript runs as it is; TypeScript source (vitest, `vite dev`)
 * runs through tsx's ESM API, a devDependency, registered inside the worker by a small ES module
 * bootstrap. (On Node 20 a worker does not honour `--import tsx` in its `execArgv`, and tsx's
 * require hook cannot load ESM-only packages such as @sveltejs/kit.)
 */
export function workerScript(moduleUrl: string | URL, workerData: unknown): Worker {
	const url = new URL(moduleUrl);
	if (!/\.[cm]?ts$/.test(url.pathname)) return new Worker(url, { workerData });
	const bootstrap = [
		`const { register } = await import(${JSON.stringify(tsxEsmApi())});`,
		'register();',
		`await import(${JSON.stringify(url.href)});`
	].join('\n');
	return new Worker(new URL(`data:text/javascript,${encodeURIComponent(bootstrap)}`), {
		workerData
	});
}

/** tsx's ESM API as a file URL, found through tsx's own export map. */
function tsxEsmApi(): string {
	const manifest = createRequire(import.meta.url).resolve('tsx/package.json');
	const exports = (
		JSON.parse(readFileSync(manifest, 'utf8')) as {
			exports: Record<string, { import: { default: string } }>;
		}
	).exports;
	return pathToFileURL(join(dirname(manifest), exports['./esm/api']!.import.default)).href;
}

interface Pending {
	resolve: (value: unknown) => void;
	reject: (problem: Error) => void;
	onProgress?: (value: unknown) => void;
	/** the request has been sent and not yet answered (a stream between pulls waits on no one) */
	waiting: boolean;
	/** a stream's next chunk, or undefined at its end */
	onChunk?: (bytes: Uint8Array | undefined) => void;
}

interface PooledWorker {
	worker: Worker;
	tasks: Map<number, Pending>;
	timer?: ReturnType<typeof setTimeout>;
	lost: boolean;
	/** why the worker is gone, for a stream pulled after it went */
	lostBecause?: WorkerTaskError;
}

export interface WorkerPoolOptions {
	size: number;
	spawn: () => Worker;
	/** a task (or a stream's pull) answered in nothing for this long is stuck; default 2 minutes */
	timeoutMs?: number;
	/** what a task is called in errors: "the report" */
	label?: string;
}

export class WorkerPool {
	private readonly workers: PooledWorker[] = [];
	private nextId = 1;
	private closed = false;
	private readonly timeoutMs: number;
	private readonly label: string;

	constructor(private readonly options: WorkerPoolOptions) {
		this.timeoutMs = options.timeoutMs ?? 120_000;
		this.label = options.label ?? 'the task';
	}

	/** Runs a task to its result; `onProgress` hears what the task reports on the way. */
	run<T>(
		kind: string,
		payload: unknown,
		options: { onProgress?: (value: unknown) => void } = {}
	): Promise<T> {
		return new Promise<T>((resolve, reject) => {
			const pooled = this.pick();
			if (!pooled) return reject(this.closedError());
			const id = this.nextId++;
			pooled.tasks.set(id, {
				resolve: resolve as (value: unknown) => void,
				reject,
				onProgress: options.onProgress,
				waiting: true
			});
			this.post(pooled, { op: 'run', id, kind, payload });
		});
	}

	/**
	 * A task whose output is a stream of bytes. Resolves once the first chunk has come (so a task
	 * that fails at once fails here, before any response is sent); after that the worker makes the
	 * next chunk only when the reader pulls, one chunk ahead at most.
	 */
	async stream(kind: string, payload: unknown): Promise<ReadableStream<Uint8Array>> {
		const pooled = this.pick();
		if (!pooled) throw this.closedError();
		const id = this.nextId++;
		const next = () =>
			new Promise<Uint8Array | undefined>((resolve, reject) => {
				const task = pooled.tasks.get(id);
				if (!task)
					return reject(pooled.lostBecause ?? new WorkerTaskError(`${this.label} was cancelled.`));
				task.onChunk = resolve;
				task.reject = reject;
				task.waiting = true;
				this.armTimer(pooled);
			});
		pooled.tasks.set(id, { resolve: () => {}, reject: () => {}, waiting: false });
		const first = next();
		this.post(pooled, { op: 'stream', id, kind, payload });
		const firstChunk = await first.catch((problem: Error) => {
			pooled.tasks.delete(id);
			this.settle(pooled);
			throw problem;
		});
		let pending: Uint8Array | undefined = firstChunk;
		return new ReadableStream<Uint8Array>({
			pull: async (controller) => {
				const chunk = pending ?? (await this.pullFrom(pooled, id, next));
				pending = undefined;
				if (chunk) controller.enqueue(chunk);
				else controller.close();
			},
			cancel: () => {
				if (!pooled.tasks.delete(id)) return;
				this.post(pooled, { op: 'cancel', id });
				this.settle(pooled);
			}
		});
	}

	/** Ends every worker: tasks still running fail ("the server is stopping"). */
	async close(): Promise<void> {
		this.closed = true;
		await Promise.all(
			this.workers.splice(0).map(async (pooled) => {
				this.lose(pooled, `${this.label} was stopped: the server is shutting down.`, {
					serverStopping: true
				});
				pooled.worker.postMessage({ op: 'close' } satisfies ToWorker);
				const exited = new Promise((resolve) => pooled.worker.once('exit', resolve));
				const gaveUp = setTimeout(() => void pooled.worker.terminate(), 2_000);
				await exited;
				clearTimeout(gaveUp);
			})
		);
	}

	/** How many workers are running now (for tests and the health of the pool). */
	get running(): number {
		return this.workers.length;
	}

	/** The threads running now, oldest first (tests end one to see the pool recover). */
	threads(): Worker[] {
		return this.workers.map((w) => w.worker);
	}

	private async pullFrom(
		pooled: PooledWorker,
		id: number,
		next: () => Promise<Uint8Array | undefined>
	) {
		const chunk = next();
		this.post(pooled, { op: 'pull', id });
		try {
			return await chunk;
		} catch (problem) {
			pooled.tasks.delete(id);
			this.settle(pooled);
			throw problem;
		}
	}

	private closedError() {
		return new WorkerTaskError(
			`${this.label} cannot start: the server is shutting down.`,
			503,
			true
		);
	}

	/** The worker with the fewest tasks; a new one while the pool is below its size and all are busy. */
	private pick(): PooledWorker | undefined {
		if (this.closed) return undefined;
		const idle = this.workers.find((w) => w.tasks.size === 0);
		if (idle) return idle;
		if (this.workers.length < this.options.size) return this.start();
		return this.workers.reduce((a, b) => (b.tasks.size < a.tasks.size ? b : a));
	}

	private start(): PooledWorker {
		const worker = this.options.spawn();
		const pooled: PooledWorker = { worker, tasks: new Map(), lost: false };
		this.workers.push(pooled);
		worker.on('message', (message: FromWorker) => this.receive(pooled, message));
		worker.on('error', (problem) => {
			console.error(`[workers] a worker for ${this.label} failed`, problem);
			this.lose(
				pooled,
				`${this.label} could not be made: its worker stopped (${problem.message}).`
			);
		});
		worker.on('exit', (code) => {
			this.lose(pooled, `${this.label} could not be made: its worker stopped (exit code ${code}).`);
		});
		worker.unref();
		return pooled;
	}

	private receive(pooled: PooledWorker, message: FromWorker) {
		const task = pooled.tasks.get(message.id);
		if (!task) return; // cancelled meanwhile
		if (message.op === 'progress') {
			task.onProgress?.(message.value);
			this.armTimer(pooled);
			return;
		}
		task.waiting = false;
		if (message.op === 'chunk') task.onChunk?.(message.bytes);
		else if (message.op === 'end') {
			pooled.tasks.delete(message.id);
			task.onChunk?.(undefined);
		} else {
			pooled.tasks.delete(message.id);
			if (message.op === 'done') task.resolve(message.value);
			else task.reject(new WorkerTaskError(message.message, message.status));
		}
		this.settle(pooled);
	}

	/**
	 * After anything changes: the stuck-task timer runs while some request waits on the worker, and
	 * the worker keeps the process alive only while it holds tasks.
	 */
	private settle(pooled: PooledWorker) {
		if (pooled.lost) return;
		clearTimeout(pooled.timer);
		pooled.timer = undefined;
		this.armTimer(pooled);
		if (pooled.tasks.size) pooled.worker.ref();
		else pooled.worker.unref();
	}

	private armTimer(pooled: PooledWorker) {
		if (pooled.lost) return;
		clearTimeout(pooled.timer);
		pooled.timer = undefined;
		if (![...pooled.tasks.values()].some((t) => t.waiting)) return;
		pooled.timer = setTimeout(() => {
			this.lose(
				pooled,
				`${this.label} took longer than ${Math.round(this.timeoutMs / 1000)} s and was stopped.`,
				{ stuck: true }
			);
			void pooled.worker.terminate();
		}, this.timeoutMs);
		pooled.timer.unref();
	}

	/** A worker gone (crashed, stuck, shut down): its tasks fail and the next task starts another. */
	private lose(
		pooled: PooledWorker,
		message: string,
		why: { serverStopping?: boolean; stuck?: boolean } = {}
	) {
		if (pooled.lost) return;
		pooled.lost = true;
		pooled.lostBecause = new WorkerTaskError(
			message,
			503,
			true,
			why.serverStopping ?? false,
			why.stuck ?? false
		);
		clearTimeout(pooled.timer);
		const at = this.workers.indexOf(pooled);
		if (at >= 0) this.workers.splice(at, 1);
		for (const task of pooled.tasks.values()) task.reject(pooled.lostBecause);
		pooled.tasks.clear();
	}

	private post(pooled: PooledWorker, message: ToWorker) {
		if (pooled.lost) {
			pooled.tasks.get('id' in message ? message.id : -1)?.reject(this.closedError());
			return;
		}
		pooled.worker.postMessage(message);
		this.settle(pooled);
	}
}

/** What a task in the worker may do besides returning: report progress on the way. */
export interface TaskContext {
	progress(value: unknown): void;
}

export interface TaskHandlers {
	/** tasks with one result; a `Uint8Array` result is moved, not copied */
	run: Record<string, (payload: never, context: TaskContext) => Promise<unknown>>;
	/** tasks whose output is a stream of bytes, advanced one chunk per pull */
	stream: Record<string, (payload: never) => AsyncIterator<Uint8Array>>;
	/** before the worker ends at the pool's close (databases closed) */
	close?: () => Promise<void>;
}

/** In the worker: answers the pool's messages with these handlers. */
export function serveTasks(handlers: TaskHandlers): void {
	const port = parentPort;
	if (!port) throw new Error('serveTasks runs in a worker thread');
	const streams = new Map<number, AsyncIterator<Uint8Array>>();
	const send = (message: FromWorker, transfer: Transferable[] = []) =>
		port.postMessage(message, transfer);
	const fail = (id: number, problem: unknown) => {
		streams.delete(id);
		const status = (problem as { status?: unknown })?.status;
		send({
			op: 'error',
			id,
			message: problem instanceof Error ? problem.message : String(problem),
			...(typeof status === 'number' ? { status } : {})
		});
	};
	const pull = async (id: number) => {
		const iterator = streams.get(id);
		if (!iterator) return;
		try {
			const next = await iterator.next();
			if (!streams.has(id)) return; // cancelled while the chunk was made
			if (next.done) {
				streams.delete(id);
				send({ op: 'end', id });
			} else send({ op: 'chunk', id, bytes: next.value }, movable(next.value));
		} catch (problem) {
			fail(id, problem);
		}
	};
	port.on('message', (message: ToWorker) => {
		if (message.op === 'run') {
			const handler = handlers.run[message.kind];
			if (!handler) return fail(message.id, new Error(`no task "${message.kind}"`));
			const context: TaskContext = {
				progress: (value) => send({ op: 'progress', id: message.id, value })
			};
			handler(message.payload as never, context).then(
				(value) => send({ op: 'done', id: message.id, value }, movable(value)),
				(problem: unknown) => fail(message.id, problem)
			);
		} else if (message.op === 'stream') {
			const handler = handlers.stream[message.kind];
			if (!handler) return fail(message.id, new Error(`no task "${message.kind}"`));
			try {
				streams.set(message.id, handler(message.payload as never));
			} catch (problem) {
				return fail(message.id, problem);
			}
			void pull(message.id);
		} else if (message.op === 'pull') void pull(message.id);
		else if (message.op === 'cancel') {
			const iterator = streams.get(message.id);
			streams.delete(message.id);
			void iterator?.return?.(undefined);
		} else if (message.op === 'close') {
			void (handlers.close?.() ?? Promise.resolve()).finally(() => process.exit(0));
		}
	});
}

/** A byte array that owns its whole buffer is moved to the other thread rather than copied. */
function movable(value: unknown): Transferable[] {
	if (!(value instanceof Uint8Array)) return [];
	const { buffer } = value;
	if (!(buffer instanceof ArrayBuffer)) return [];
	return value.byteOffset === 0 && value.byteLength === buffer.byteLength ? [buffer] : [];
}
