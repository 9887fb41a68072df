import { describe, expect, it } from 'vitest';
import { runDueJobs } from '../../src/lib/server/jobs/queue';
import { EXPORT_SWEEP_EVERY_MS, scheduleExportSweep } from '../../src/lib/server/reports/batch';
import { scheduleHandoutExpiry } from '../../src/lib/server/roster/handouts';
import '../../src/lib/server/jobs/handlers';
import { demoDatabase } from './helpers';

const T0 = new Date('2026-12-01T09:20:00.000Z');

describe('recurring and timed work on the jobs table', () => {
	it('the export sweep is one job per hour however many servers start, and each run enqueues the next', async () => {
		const { db } = await demoDatabase();
		await scheduleExportSweep(db, T0);
		await scheduleExportSweep(db, new Date(T0.getTime() + 1000)); // a second server starts
		const queued = () =>
			db
				.selectFrom('jobs')
				.select(['key', 'run_at', 'state'])
				.where('kind', '=', 'exports.sweep')
				.orderBy('id')
				.execute();
		expect(await queued()).toEqual([
			{ key: 'exports.sweep:2026-12-01T09:00:00.000Z', run_at: T0.toISOString(), state: 'queued' }
		]);
		await runDueJobs(db, 'test', T0);
		const next = new Date(T0.getTime() + EXPORT_SWEEP_EVERY_MS);
		expect(await queued()).toEqual([
			{ key: 'exports.sweep:2026-12-01T09:00:00.000Z', run_at: T0.toISOString(), state: 'done' },
			{ key: 'exports.sweep:2026-12-01T10:00:00.000Z', run_at: next.toISOString(), state: 'queued' }
		]);
		// A restart within the hour adds nothing; the chain goes on.
		await scheduleExportSweep(db, new Date(T0.getTime() + 60_000));
		expect(await queued()).toHaveLength(2);
		await db.destroy();
	});

	it('a roster handout is deleted at its expiry by a job, given once at start to lists without one', async () => {
		const { db, schoolId } = await demoDatabase();
		const admin = await db
			.selectFrom('users')
			.select('id')
			.where('username', '=', 'admin')
			.executeTakeFirstOrThrow();
		const expiresAt = new Date(Date.now() + 60 * 60 * 1000);
		await db
			.insertInto('roster_handouts')
			.values({
				id: 'handout-1',
				school_id: schoolId,
				admin_id: admin.id,
				people: 1,
				sealed: 'x',
				created_at: new Date().toISOString(),
				expires_at: expiresAt.toISOString()
			})
			.execute();
		await scheduleHandoutExpiry(db);
		await scheduleHandoutExpiry(db); // a second server, or a restart
		const jobs = await db
			.selectFrom('jobs')
			.select(['key', 'run_at'])
			.where('kind', '=', 'roster.handout_expiry')
			.execute();
		expect(jobs).toEqual([
			{
				key: 'roster.handout_expiry:handout-1',
				run_at: new Date(expiresAt.getTime() + 1000).toISOString()
			}
		]);
		await runDueJobs(db, 'test', new Date(expiresAt.getTime() - 1000));
		expect(await db.selectFrom('roster_handouts').select('id').execute()).toHaveLength(1);
		await runDueJobs(db, 'test', new Date(expiresAt.getTime() + 2000));
		expect(await db.selectFrom('roster_handouts').select('id').execute()).toEqual([]);
		await db.destroy();
	});
});
