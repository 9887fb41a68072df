import { lockForTransaction } from '../db/dialect';
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { DB } from '../db/connection';
import { actingUser, type SessionUser } from '../auth/sessions';
import { hasRole, requireClassAccess } from '../auth/guards';
import { recordAudit } from '../audit';
import { uploadsDirectory } from '../assessment/evidence';
import { nowIso } from '../clock';
import { chunks } from '../db/chunks';
import { learnerReportsZipFromWorker } from '../workers/report-pool';
import type { ZipLearner } from './reports-zip';
import { Refusal } from '../errors';
import { BATCH_EXPORTS_PER_HOUR, RUNNING_EXPORTS_PER_PERSON, takeAllowance } from '../limits';
import { enqueueJob, JobCutShort, registerJobHandler, runJobNow } from '../jobs/queue';
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema';

/**
 * An export is made by a job in the jobs table (`jobs/queue.ts`), so with several app servers any of
 * them may make it and all of them see how it goes: the job is started at once on the server that
 * took the request; its lease is renewed while it runs; a server that dies mid-export leaves a lease
 * that runs out, and a runner (of any server) makes the export again from the start.
 */
const EXPORT_JOB = 'exports.learner-reports';
const exportJobKey = (exportId: string) => `${EXPORT_JOB}:${exportId}`;
/** Starts of one export before it is given up (each a server that stopped while making it). */
const EXPORT_STARTS = 3;

/**
 * The exports among `ids` still being made or waiting to be: their job has not finished. An export
 * row left queued or running without one was cut off for good.
 */
async function exportsUnderWay(db: Kysely<Database>, ids: string[]): Promise<Set<string>> {
	if (ids.length === 0) return new Set();
	const rows = await db
		.selectFrom('jobs')
		.select('key')
		.where('key', 'in', ids.map(exportJobKey))
		.where('state', '=', 'queued')
		.execute();
	return new Set(rows.map((r) => r.key!.slice(EXPORT_JOB.length + 1)));
}

/** Days an export is kept before its zip and row are deleted: `EXPORT_RETENTION_DAYS`, default 7. */
export function exportRetentionDays(env: Record<string, string | undefined> = process.env): number {
	const raw = env.EXPORT_RETENTION_DAYS?.trim();
	if (!raw) return 7;
	const days = Number(raw);
	if (!Number.isFinite(days) || days <= 0) {
		console.warn(`EXPORT_RETENTION_DAYS=${raw} is not a positive number of days; using 7.`);
		return 7;
	}
	return days;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const expiresAt = (createdAt: string, days: number) =>
	new Date(Date.parse(createdAt) + days * DAY_MS).toISOString();

/**
 * Deletes the zips and rows of exports older than the retention period (an export holds every
 * learner's report, so it is not kept longer than it is needed). Runs at server start, on a timer
 * and whenever an export is requested. Returns how many were deleted.
 */
export async function sweepExpiredExports(
	db: DB,
	now: Date = new Date(),
	days: number = exportRetentionDays()
): Promise<number> {
	const cutoff = new Date(now.getTime() - days * DAY_MS).toISOString();
	const expired = await db
		.selectFrom('export_jobs')
		.select(['id', 'file_path'])
		.where('created_at', '<', cutoff)
		.execute();
	const underWay = await exportsUnderWay(
		db,
		expired.map((job) => job.id)
	);
	return deleteExports(
		db,
		expired.filter((job) => !underWay.has(job.id))
	);
}

/**
 * Deletes every export that holds this learner's report, zip and row (for erasure: an earlier
 * export must not keep a child who has been erased). Returns how many were deleted.
 */
export async function deleteExportsContaining(db: DB, learnerId: number): Promise<number> {
	const recorded = await db
		.selectFrom('export_jobs')
		.innerJoin('export_job_learners', 'export_job_learners.job_id', 'export_jobs.id')
		.select(['export_jobs.id', 'export_jobs.file_path'])
		.where('export_job_learners.learner_id', '=', learnerId)
		.execute();
	// Exports made before they recorded whom they hold: any of the learner's school, or of a class
	// they are or were in, may hold them.
	const [schools, classes] = await Promise.all([
		db.selectFrom('memberships').select('school_id').where('user_id', '=', learnerId).execute(),
		db.selectFrom('enrolments').select('class_id').where('learner_id', '=', learnerId).execute()
	]);
	const classIds = new Set(classes.map((c) => c.class_id));
	const unrecorded = schools.length
		? (
				await db
					.selectFrom('export_jobs')
					.select(['id', 'params_json', 'file_path'])
					.where(
						'school_id',
						'in',
						schools.map((m) => m.school_id)
					)
					.where((eb) =>
						eb.not(
							eb.exists(
								eb
									.selectFrom('export_job_learners')
									.select('job_id')
									.whereRef('export_job_learners.job_id', '=', 'export_jobs.id')
							)
						)
					)
					.execute()
			).filter((job) => {
				const scope = JSON.parse(job.params_json) as { classId?: number };
				return scope.classId === undefined || classIds.has(scope.classId);
			})
		: [];
	return deleteExports(db, [...recorded, ...unrecorded]);
}

async function deleteExports(db: DB, jobs: { id: string; file_path: string | null }[]) {
	// The zip first: a row without its file is harmless, a file without its row is forgotten.
	for (const job of jobs) if (job.file_path) await unlink(job.file_path).catch(() => {});
	for (const batch of chunks(jobs.map((j) => j.id)))
		await db.deleteFrom('export_jobs').where('id', 'in', batch).execute();
	return jobs.length;
}

const EXPORT_SWEEP_JOB = 'exports.sweep';
export const EXPORT_SWEEP_EVERY_MS = 60 * 60 * 1000;

/**
 * The hourly sweep is a recurring job: each run enqueues the next. Its key names the hour it runs
 * in, so however many app servers start (or one restarts) in that hour, the hour's sweep is one
 * row and runs once; a chain broken by the servers being down for a while resumes at the next
 * start.
 */
async function enqueueExportSweep(db: DB, runAt: Date, now: Date) {
	const hour = new Date(
		Math.floor(runAt.getTime() / EXPORT_SWEEP_EVERY_MS) * EXPORT_SWEEP_EVERY_MS
	);
	await enqueueJob(
		db,
		{ kind: EXPORT_SWEEP_JOB, key: `${EXPORT_SWEEP_JOB}:${hour.toISOString()}`, runAt },
		now
	);
}

registerJobHandler(EXPORT_SWEEP_JOB, async (db, _job, now) => {
	await sweepExpiredExports(db, now);
	await enqueueExportSweep(db, new Date(now.getTime() + EXPORT_SWEEP_EVERY_MS), now);
});

/** At server start: a sweep now (once per hour however many servers start), then hourly. */
export async function scheduleExportSweep(db: DB, now = new Date()): Promise<void> {
	await enqueueExportSweep(db, now, now);
}

/**
 * A class's (teacher) or the school's (admin) learner reports as one zip: recorded, then made at
 * once on this server (the request returns and the page shows progress), or by another server's
 * runner if one takes the job first. Returns the export's id.
 */
export async function startBatchExport(db: DB, user: SessionUser, scope: { classId?: number }) {
	const id = await recordBatchExport(db, user, scope);
	setImmediate(() => {
		runJobNow(db, exportJobKey(id)).catch((problem) =>
			console.error(`[export ${id}] could not be started here`, problem)
		);
	});
	return id;
}

/**
 * The export's row, the learners it holds and its job, in one transaction, within the person's
 * limits (one export at a time, a few an hour): what any server's runner then makes.
 */
export async function recordBatchExport(
	db: DB,
	user: SessionUser,
	scope: { classId?: number }
): Promise<string> {
	if (scope.classId !== undefined) await requireClassAccess(db, user, scope.classId, 'teach');
	else if (!hasRole(user, 'admin'))
		throw new Refusal('Only school admins can export the whole school.', 403);
	const learners = await db
		.selectFrom('memberships')
		.innerJoin('users', 'users.id', 'memberships.user_id')
		.select([
			'users.id',
			'users.given_name as givenName',
			'users.family_name as familyName',
			'users.username'
		])
		.where('memberships.school_id', '=', user.schoolId)
		.where('memberships.role', '=', 'student')
		.where('users.active', '=', 1)
		.$if(scope.classId !== undefined, (qb) =>
			qb.where('users.id', 'in', (eb) =>
				eb.selectFrom('enrolments').select('learner_id').where('class_id', '=', scope.classId!)
			)
		)
		.orderBy('users.family_name')
		.orderBy('users.given_name')
		.execute();
	if (learners.length === 0) throw new Refusal('There are no learners to export.');
	await sweepExpiredExports(db);
	const id = randomUUID();
	await db.transaction().execute(async (trx) => {
		// The row first: on SQLite it takes the write lock, so two requests at once are checked one
		// after the other (on PostgreSQL the person's lock does); a refusal below rolls it back.
		await lockForTransaction(trx, `batch-export:${user.id}`);
		await trx
			.insertInto('export_jobs')
			.values({
				id,
				school_id: user.schoolId,
				requested_by: user.id,
				kind: 'learner_reports_zip',
				params_json: JSON.stringify(scope),
				state: 'queued',
				total: learners.length,
				created_at: nowIso()
			})
			.execute();
		await refuseWhileAnotherRuns(trx, user, id);
		await takeAllowance(
			trx,
			user.id,
			'batch_export',
			BATCH_EXPORTS_PER_HOUR,
			(wait) =>
				`You have started ${BATCH_EXPORTS_PER_HOUR.max} exports in the last hour, the most one person can. Try again in ${wait}.`
		);
		for (const batch of chunks(learners))
			await trx
				.insertInto('export_job_learners')
				.values(batch.map((l) => ({ job_id: id, learner_id: l.id })))
				.execute();
		await recordAudit(trx, {
			schoolId: user.schoolId,
			actorId: user.id,
			action: 'export.batch_reports',
			entityType: 'export_job',
			entityId: id,
			after: { ...scope, learners: learners.length }
		});
		await enqueueJob(trx, {
			kind: EXPORT_JOB,
			key: exportJobKey(id),
			// The export's id only: who asked is read when it runs (export_jobs.requested_by).
			payload: { exportId: id },
			// A handler that throws has failed for good (the export records its own errors). A server
			// that stops mid-export hands the job back (JobCutShort); one killed leaves a lease that
			// runs out. Either way the next runner makes the export again.
			maxAttempts: 1
		});
	});
	return id;
}

/**
 * Refuses (409) while the person has another export queued or running: at most
 * `RUNNING_EXPORTS_PER_PERSON` at once. "Running" is judged as the export's page judges it, so a
 * job cut off by a server restart (still marked running) does not hold the person up.
 */
async function refuseWhileAnotherRuns(
	trx: Transaction<Database>,
	user: SessionUser,
	jobId: string
) {
	const others = await trx
		.selectFrom('export_jobs')
		.select(['id', 'progress', 'total'])
		.where('requested_by', '=', user.id)
		.where('state', 'in', ['queued', 'running'])
		.where('id', '!=', jobId)
		.execute();
	const underWay = await exportsUnderWay(
		trx,
		others.map((job) => job.id)
	);
	const running = others.filter((job) => underWay.has(job.id));
	if (running.length >= RUNNING_EXPORTS_PER_PERSON) {
		const [job] = running;
		throw new Refusal(
			`An export you asked for is already being prepared (${job!.progress} of ${job!.total} learners done). Wait for it to finish, then start another.`,
			409
		);
	}
}

/**
 * The export itself, in a report worker (`reports/reports-zip.ts` there: every learner's report read,
 * drawn and zipped to the file); this thread only records progress and the outcome.
 */
async function runBatch(db: DB, user: SessionUser, jobId: string, learners: ZipLearner[]) {
	const dir = join(uploadsDirectory(), 'exports');
	mkdirSync(dir, { recursive: true });
	const path = join(dir, `${jobId}.zip`);
	// Progress is written one update at a time, the latest count each time (the worker may run
	// ahead of the writes).
	let reported = 0;
	let written = 0;
	let writing: Promise<void> = Promise.resolve();
	const recordProgress = (done: number) => {
		reported = done;
		writing = writing.then(async () => {
			if (written >= reported) return;
			written = reported;
			await db
				.updateTable('export_jobs')
				.set({ progress: written })
				.where('id', '=', jobId)
				.execute();
		});
	};
	try {
		await db
			.updateTable('export_jobs')
			.set({ state: 'running', progress: 0 })
			.where('id', '=', jobId)
			.execute();
		await learnerReportsZipFromWorker(db, user, learners, path, recordProgress);
		await writing;
		const { numUpdatedRows } = await db
			.updateTable('export_jobs')
			.set({ state: 'done', progress: learners.length, file_path: path, finished_at: nowIso() })
			.where('id', '=', jobId)
			.executeTakeFirst();
		// Deleted while it ran (a learner in it was erased): the zip must not outlive its row.
		if (numUpdatedRows === 0n) await unlink(path).catch(() => {});
	} catch (problem) {
		await writing.catch(() => {});
		await unlink(path).catch(() => {});
		// The server is stopping: the job goes back to the queue, and the export is made again.
		if (problem instanceof JobCutShort) throw problem;
		console.error(`[export ${jobId}]`, problem);
		await recordExportFailed(
			db,
			jobId,
			'The export stopped with an error. Try again; if it happens again, tell the school admin.'
		);
	}
}

/** A failed export as its page shows it: why, and what to do. */
async function recordExportFailed(db: DB, exportId: string, error: string) {
	await db
		.updateTable('export_jobs')
		.set({ state: 'failed', error, finished_at: nowIso() })
		.where('id', '=', exportId)
		.execute();
}

registerJobHandler(EXPORT_JOB, async (db, job) => {
	const { exportId } = job.payload as { exportId: string };
	const row = await db
		.selectFrom('export_jobs')
		.select(['state', 'requested_by as requestedBy', 'school_id as schoolId'])
		.where('id', '=', exportId)
		.executeTakeFirst();
	// Deleted meanwhile (a learner in it erased), or finished by a run whose end was not recorded.
	if (!row || row.state === 'done' || row.state === 'failed') return;
	// Each learner's report is read as its requester may read it now, not when they asked.
	const user = row.requestedBy === null ? null : await actingUser(db, row.requestedBy);
	if (!user || user.schoolId !== row.schoolId) {
		await recordExportFailed(
			db,
			exportId,
			'The person who asked for this export can no longer make it (their account or role has changed).'
		);
		return;
	}
	if (job.attempts > EXPORT_STARTS) {
		await recordExportFailed(
			db,
			exportId,
			`The export was started ${EXPORT_STARTS} times and its server stopped each time. Try again later; if it happens again, tell the school admin.`
		);
		return;
	}
	const learners = await db
		.selectFrom('export_job_learners')
		.innerJoin('users', 'users.id', 'export_job_learners.learner_id')
		.select([
			'users.id',
			'users.given_name as givenName',
			'users.family_name as familyName',
			'users.username'
		])
		.where('export_job_learners.job_id', '=', exportId)
		.orderBy('users.family_name')
		.orderBy('users.given_name')
		.execute();
	await runBatch(db, user, exportId, learners);
});

/**
 * A job, for the person who asked for it or a school admin; anyone else is told it does not exist.
 */
export async function exportJob(db: DB, user: SessionUser, jobId: string) {
	// Its job first: a job ends only after the export's row is finished, so an export that finishes
	// between the two reads is seen done, never as a live row whose job has ended (stopped).
	const underWay = (await exportsUnderWay(db, [jobId])).has(jobId);
	const job = await db
		.selectFrom('export_jobs')
		.selectAll()
		.where('id', '=', jobId)
		.where('school_id', '=', user.schoolId)
		.executeTakeFirst();
	if (!job || (job.requested_by !== user.id && !hasRole(user, 'admin')))
		throw new Refusal('That export does not exist.', 404);
	const interrupted = (job.state === 'running' || job.state === 'queued') && !underWay;
	return {
		id: job.id,
		state: interrupted ? ('failed' as const) : job.state,
		progress: job.progress,
		total: job.total,
		error: interrupted ? 'The export stopped before it finished. Start it again.' : job.error,
		filePath: job.state === 'done' ? job.file_path : null,
		createdAt: job.created_at,
		expiresAt: expiresAt(job.created_at, exportRetentionDays()),
		scope: JSON.parse(job.params_json) as { classId?: number }
	};
}

/**
 * The finished zip, for the person who asked for it or a school admin, and only while they may
 * still see every learner in it: a teacher who has since left the class, or a learner who has left
 * or been erased, makes the export refuse (start a new one). An export past its retention period
 * is gone even if the sweep has not run yet.
 */
export async function exportToDownload(db: DB, user: SessionUser, jobId: string, now = new Date()) {
	const job = await exportJob(db, user, jobId);
	if (job.expiresAt <= now.toISOString())
		throw new Refusal(
			`This export has expired: exports are kept for ${exportRetentionDays()} days. Start a new one.`,
			410
		);
	const filePath = job.state === 'done' ? job.filePath : null;
	if (!filePath) throw new Refusal('This export is not finished yet.', 409);
	const held = await db
		.selectFrom('export_job_learners')
		.select('learner_id')
		.where('job_id', '=', job.id)
		.execute();
	const learnerIds = held.map((h) => h.learner_id);
	if (learnerIds.length === 0)
		throw new Refusal(
			'This export was made before exports recorded whom they hold, so it cannot be checked. Start a new one.',
			410
		);
	let stillHere = 0;
	let stillYours = 0;
	const admin = hasRole(user, 'admin');
	for (const batch of chunks(learnerIds)) {
		const rows = await db
			.selectFrom('users')
			.innerJoin('memberships', 'memberships.user_id', 'users.id')
			.select((eb) => [
				'users.id',
				eb
					.exists(
						eb
							.selectFrom('enrolments')
							.innerJoin('class_teachers', 'class_teachers.class_id', 'enrolments.class_id')
							.select('enrolments.class_id')
							.whereRef('enrolments.learner_id', '=', 'users.id')
							.where('class_teachers.teacher_id', '=', user.id)
							.$if(job.scope.classId !== undefined, (qb) =>
								qb.where('enrolments.class_id', '=', job.scope.classId!)
							)
					)
					.as('taught')
			])
			.where('users.id', 'in', batch)
			.where('users.active', '=', 1)
			.where('memberships.school_id', '=', user.schoolId)
			.where('memberships.role', '=', 'student')
			.execute();
		stillHere += rows.length;
		stillYours += rows.filter((r) => admin || (hasRole(user, 'teacher') && r.taught)).length;
	}
	if (stillHere < learnerIds.length)
		throw new Refusal(
			'A learner in this export has since left the school or been erased, so it can no longer be downloaded. Start a new one.',
			410
		);
	if (stillYours < learnerIds.length)
		throw new Refusal(
			'You no longer teach every learner in this export (a class or learner has moved since), so it can no longer be downloaded. Ask a school admin, or start a new one.',
			403
		);
	return { ...job, filePath };
}
