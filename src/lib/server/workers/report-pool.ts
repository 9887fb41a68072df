import { databaseLocationOf, type DB } from '../db/connection';
import type { SessionUser } from '../auth/sessions';
import type { FrameworkViewSlug } from '../../domain/mapped-frameworks';
import type { SchoolCsvKind } from '../reports/school-csv';
import type { SchoolReportFilter } from '../reports/school-report';
import type { LearnerReport } from '../reports/learner-report';
import type { ZipLearner } from '../reports/reports-zip';
import type { CityReportData } from '../city/report';
import { Refusal } from '../errors';
import { JobCutShort } from '../jobs/queue';
import { reportWorkerCount, WorkerPool, WorkerTaskError, workerScript } from './pool';
import {
	REPORT_WORKER_DATA,
	REPORT_WORKER_MODULE,
	type CityReportTask,
	type LearnerPdfTask,
	type ReportsZipTask,
	type SchoolCsvTask
} from './report-worker';

/**
 * The reports that run in the report workers, not on the request thread: the school CSV (read
 * and formatted there, from the worker's own connection), the learner PDF (drawn there from the
 * report the request read), the batch zip export (read, drawn and zipped there) and the city's
 * cross-school report (read and built there, for its page and its CSV). There is no
 * way back to the request thread: a worker that cannot start or dies fails the report with a 503
 * saying to try again.
 */

let pool: WorkerPool | undefined;

/** The server's report workers, started on first use: `REPORT_WORKERS` of them at most. */
export function reportWorkers(): WorkerPool {
	pool ??= new WorkerPool({
		size: reportWorkerCount(),
		spawn: () => workerScript(REPORT_WORKER_MODULE, REPORT_WORKER_DATA),
		label: 'The report'
	});
	return pool;
}

/**
 * At server stop: the workers end (their connections closed) and their tasks fail; a zip export's
 * job is handed back (JobCutShort). A report asked for later starts new workers (tests do; a
 * stopping server's job runner takes no more jobs).
 */
export async function closeReportWorkers(): Promise<void> {
	const closing = pool;
	pool = undefined;
	await closing?.close();
}

/** Where the worker finds the database: the same file or server as the request's connection. */
function locationFor(db: DB): string {
	const location = databaseLocationOf(db);
	if (location === ':memory:')
		throw new Error('A report worker cannot read an in-memory database: use a file.');
	return location;
}

/**
 * A worker's failure as the request should see it: a stopped worker or a refusal in the task as a
 * Refusal (a page saying what happened); anything else is a fault, thrown as it is.
 */
function asRefusal(problem: unknown): never {
	if (problem instanceof WorkerTaskError && problem.workerLost)
		throw new Refusal(`${problem.message} Try again in a moment.`, 503, undefined, {
			cause: problem
		});
	if (problem instanceof WorkerTaskError && problem.status)
		throw new Refusal(problem.message, problem.status as Refusal['status'], undefined, {
			cause: problem
		});
	throw problem;
}

/**
 * The school CSV as a stream made in a worker: resolves once its first chunk (the header and
 * first page) is made, so a failure at the start is a clear error page, not a broken download.
 */
export async function schoolCsvFromWorker(
	db: DB,
	schoolId: number,
	filter: SchoolReportFilter,
	framework: FrameworkViewSlug,
	kind: SchoolCsvKind,
	options: { bom?: boolean; pageSize?: number } = {}
): Promise<ReadableStream<Uint8Array>> {
	const task: SchoolCsvTask = {
		database: locationFor(db),
		schoolId,
		filter,
		framework,
		kind,
		bom: options.bom ?? false,
		...(options.pageSize ? { pageSize: options.pageSize } : {})
	};
	return reportWorkers().stream('school-csv', task).catch(asRefusal);
}

/** The city's cross-school report, read and built in a worker from the worker's own connection. */
export async function cityReportFromWorker(db: DB, cityId: number): Promise<CityReportData> {
	const task: CityReportTask = { database: locationFor(db), cityId };
	return reportWorkers().run<CityReportData>('city-report', task).catch(asRefusal);
}

/** A learner's report drawn as a PDF in a worker. */
export async function learnerPdfFromWorker(
	report: LearnerReport,
	schoolName: string
): Promise<Buffer> {
	const task: LearnerPdfTask = { report, schoolName };
	const bytes = await reportWorkers().run<Uint8Array>('learner-pdf', task).catch(asRefusal);
	return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Every learner's report, read, drawn and zipped to `path` in a worker. */
export async function learnerReportsZipFromWorker(
	db: DB,
	user: SessionUser,
	learners: ZipLearner[],
	path: string,
	onProgress: (done: number) => void
): Promise<void> {
	const task: ReportsZipTask = { database: locationFor(db), user, learners, path };
	await reportWorkers()
		.run('reports-zip', task, { onProgress: (done) => onProgress(done as number) })
		.catch((problem) => {
			// A zip is a job: cut short by the server's stop, it is handed to the next runner.
			if (problem instanceof WorkerTaskError && problem.serverStopping)
				throw new JobCutShort(problem.message);
			asRefusal(problem);
		});
}
