import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DB } from '../../src/lib/server/db/connection';
import type { SessionUser } from '../../src/lib/server/auth/sessions';
import {
	deleteExportsContaining,
	exportJob,
	exportRetentionDays,
	exportToDownload,
	recordBatchExport,
	startBatchExport,
	sweepExpiredExports
} from '../../src/lib/server/reports/batch';
import { removeTeacher, unenrolLearner } from '../../src/lib/server/classes/classes';
import { eraseLearner } from '../../src/lib/server/privacy/privacy';
import { Refusal } from '../../src/lib/server/errors';
import { claimDueJobs, LEASE_MS, runDueJobs } from '../../src/lib/server/jobs/queue';
import { closeReportWorkers } from '../../src/lib/server/workers/report-pool';
import { demoDatabase, sessionUser, userId } from './helpers';

const DAY = 24 * 60 * 60 * 1000;
let db: DB;
let schoolId: number;
let teacher: SessionUser;
let admin: SessionUser;

beforeEach(async () => {
	process.env.UPLOADS_DIR = mkdtempSync(join(tmpdir(), 'fusion-exports-'));
	({ db, schoolId } = await demoDatabase());
	teacher = await sessionUser(db, 'teacher');
	admin = await sessionUser(db, 'admin');
});
afterEach(async () => {
	await db.destroy();
	delete process.env.UPLOADS_DIR;
	delete process.env.EXPORT_RETENTION_DAYS;
});

/** The teacher's class 1 exported, waited for until its zip is written. */
async function finishedExport(): Promise<{ id: string; path: string }> {
	const id = await startBatchExport(db, teacher, { classId: 1 });
	for (let i = 0; i < 400; i++) {
		const job = await exportJob(db, teacher, id);
		if (job.state === 'done') return { id, path: job.filePath! };
		if (job.state === 'failed') throw new Error(job.error ?? 'failed');
		await new Promise((resolve) => setTimeout(resolve, 25));
	}
	throw new Error('export did not finish');
}

async function refusal(promise: Promise<unknown>): Promise<{ status: number; message: string }> {
	try {
		await promise;
	} catch (problem) {
		if (problem instanceof Refusal) return { status: problem.status, message: problem.message };
		throw problem;
	}
	throw new Error('expected a refusal');
}

const jobRow = (id: string) =>
	db.selectFrom('export_jobs').select('id').where('id', '=', id).executeTakeFirst();

describe('exports are kept for a retention period', () => {
	it('reads EXPORT_RETENTION_DAYS, 7 by default', () => {
		expect(exportRetentionDays({})).toBe(7);
		expect(exportRetentionDays({ EXPORT_RETENTION_DAYS: '30' })).toBe(30);
		expect(exportRetentionDays({ EXPORT_RETENTION_DAYS: '0' })).toBe(7);
		expect(exportRetentionDays({ EXPORT_RETENTION_DAYS: 'a week' })).toBe(7);
	});

	it('the sweep deletes the zip and row of an export past the period, and keeps a newer one', async () => {
		const { id, path } = await finishedExport();
		expect(existsSync(path)).toBe(true);
		expect(await sweepExpiredExports(db, new Date(Date.now() + 6 * DAY))).toBe(0);
		expect(existsSync(path)).toBe(true);
		expect(await sweepExpiredExports(db, new Date(Date.now() + 8 * DAY))).toBe(1);
		expect(existsSync(path)).toBe(false);
		expect(await jobRow(id)).toBeUndefined();
		expect(
			await db.selectFrom('export_job_learners').select('job_id').where('job_id', '=', id).execute()
		).toEqual([]);
	});

	it('a configured period is honoured, and a download after it is refused even before the sweep', async () => {
		process.env.EXPORT_RETENTION_DAYS = '1';
		const { id, path } = await finishedExport();
		expect(await exportToDownload(db, teacher, id)).toMatchObject({ filePath: path });
		expect(
			await refusal(exportToDownload(db, teacher, id, new Date(Date.now() + 2 * DAY)))
		).toEqual({
			status: 410,
			message: expect.stringMatching(/expired.*1 days/)
		});
		expect(await sweepExpiredExports(db, new Date(Date.now() + 2 * DAY))).toBe(1);
		expect(existsSync(path)).toBe(false);
	});
});

describe('access to an export is checked again at download', () => {
	it('a teacher removed from the class since can no longer download it; the admin still can', async () => {
		const { id } = await finishedExport();
		expect((await exportToDownload(db, teacher, id)).id).toBe(id);
		await removeTeacher(db, schoolId, admin.id, 1, teacher.id);
		expect((await refusal(exportToDownload(db, teacher, id))).status).toBe(403);
		expect((await exportToDownload(db, admin, id)).id).toBe(id);
	});

	it('a learner who has left the class since makes the teacher’s export refuse', async () => {
		const { id } = await finishedExport();
		const learner = (
			await db
				.selectFrom('export_job_learners')
				.select('learner_id')
				.where('job_id', '=', id)
				.executeTakeFirstOrThrow()
		).learner_id;
		await unenrolLearner(db, schoolId, admin.id, 1, learner);
		expect((await refusal(exportToDownload(db, teacher, id))).status).toBe(403);
	});

	it('erasing a learner deletes the exports that hold them, file and row', async () => {
		const { id, path } = await finishedExport();
		const learner = await userId(db, 'student1');
		await eraseLearner(db, admin, learner, 'student1');
		expect((await refusal(exportToDownload(db, admin, id))).status).toBe(404);
		expect(existsSync(path)).toBe(false);
		expect(await jobRow(id)).toBeUndefined();
	});

	it('a learner who has left the school makes the export refuse (410); deleteExportsContaining removes it', async () => {
		const { id, path } = await finishedExport();
		const learner = await userId(db, 'student1');
		await db.updateTable('users').set({ active: 0 }).where('id', '=', learner).execute();
		expect(await refusal(exportToDownload(db, admin, id))).toEqual({
			status: 410,
			message: expect.stringMatching(/left the school or been erased/)
		});
		expect(await deleteExportsContaining(db, learner)).toBe(1);
		expect(existsSync(path)).toBe(false);
		expect(await jobRow(id)).toBeUndefined();
	});

	it('an export without a record of whom it holds is refused', async () => {
		const { id } = await finishedExport();
		await db.deleteFrom('export_job_learners').where('job_id', '=', id).execute();
		expect((await refusal(exportToDownload(db, teacher, id))).status).toBe(410);
	});
});

describe('an export is a job that any app server may make', () => {
	it('made by another server: seen here as under way, holding the person’s next export back, and made again from the start if that server stops', async () => {
		// Server B took the request and its runner the job, so this process knows nothing of it.
		const id = await recordBatchExport(db, teacher, { classId: 1 });
		const [taken] = await claimDueJobs(db, 'server-b', new Date());
		expect(taken?.key).toBe(`exports.learner-reports:${id}`);
		await db
			.updateTable('export_jobs')
			.set({ state: 'running', progress: 3 })
			.where('id', '=', id)
			.execute();
		expect(await exportJob(db, teacher, id)).toMatchObject({ state: 'running', progress: 3 });
		expect(await refusal(startBatchExport(db, teacher, { classId: 1 }))).toEqual({
			status: 409,
			message: expect.stringMatching(/already being prepared \(3 of \d+ learners done\)/)
		});
		// Nor is it swept while under way, however old.
		expect(await sweepExpiredExports(db, new Date(Date.now() + 8 * DAY))).toBe(0);

		// Server B stops mid-export: once its lease runs out, a runner here makes it from the start.
		const afterLease = new Date(Date.now() + LEASE_MS + 1000);
		expect(await runDueJobs(db, 'server-a', new Date(Date.now() + LEASE_MS / 2))).toBe(0);
		expect(await runDueJobs(db, 'server-a', afterLease)).toBeGreaterThanOrEqual(1);
		const job = await exportJob(db, teacher, id);
		expect(job.state).toBe('done');
		expect(job.progress).toBe(job.total);
		expect(existsSync(job.filePath!)).toBe(true);
	}, 60_000);

	it('an export cut short by its server stopping (its report workers closed) is made by the next runner', async () => {
		const id = await startBatchExport(db, teacher, { classId: 1 });
		await expect
			.poll(async () => (await exportJob(db, teacher, id)).progress, {
				timeout: 30_000,
				interval: 5
			})
			.toBeGreaterThan(0);
		await closeReportWorkers();
		const handedBack = () =>
			db
				.selectFrom('jobs')
				.select(['leased_by', 'attempts'])
				.where('key', '=', `exports.learner-reports:${id}`)
				.executeTakeFirstOrThrow();
		await expect.poll(handedBack, { timeout: 10_000 }).toEqual({ leased_by: null, attempts: 0 });
		expect((await exportJob(db, teacher, id)).state).toBe('running');
		expect(await runDueJobs(db, 'next-server', new Date())).toBe(1);
		const job = await exportJob(db, teacher, id);
		expect(job).toMatchObject({ state: 'done', progress: job.total });
		expect(existsSync(job.filePath!)).toBe(true);
	}, 60_000);

	it('an export whose job ended without making it says so and no longer holds the person back', async () => {
		const id = await recordBatchExport(db, teacher, { classId: 1 });
		await db
			.updateTable('jobs')
			.set({ state: 'failed' })
			.where('key', 'like', 'exports.%')
			.execute();
		expect(await exportJob(db, teacher, id)).toMatchObject({
			state: 'failed',
			error: 'The export stopped before it finished. Start it again.'
		});
		const next = await startBatchExport(db, teacher, { classId: 1 });
		expect(next).not.toBe(id);
		await expect
			.poll(async () => (await exportJob(db, teacher, next)).state, { timeout: 30_000 })
			.toBe('done');
	});

	it('is made as its requester may make it when it runs: one deactivated meanwhile fails it, saying why', async () => {
		const id = await recordBatchExport(db, teacher, { classId: 1 });
		await db.updateTable('users').set({ active: 0 }).where('id', '=', teacher.id).execute();
		expect(await runDueJobs(db, 'server-b', new Date())).toBe(1);
		expect(await exportJob(db, admin, id)).toMatchObject({
			state: 'failed',
			error: expect.stringMatching(/^The person who asked for this export can no longer make it/)
		});
		// The job holds the export's id only, not who asked.
		const job = await db
			.selectFrom('jobs')
			.select('payload_json')
			.where('key', '=', `exports.learner-reports:${id}`)
			.executeTakeFirstOrThrow();
		expect(JSON.parse(job.payload_json)).toEqual({ exportId: id });
	});

	it('an export whose server stopped three times is given up, saying why', async () => {
		const id = await recordBatchExport(db, teacher, { classId: 1 });
		let at = Date.now();
		for (let start = 1; start <= 3; start++) {
			at += LEASE_MS + 1000;
			expect(await claimDueJobs(db, `server-${start}`, new Date(at))).toHaveLength(1);
		}
		expect(await runDueJobs(db, 'server-4', new Date(at + LEASE_MS + 1000))).toBe(1);
		expect(await exportJob(db, teacher, id)).toMatchObject({
			state: 'failed',
			error: expect.stringMatching(
				/^The export was started 3 times and its server stopped each time/
			)
		});
	});
});
