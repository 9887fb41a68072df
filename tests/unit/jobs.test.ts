import { describe, expect, it } from 'vitest';
import {
	cancelJob,
	claimDueJobs,
	enqueueJob,
	JobCutShort,
	registerJobHandler,
	runClaimedJob,
	runDueJobs,
	jobsSettled,
	LEASE_MS,
	pruneFinishedJobs
} from '$lib/server/jobs/queue';
import { freshDatabase } from './helpers';

const T0 = new Date('2026-12-01T09:00:00.000Z');
const later = (ms: number) => new Date(T0.getTime() + ms);

describe('the jobs table', () => {
	it('a due job is taken by one runner only, and a job not yet due by none', async () => {
		const db = await freshDatabase();
		await enqueueJob(db, { kind: 'test.noop' }, T0);
		await enqueueJob(db, { kind: 'test.noop', runAt: later(60_000) }, T0);
		const first = await claimDueJobs(db, 'a', T0);
		const second = await claimDueJobs(db, 'b', T0);
		expect(first).toHaveLength(1);
		expect(second).toHaveLength(0);
		expect(await claimDueJobs(db, 'b', later(60_000))).toHaveLength(1);
	});

	it('a lease that runs out lets another runner take the job; the first can no longer finish it', async () => {
		const db = await freshDatabase();
		const ran: string[] = [];
		registerJobHandler('test.record', async (_db, job) => {
			ran.push(String(job.id));
		});
		await enqueueJob(db, { kind: 'test.record' }, T0);
		const [taken] = await claimDueJobs(db, 'dead-runner', T0);
		if (!taken) throw new Error('nothing taken');
		expect(await claimDueJobs(db, 'b', later(LEASE_MS - 1))).toHaveLength(0);
		const [retaken] = await claimDueJobs(db, 'b', later(LEASE_MS + 1));
		if (!retaken) throw new Error('nothing retaken');
		expect(retaken.id).toBe(taken.id);
		expect(retaken.attempts).toBe(2);
		await runClaimedJob(db, 'b', retaken, later(LEASE_MS + 1));
		const row = await db.selectFrom('jobs').selectAll().executeTakeFirstOrThrow();
		expect(row.state).toBe('done');
		expect(row.leased_by).toBe('b');
		expect(ran).toHaveLength(1);
	});

	it('a runner renews its lease while a long job runs, so no other runner takes it meanwhile', async () => {
		const db = await freshDatabase();
		let finish!: () => void;
		const finished = new Promise<void>((resolve) => (finish = resolve));
		registerJobHandler('test.long', () => finished);
		await enqueueJob(db, { kind: 'test.long' });
		const leaseMs = 600;
		const [job] = await claimDueJobs(db, 'a', new Date(), { leaseMs });
		const run = runClaimedJob(db, 'a', job!, new Date(), leaseMs);
		// Three leases' time on, the job is still held by its runner.
		await new Promise((resolve) => setTimeout(resolve, 3 * leaseMs));
		expect(await claimDueJobs(db, 'b', new Date(), { leaseMs })).toHaveLength(0);
		finish();
		expect(await run).toBe('done');
		const row = await db.selectFrom('jobs').selectAll().executeTakeFirstOrThrow();
		expect(row).toMatchObject({ state: 'done', leased_by: 'a', attempts: 1 });
	});

	it('a runner claims a job only as it runs it: one waiting behind a long job is free for another runner', async () => {
		const db = await freshDatabase();
		let finish!: () => void;
		const finished = new Promise<void>((resolve) => (finish = resolve));
		const ran: string[] = [];
		registerJobHandler('test.first-long', async () => {
			ran.push('long');
			await finished;
		});
		registerJobHandler('test.then-short', async (_db, job) => void ran.push(job.key!));
		await enqueueJob(db, { kind: 'test.first-long', key: 'long', runAt: T0 }, T0);
		await enqueueJob(db, { kind: 'test.then-short', key: 'short', runAt: later(1) }, T0);
		const first = runDueJobs(db, 'a', later(1000));
		await expect.poll(() => ran).toEqual(['long']);
		const short = await db
			.selectFrom('jobs')
			.select('leased_by')
			.where('key', '=', 'short')
			.executeTakeFirstOrThrow();
		expect(short.leased_by).toBeNull();
		expect(await runDueJobs(db, 'b', later(1000))).toBe(1);
		finish();
		expect(await first).toBe(1);
		expect(ran).toEqual(['long', 'short']);
		// A stopped runner takes no more.
		await enqueueJob(db, { kind: 'test.then-short', key: 'after' }, T0);
		expect(await runDueJobs(db, 'a', later(1000), () => false)).toBe(0);
	});

	it('a job cut short by its server stopping is handed back at once, that start not counted', async () => {
		const db = await freshDatabase();
		let stopping = true;
		const ran: string[] = [];
		registerJobHandler('test.cut-short', async (_db, job) => {
			if (stopping) throw new JobCutShort('The report was stopped: the server is shutting down.');
			ran.push(job.key!);
		});
		await enqueueJob(db, { kind: 'test.cut-short', key: 'cut', maxAttempts: 1 }, T0);
		expect(await runDueJobs(db, 'stopping-server', T0)).toBe(1);
		const row = await db.selectFrom('jobs').selectAll().executeTakeFirstOrThrow();
		expect(row).toMatchObject({ state: 'queued', leased_by: null, lease_until: null, attempts: 0 });
		// Another server takes it at once, not a lease later.
		stopping = false;
		expect(await runDueJobs(db, 'other-server', T0)).toBe(1);
		expect(ran).toEqual(['cut']);
		expect(await db.selectFrom('jobs').select('state').executeTakeFirstOrThrow()).toEqual({
			state: 'done'
		});
	});

	it('a stopping server can wait for its running jobs to record their outcome, for a bounded time', async () => {
		const db = await freshDatabase();
		let finish: () => void = () => {};
		registerJobHandler('test.slow', () => new Promise<void>((resolve) => (finish = resolve)));
		await enqueueJob(db, { kind: 'test.slow', key: 'slow' }, T0);
		expect(await jobsSettled(50)).toBe(true); // nothing running
		const running = runDueJobs(db, 'stopping-server', T0);
		for (
			let i = 0;
			i < 100 &&
			(await db.selectFrom('jobs').select('leased_by').executeTakeFirstOrThrow()).leased_by ===
				null;
			i++
		)
			await new Promise((resolve) => setTimeout(resolve, 10));
		// Still running: the wait gives up at its bound.
		expect(await jobsSettled(50)).toBe(false);
		const waiting = jobsSettled(5_000);
		finish();
		expect(await waiting).toBe(true);
		// Settled means recorded: the job's row says it is done before the database would be closed.
		expect(await db.selectFrom('jobs').select('state').executeTakeFirstOrThrow()).toEqual({
			state: 'done'
		});
		await running;
	});

	it('a failing job is retried later and fails for good after its last attempt', async () => {
		const db = await freshDatabase();
		registerJobHandler('test.fails', async () => {
			throw new Error('SMTP server said no');
		});
		await enqueueJob(db, { kind: 'test.fails', maxAttempts: 2 }, T0);
		expect(await runDueJobs(db, 'a', T0)).toBe(1);
		let row = await db.selectFrom('jobs').selectAll().executeTakeFirstOrThrow();
		expect(row).toMatchObject({ state: 'queued', attempts: 1, last_error: 'SMTP server said no' });
		expect(row.run_at > T0.toISOString()).toBe(true);
		expect(await runDueJobs(db, 'a', later(24 * 60 * 60 * 1000))).toBe(1);
		row = await db.selectFrom('jobs').selectAll().executeTakeFirstOrThrow();
		expect(row).toMatchObject({ state: 'failed', attempts: 2 });
	});

	it('a keyed job exists once; replace moves it while it waits; cancel removes it', async () => {
		const db = await freshDatabase();
		await enqueueJob(db, { kind: 'test.noop', key: 'task:1:due', runAt: later(1000) }, T0);
		await enqueueJob(db, { kind: 'test.noop', key: 'task:1:due', runAt: later(5000) }, T0);
		let rows = await db.selectFrom('jobs').selectAll().execute();
		expect(rows).toHaveLength(1);
		expect(rows[0]?.run_at).toBe(later(1000).toISOString());
		await enqueueJob(
			db,
			{ kind: 'test.noop', key: 'task:1:due', runAt: later(9000), replace: true },
			T0
		);
		rows = await db.selectFrom('jobs').selectAll().execute();
		expect(rows[0]?.run_at).toBe(later(9000).toISOString());
		await cancelJob(db, 'task:1:due');
		expect(await db.selectFrom('jobs').selectAll().execute()).toHaveLength(0);
	});

	it('a job of an unknown kind is recorded as failing, not lost', async () => {
		const db = await freshDatabase();
		await enqueueJob(db, { kind: 'test.nobody-handles-this', maxAttempts: 1 }, T0);
		await runDueJobs(db, 'a', T0);
		const row = await db.selectFrom('jobs').selectAll().executeTakeFirstOrThrow();
		expect(row.state).toBe('failed');
		expect(row.last_error).toMatch(/No handler/);
	});

	it('finished jobs are deleted after a week, failed ones after a month, waiting ones never', async () => {
		const db = await freshDatabase();
		registerJobHandler('test.ok', async () => {});
		registerJobHandler('test.bad', async () => {
			throw new Error('no');
		});
		await enqueueJob(db, { kind: 'test.ok' }, T0);
		await enqueueJob(db, { kind: 'test.bad', maxAttempts: 1 }, T0);
		await enqueueJob(db, { kind: 'test.ok', runAt: later(365 * 24 * 60 * 60 * 1000) }, T0);
		await runDueJobs(db, 'a', T0);
		const day = 24 * 60 * 60 * 1000;
		// finished_at is the real clock's: prune relative to it.
		const realNow = Date.now();
		expect(await pruneFinishedJobs(db, new Date(realNow + 6 * day))).toBe(0);
		expect(await pruneFinishedJobs(db, new Date(realNow + 8 * day))).toBe(1);
		expect(await pruneFinishedJobs(db, new Date(realNow + 31 * day))).toBe(1);
		const left = await db.selectFrom('jobs').select('state').execute();
		expect(left).toEqual([{ state: 'queued' }]);
	});
});
