import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { isMainThread, workerData } from 'node:worker_threads';
import { openDatabase, type DB } from '../db/connection';
import type { SessionUser } from '../auth/sessions';
import type { FrameworkViewSlug } from '../../domain/mapped-frameworks';
import { schoolCsvStream, type SchoolCsvKind } from '../reports/school-csv';
import type { SchoolReportFilter } from '../reports/school-report';
import type { LearnerReport } from '../reports/learner-report';
import { renderLearnerReportPdf } from '../reports/pdf';
import { writeLearnerReportsZip, type ZipLearner } from '../reports/reports-zip';
import { cityReport } from '../city/report';
import { serveTasks } from './pool';
import { pagesBehindSaves } from './pacing';
import { pendingWritesBuffer, pendingWritesIn } from '../db/pending-writes';

/**
 * The report worker: this module is its own worker's entry. The pool starts a worker on this
 * module's own file (`import.meta.url`): in the production build that is the chunk this module
 * was bundled into (adapter-node keeps every server chunk a file of its own), in vitest and
 * `vite dev` the TypeScript source. The guard below makes it serve tasks only there; imported on
 * the main thread it only says where it is.
 */
export const REPORT_WORKER_MODULE = import.meta.url;
const ROLE = 'fusion-skills-report-worker';
/** What a report worker is started with: its role, and the server's count of waiting saves. */
export const REPORT_WORKER_DATA = { role: ROLE, pendingWrites: pendingWritesBuffer };

export interface SchoolCsvTask {
	/** the database's location (`databaseLocationOf`): the worker opens its own connection */
	database: string;
	schoolId: number;
	filter: SchoolReportFilter;
	framework: FrameworkViewSlug;
	kind: SchoolCsvKind;
	bom: boolean;
	pageSize?: number;
}

export interface LearnerPdfTask {
	report: LearnerReport;
	schoolName: string;
}

export interface ReportsZipTask {
	database: string;
	/** who asked: each learner's report is read as this person may see it */
	user: SessionUser;
	learners: ZipLearner[];
	path: string;
}

export interface CityReportTask {
	database: string;
	cityId: number;
}

/** A database unused this long is closed (tests open many; a server uses one). */
const CLOSE_IDLE_DATABASE_MS = 30_000;
const databases = new Map<
	string,
	{ db: DB; users: number; idle?: ReturnType<typeof setTimeout> }
>();

/**
 * A report runs one query at a time: on PostgreSQL it then keeps at most one of the database's
 * processes busy, so a report cannot take both cores of a small server from the saves (the school
 * CSV reads its learners and their classes at once: two processes, each a core, before this).
 */
const REPORT_CONNECTIONS = 1;

/** The worker's own connection to a database, held until `release`. */
function acquire(location: string): DB {
	let open = databases.get(location);
	if (!open)
		databases.set(
			location,
			(open = { db: openDatabase(location, { connections: REPORT_CONNECTIONS }), users: 0 })
		);
	clearTimeout(open.idle);
	open.users++;
	return open.db;
}

function release(location: string) {
	const open = databases.get(location);
	if (!open || --open.users > 0) return;
	open.idle = setTimeout(() => {
		databases.delete(location);
		void open.db.destroy();
	}, CLOSE_IDLE_DATABASE_MS);
	open.idle.unref();
}

async function holding<T>(location: string, work: (db: DB) => Promise<T>): Promise<T> {
	try {
		return await work(acquire(location));
	} finally {
		release(location);
	}
}

/** The lowest scheduling priority (nice 19): whatever else wants the cores goes first. */
const BACKGROUND_NICE = 19;

/**
 * Reports give the cores to requests: on Linux a worker thread is a task of its own with its own
 * nice value, so this thread runs at the lowest priority and, when both cores are busy, the main
 * thread's saves and pages run first and a report takes the time left over (measured in
 * docs/PERFORMANCE.md: saves during a report). Elsewhere (no /proc/thread-self) the worker keeps
 * the process's priority.
 */
function yieldCoresToRequests() {
	try {
		const threadId = Number(readlinkSync('/proc/thread-self').split('/').pop());
		if (threadId > 0) setPriority(threadId, BACKGROUND_NICE);
	} catch {
		/* not Linux, or not allowed: the same priority as the server */
	}
}

function startReportWorker() {
	yieldCoresToRequests();
	const shared = (workerData as { pendingWrites?: unknown }).pendingWrites;
	// Without the server's count the worker would never step back for saves, silently.
	if (!(shared instanceof SharedArrayBuffer))
		throw new Error(
			"A report worker needs the server's count of waiting saves (REPORT_WORKER_DATA)."
		);
	const savesWaiting = pendingWritesIn(shared);
	serveTasks({
		run: {
			'learner-pdf': async (task: LearnerPdfTask) => {
				const pdf = await renderLearnerReportPdf(task.report, task.schoolName);
				return new Uint8Array(pdf.buffer, pdf.byteOffset, pdf.byteLength);
			},
			// On SQLite its grouped read of every learner's aggregates (~280 ms at 50,000 learners)
			// would hold the server's one connection, and every save, for that long.
			'city-report': (task: CityReportTask) =>
				holding(task.database, (db) => cityReport(db, task.cityId)),
			'reports-zip': (task: ReportsZipTask, context) =>
				holding(task.database, (db) =>
					writeLearnerReportsZip(
						db,
						task.user,
						task.learners,
						task.path,
						(done) => context.progress(done),
						pagesBehindSaves(savesWaiting)
					)
				)
		},
		stream: {
			// Read and formatted here, a page at a time: the main thread only passes the bytes on.
			'school-csv': (task: SchoolCsvTask) => {
				const reader = schoolCsvStream(
					acquire(task.database),
					task.schoolId,
					task.filter,
					task.framework,
					task.kind,
					{ bom: task.bom, pageSize: task.pageSize, beforePage: pagesBehindSaves(savesWaiting) }
				).getReader();
				let released = false;
				const done = () => {
					if (!released) release(task.database);
					released = true;
				};
				return {
					async next() {
						try {
							const next = await reader.read();
							if (next.done) done();
							return next.done ? { done: true, value: undefined } : next;
						} catch (problem) {
							done();
							throw problem;
						}
					},
					async return() {
						done();
						await reader.cancel();
						return { done: true, value: undefined };
					}
				};
			}
		},
		close: async () => {
			await Promise.all([...databases.values()].map((open) => open.db.destroy()));
			databases.clear();
		}
	});
}

if (!isMainThread && (workerData as { role?: unknown } | null)?.role === ROLE) startReportWorker();
