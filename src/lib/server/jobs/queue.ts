import { skippingLockedRows } from '../db/dialect';
import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../db/connection';
import type { Database } from '../db/schema';

/**
 * Scheduled work in the `jobs` table (migration 0019), so it survives a restart and runs once
 * however many app servers share the database:
 * - `enqueueJob` writes a row, inside the caller's transaction when there is one, so a job exists
 *   exactly when the change that asked for it does;
 * - a runner takes due rows with one UPDATE that writes its name and a lease expiry (`claimDueJobs`);
 *   another runner's UPDATE cannot take a row whose lease has not run out;
 * - a handler that throws is retried later with a growing delay, up to `max_attempts`, then the row
 *   is `failed` with its last error, for the admin to see;
 * - a runner that dies mid-job leaves a lease that runs out, and the job is taken again. Handlers
 *   are therefore written to be safe to run twice (a reminder checks it was not already sent).
 */

export type JobRow = {
	id: number;
	kind: string;
	key: string | null;
	payload: unknown;
	runAt: string;
	attempts: number;
};

/**
 * Thrown by a handler whose work the server's stop cut short (its report workers closed): the job
 * is handed back, its lease released and this start not counted, so the next runner, on another
 * server or this one restarted, takes it at once rather than after the lease runs out.
 */
export class JobCutShort extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'JobCutShort';
	}
}

/** What a handler is given: the database (not a transaction: it opens its own), the job, now. */
export type JobHandler = (db: DB, job: JobRow, now: Date) => Promise<void>;

const handlers = new Map<string, JobHandler>();

/** Each module that owns a kind of job registers its handler once, at import. */
export function registerJobHandler(kind: string, handler: JobHandler): void {
	handlers.set(kind, handler);
}

export interface JobRequest {
	kind: string;
	payload?: unknown;
	runAt?: Date;
	/** A job that must exist once: enqueueing the same key again does not add a second. */
	key?: string;
	/**
	 * With a key: when the job is still waiting, move it to this runAt and payload (a due date
	 * changed). Without: the first enqueue wins.
	 */
	replace?: boolean;
	maxAttempts?: number;
}

type Executor = Kysely<Database> | Transaction<Database>;

export async function enqueueJob(db: Executor, job: JobRequest, now = new Date()): Promise<void> {
	const row = {
		kind: job.kind,
		key: job.key ?? null,
		payload_json: JSON.stringify(job.payload ?? {}),
		run_at: (job.runAt ?? now).toISOString(),
		max_attempts: job.maxAttempts ?? 5,
		created_at: now.toISOString()
	};
	if (!job.key) {
		await db.insertInto('jobs').values(row).execute();
		return;
	}
	await db
		.insertInto('jobs')
		.values(row)
		.onConflict((oc) =>
			job.replace
				? oc
						.column('key')
						.doUpdateSet({
							run_at: row.run_at,
							payload_json: row.payload_json,
							attempts: 0,
							last_error: null
						})
						.where('jobs.state', '=', 'queued')
						.where('jobs.lease_until', 'is', null)
				: oc.column('key').doNothing()
		)
		.execute();
}

/** A waiting job by key no longer wanted (a task unpublished): removed unless it is running. */
export async function cancelJob(db: Executor, key: string): Promise<void> {
	await db
		.deleteFrom('jobs')
		.where('key', '=', key)
		.where('state', '=', 'queued')
		.where('lease_until', 'is', null)
		.execute();
}

/**
 * How long a runner holds a job before another may take it again. A job that runs longer (a
 * whole school's export) keeps its lease: the runner renews it every third of this while the
 * handler runs, so only a runner that has died lets it run out.
 */
export const LEASE_MS = 5 * 60 * 1000;

/** This process's name in leases: unique per process, so leases tell servers apart. */
const PROCESS_RUNNER_ID = `runner-${process.pid}-${randomUUID().slice(0, 8)}`;

function toJobRow(row: {
	id: number;
	kind: string;
	key: string | null;
	payload_json: string;
	run_at: string;
	attempts: number;
}): JobRow {
	return {
		id: row.id,
		kind: row.kind,
		key: row.key,
		payload: JSON.parse(row.payload_json) as unknown,
		runAt: row.run_at,
		attempts: row.attempts
	};
}

/**
 * Takes up to `limit` due jobs for `runnerId` (only the job of `key`, if given): one UPDATE, so two
 * runners never take the same row (SQLite runs one writer at a time; on PostgreSQL the row lock
 * does the same).
 */
export async function claimDueJobs(
	db: DB,
	runnerId: string,
	now: Date,
	options: { limit?: number; key?: string; leaseMs?: number } = {}
): Promise<JobRow[]> {
	const nowText = now.toISOString();
	const rows = await db
		// The candidates in a WITH query of their own: PostgreSQL evaluates one that locks rows once.
		// As a subquery of the UPDATE it may be re-run for each row (a nested-loop plan), each run
		// skipping the rows this statement has just updated, so it took more than `limit` jobs.
		.with('due', (qb) =>
			qb
				.selectFrom('jobs')
				.select('id')
				.where('state', '=', 'queued')
				.where('run_at', '<=', nowText)
				.where((w) => w.or([w('lease_until', 'is', null), w('lease_until', '<', nowText)]))
				.$if(options.key !== undefined, (qb) => qb.where('key', '=', options.key!))
				.orderBy('run_at')
				.limit(options.limit ?? 10)
				// Another server claiming at the same moment takes other jobs instead of waiting.
				.$call(skippingLockedRows(db))
		)
		.updateTable('jobs')
		.set((eb) => ({
			leased_by: runnerId,
			lease_until: new Date(now.getTime() + (options.leaseMs ?? LEASE_MS)).toISOString(),
			attempts: eb('attempts', '+', 1)
		}))
		.where('id', 'in', (eb) => eb.selectFrom('due').select('due.id'))
		.where('state', '=', 'queued')
		.where((w) => w.or([w('lease_until', 'is', null), w('lease_until', '<', nowText)]))
		.returning(['id', 'kind', 'key', 'payload_json', 'run_at', 'attempts'])
		.execute();
	return rows.map(toJobRow);
}

/** The delay before a failed job's next try: 30 s, 1 min, 2 min, … up to an hour. */
export function retryDelayMs(attempts: number): number {
	return Math.min(60 * 60 * 1000, 30_000 * 2 ** Math.max(0, attempts - 1));
}

/** The jobs this process is running now, each until its outcome is recorded (see `jobsSettled`). */
const runningJobs = new Set<Promise<unknown>>();

/**
 * Whether the jobs running in this process have finished, waiting at most `withinMs`: a stopping
 * server waits for them before it closes its database connections, so a job cut short hands its
 * lease back (or one that finishes records that it is done) rather than leaving its lease to run
 * out and another server to start it again minutes later.
 */
export async function jobsSettled(withinMs: number): Promise<boolean> {
	let timer: ReturnType<typeof setTimeout> | undefined;
	const outOfTime = new Promise<false>((resolve) => {
		timer = setTimeout(() => resolve(false), withinMs);
	});
	const settled = Promise.allSettled([...runningJobs]).then(() => true as const);
	try {
		return await Promise.race([settled, outOfTime]);
	} finally {
		clearTimeout(timer);
	}
}

/**
 * Runs one claimed job and records the outcome, only while this runner still holds the lease,
 * which it renews while the handler runs (`leaseMs` as the claim gave it).
 */
export async function runClaimedJob(
	db: DB,
	runnerId: string,
	job: JobRow,
	now = new Date(),
	leaseMs = LEASE_MS
): Promise<'done' | 'retry' | 'failed' | 'handed back'> {
	const running = runAndRecord(db, runnerId, job, now, leaseMs);
	runningJobs.add(running);
	try {
		return await running;
	} finally {
		runningJobs.delete(running);
	}
}

async function runAndRecord(
	db: DB,
	runnerId: string,
	job: JobRow,
	now: Date,
	leaseMs: number
): Promise<'done' | 'retry' | 'failed' | 'handed back'> {
	const handler = handlers.get(job.kind);
	const renewal = setInterval(() => {
		db.updateTable('jobs')
			.set({ lease_until: new Date(Date.now() + leaseMs).toISOString() })
			.where('id', '=', job.id)
			.where('leased_by', '=', runnerId)
			.execute()
			.catch((problem) => console.error(`[jobs] lease of job ${job.id} not renewed`, problem));
	}, leaseMs / 3);
	renewal.unref();
	try {
		if (!handler) throw new Error(`No handler for jobs of kind "${job.kind}"`);
		await handler(db, job, now);
	} catch (problem) {
		clearInterval(renewal);
		if (problem instanceof JobCutShort) {
			await handBack(db, runnerId, job.id);
			return 'handed back';
		}
		const message = problem instanceof Error ? problem.message : String(problem);
		const row = await db
			.selectFrom('jobs')
			.select('max_attempts')
			.where('id', '=', job.id)
			.executeTakeFirst();
		const giveUp = !row || job.attempts >= row.max_attempts;
		await db
			.updateTable('jobs')
			.set({
				state: giveUp ? 'failed' : 'queued',
				run_at: new Date(now.getTime() + retryDelayMs(job.attempts)).toISOString(),
				leased_by: null,
				lease_until: null,
				last_error: message.slice(0, 1000),
				finished_at: giveUp ? new Date().toISOString() : null
			})
			.where('id', '=', job.id)
			.where('leased_by', '=', runnerId)
			.execute();
		return giveUp ? 'failed' : 'retry';
	}
	clearInterval(renewal);
	await db
		.updateTable('jobs')
		.set({ state: 'done', lease_until: null, finished_at: new Date().toISOString() })
		.where('id', '=', job.id)
		.where('leased_by', '=', runnerId)
		.execute();
	return 'done';
}

/**
 * Runs the job of `key` here and now, if it is due and no runner holds it: work a request has just
 * asked for (an export) starts at once on the server that took the request, not at the next tick
 * of a runner. Another server that claimed it first runs it instead. Whether it ran here.
 */
export async function runJobNow(db: DB, key: string, now = new Date()): Promise<boolean> {
	const [job] = await claimDueJobs(db, PROCESS_RUNNER_ID, now, { key, limit: 1 });
	if (!job) return false;
	await runClaimedJob(db, PROCESS_RUNNER_ID, job, now);
	return true;
}

/**
 * Claims and runs every job due now, in order, one at a time: a job is claimed only when this
 * runner is about to run it, so no claimed job waits behind a long one while its lease runs out
 * (only the running job's lease is renewed). `now`: a fixed time (tests); without it each claim
 * reads the clock. `keepGoing`: asked before each claim (a stopped runner takes no more). Returns
 * how many ran. Used by the runner and tests.
 */
export async function runDueJobs(
	db: DB,
	runnerId: string,
	now?: Date,
	keepGoing: () => boolean = () => true
): Promise<number> {
	let ran = 0;
	while (keepGoing()) {
		const at = now ?? new Date();
		const [job] = await claimDueJobs(db, runnerId, at, { limit: 1 });
		if (!job) return ran;
		const outcome = await runClaimedJob(db, runnerId, job, at);
		ran++;
		// The server is stopping: it takes no more.
		if (outcome === 'handed back') return ran;
	}
	return ran;
}

/** A job this runner holds, released for any runner to take now, its claim not counted. */
async function handBack(db: DB, runnerId: string, jobId: number) {
	await db
		.updateTable('jobs')
		.set((eb) => ({ leased_by: null, lease_until: null, attempts: eb('attempts', '-', 1) }))
		.where('id', '=', jobId)
		.where('leased_by', '=', runnerId)
		.execute();
}

/** Finished jobs are kept a week (failed ones a month, for whoever looks into them), then deleted. */
export const KEEP_DONE_JOBS_MS = 7 * 24 * 60 * 60 * 1000;
export const KEEP_FAILED_JOBS_MS = 30 * 24 * 60 * 60 * 1000;

export async function pruneFinishedJobs(db: DB, now = new Date()): Promise<number> {
	const result = await db
		.deleteFrom('jobs')
		.where((w) =>
			w.or([
				w.and([
					w('state', '=', 'done'),
					w('finished_at', '<', new Date(now.getTime() - KEEP_DONE_JOBS_MS).toISOString())
				]),
				w.and([
					w('state', '=', 'failed'),
					w('finished_at', '<', new Date(now.getTime() - KEEP_FAILED_JOBS_MS).toISOString())
				])
			])
		)
		.executeTakeFirst();
	return Number(result.numDeletedRows);
}

const PRUNE_EVERY_MS = 60 * 60 * 1000;

/**
 * The runner an app server starts: about every `everyMs` (drawn between half and one and a half
 * times it, so several servers' runners fall out of step and share the work rather than one always
 * winning the race) it runs what is due, under the process's name. Returns a stop function.
 */
export function startJobRunner(db: () => DB, everyMs = 5_000): () => void {
	const runnerId = PROCESS_RUNNER_ID;
	let prunedAt = 0;
	let timer: ReturnType<typeof setTimeout> | undefined;
	let stopped = false;
	const tick = () => {
		// Deleting old rows is safe to do on every server at once, so it needs no job of its own.
		const prune =
			Date.now() - prunedAt > PRUNE_EVERY_MS
				? pruneFinishedJobs(db()).then(() => void (prunedAt = Date.now()))
				: Promise.resolve();
		prune
			.then(() => runDueJobs(db(), runnerId, undefined, () => !stopped))
			.catch((problem) => console.error('[jobs] run failed', problem))
			.finally(() => {
				if (stopped) return;
				timer = setTimeout(tick, everyMs * (0.5 + Math.random()));
				timer.unref();
			});
	};
	tick();
	return () => {
		stopped = true;
		clearTimeout(timer);
	};
}
