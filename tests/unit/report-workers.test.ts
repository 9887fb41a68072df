import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { threadId } from 'node:worker_threads';
import type { RequestEvent } from '@sveltejs/kit';
import { closeDb, type DB } from '../../src/lib/server/db/connection';
import { seedDemoActivity } from '../../src/lib/server/db/demo-activity';
import {
	reportWorkerCount,
	WorkerPool,
	WorkerTaskError,
	workerScript
} from '../../src/lib/server/workers/pool';
import {
	closeReportWorkers,
	learnerPdfFromWorker,
	reportWorkers,
	schoolCsvFromWorker
} from '../../src/lib/server/workers/report-pool';
import { schoolCsvStream, type SchoolCsvKind } from '../../src/lib/server/reports/school-csv';
import { learnerReport } from '../../src/lib/server/reports/learner-report';
import { renderLearnerReportPdf } from '../../src/lib/server/reports/pdf';
import { Refusal } from '../../src/lib/server/errors';
import { FRAMEWORK_VIEWS } from '../../src/lib/domain/mapped-frameworks';
import { GET as schoolCsvRoute } from '../../src/routes/admin/reports/fusion-skills.csv/+server';
import { demoDatabase, serveAppFrom, sessionUser } from './helpers';
import { textBoxes } from './pdf-text';

const FIXTURE = pathToFileURL(
	join(dirname(fileURLToPath(import.meta.url)), 'pool-worker-fixture.ts')
);

function fixturePool(options: { size?: number; timeoutMs?: number } = {}) {
	return new WorkerPool({
		size: options.size ?? 1,
		spawn: () => workerScript(FIXTURE, null),
		timeoutMs: options.timeoutMs,
		label: 'The test task'
	});
}

type Echo = { text: string; threadId: number };

async function failure(promise: Promise<unknown>): Promise<WorkerTaskError> {
	try {
		await promise;
	} catch (problem) {
		if (problem instanceof WorkerTaskError) return problem;
		throw problem;
	}
	throw new Error('expected the task to fail');
}

/** A stream's bytes as text, a byte-order mark kept. */
async function text(stream: ReadableStream<Uint8Array>) {
	return new TextDecoder('utf-8', { ignoreBOM: true }).decode(
		await new Response(stream).arrayBuffer()
	);
}

describe('the worker pool', () => {
	it('runs a task in another thread and passes its progress and result back', async () => {
		const pool = fixturePool();
		const progress: unknown[] = [];
		const result = await pool.run<Echo>(
			'echo',
			{ text: 'Łukasz' },
			{ onProgress: (p) => progress.push(p) }
		);
		expect(result.text).toBe('Łukasz');
		expect(result.threadId).not.toBe(threadId);
		expect(progress).toEqual(['halfway']);
		const bytes = await pool.run<Uint8Array>('bytes', { size: 1 << 20 });
		expect(bytes.byteLength).toBe(1 << 20);
		expect(bytes[12345]).toBe(7);
		await pool.close();
	}, 30_000);

	it('a task’s own refusal comes back with its status, and the worker carries on', async () => {
		const pool = fixturePool();
		const first = await pool.run<Echo>('echo', { text: 'a' });
		const refused = await failure(pool.run('refuse', {}));
		expect(refused.message).toBe('That export does not exist.');
		expect(refused.status).toBe(404);
		expect(refused.workerLost).toBe(false);
		expect((await pool.run<Echo>('echo', { text: 'b' })).threadId).toBe(first.threadId);
		await pool.close();
	}, 30_000);

	it('a worker that exits fails its task with a clear error and is replaced', async () => {
		const pool = fixturePool();
		const first = await pool.run<Echo>('echo', { text: 'a' });
		const lost = await failure(pool.run('exit', {}));
		expect(lost.message).toBe('The test task could not be made: its worker stopped (exit code 3).');
		expect(lost.workerLost).toBe(true);
		expect(lost.status).toBe(503);
		const after = await pool.run<Echo>('echo', { text: 'b' });
		expect(after.text).toBe('b');
		expect(after.threadId).not.toBe(first.threadId);
		expect(pool.running).toBe(1);
		await pool.close();
	}, 30_000);

	it('an uncaught error in the worker fails every task it held, and the next task gets a new worker', async () => {
		const pool = fixturePool();
		// Two tasks on one worker: one waiting, one whose timer throws where no task catches it.
		const waiting = failure(pool.run('wait', {}));
		const lost = await failure(pool.run('throwLater', {}));
		expect(lost.message).toBe(
			'The test task could not be made: its worker stopped (an error no task caught).'
		);
		expect((await waiting).message).toBe(lost.message);
		expect((await pool.run<Echo>('echo', { text: 'c' })).text).toBe('c');
		await pool.close();
	}, 30_000);

	it('a stuck task is stopped after the timeout instead of hanging its request', async () => {
		const pool = fixturePool({ timeoutMs: 1_000 });
		const first = await pool.run<Echo>('echo', { text: 'a' });
		const stuck = await failure(pool.run('spin', {}));
		expect(stuck.message).toBe('The test task took longer than 1 s and was stopped.');
		// Told apart from a crash, so what it cost stays counted (`reports/learner-pdf.ts`).
		expect(stuck).toMatchObject({ workerLost: true, stuck: true, serverStopping: false });
		const after = await pool.run<Echo>('echo', { text: 'b' });
		expect(after.threadId).not.toBe(first.threadId);
		await pool.close();
	}, 30_000);

	it('a stream is made only as fast as it is read (a worker never runs ahead of a slow reader)', async () => {
		const pool = fixturePool();
		const reader = (await pool.stream('counting', {})).getReader();
		const decode = (chunk: Uint8Array | undefined) => Number(new TextDecoder().decode(chunk));
		expect(decode((await reader.read()).value)).toBe(1);
		// A slow client: nothing read for a while. The worker made the next chunk and no more.
		await new Promise((resolve) => setTimeout(resolve, 500));
		expect(decode((await reader.read()).value)).toBeLessThanOrEqual(3);
		await reader.cancel();
		// The never-ending stream is gone from its worker, which takes the next task.
		expect((await pool.run<Echo>('echo', { text: 'd' })).text).toBe('d');
		await pool.close();
	}, 30_000);

	it('a stream that fails at once fails before any byte is sent; one that fails later errors the stream', async () => {
		const pool = fixturePool();
		const atOnce = await failure(pool.stream('failAtOnce', {}));
		expect(atOnce).toMatchObject({ message: 'No such class.', status: 404 });
		const reader = (await pool.stream('failAfterOne', {})).getReader();
		expect(new TextDecoder().decode((await reader.read()).value)).toBe('first\n');
		await expect(reader.read()).rejects.toThrow('the second page could not be read');
		await pool.close();
	}, 30_000);

	it('closing ends the workers: a task still running fails, a new one is refused', async () => {
		const pool = fixturePool();
		await pool.run('echo', { text: 'warm' });
		const running = failure(pool.run('spin', {}));
		await pool.close();
		expect((await running).message).toBe('The test task was stopped: the server is shutting down.');
		expect((await failure(pool.run('echo', { text: 'late' }))).message).toBe(
			'The test task cannot start: the server is shutting down.'
		);
		expect(pool.running).toBe(0);
	}, 30_000);

	it('REPORT_WORKERS sets the pool size; by default one fewer than the cores, 1 to 4', () => {
		expect(reportWorkerCount({}, 2)).toBe(1);
		expect(reportWorkerCount({}, 1)).toBe(1);
		expect(reportWorkerCount({}, 4)).toBe(3);
		expect(reportWorkerCount({}, 32)).toBe(4);
		expect(reportWorkerCount({ REPORT_WORKERS: '2' }, 2)).toBe(2);
		for (const wrong of ['0', '-1', '1.5', 'two'])
			expect(reportWorkerCount({ REPORT_WORKERS: wrong }, 2)).toBe(1);
	});
});

describe('reports in the report worker', () => {
	let db: DB;
	let schoolId: number;

	beforeAll(async () => {
		({ db, schoolId } = await demoDatabase());
		process.env.UPLOADS_DIR = mkdtempSync(join(tmpdir(), 'fusion-workers-'));
		await seedDemoActivity(db, 'http://localhost:3000');
	}, 180_000);
	afterAll(async () => {
		await closeReportWorkers();
		await closeDb();
		await db.destroy();
	});

	it('the school CSV read and formatted in the worker is byte for byte the one made in this thread, in every layout and framework', async () => {
		const kinds: SchoolCsvKind[] = ['learners', 'wide', 'summary'];
		let compared = 0;
		for (const { slug } of FRAMEWORK_VIEWS)
			for (const kind of kinds)
				for (const filter of [{}, { classId: 1 }]) {
					const options = { bom: compared % 2 === 0, pageSize: 7 };
					const here = await text(schoolCsvStream(db, schoolId, filter, slug, kind, options));
					const there = await text(
						await schoolCsvFromWorker(db, schoolId, filter, slug, kind, options)
					);
					expect(there, `${slug} ${kind} ${JSON.stringify(filter)}`).toBe(here);
					expect(here.split('\r\n').length).toBeGreaterThan(2);
					compared++;
				}
		expect(compared).toBe(FRAMEWORK_VIEWS.length * 6);
		// It ran in a worker of the pool, not here.
		expect(reportWorkers().running).toBeGreaterThanOrEqual(1);
		// On Linux the report worker's thread runs at nice 19, so saves go first; this thread does not.
		if (process.platform === 'linux') {
			const niceOf = (task: string) =>
				// /proc/…/stat: "pid (name) state …": nice is the 17th field after the name.
				Number(readFileSync(`/proc/self/task/${task}/stat`, 'utf8').split(') ')[1]!.split(' ')[16]);
			const nices = readdirSync('/proc/self/task').map(niceOf);
			expect(nices).toContain(19);
			expect(niceOf(String(process.pid))).toBeLessThan(19);
		}
	}, 180_000);

	it('the CSV route streams the worker’s CSV to the school admin and refuses a teacher', async () => {
		serveAppFrom(db);
		await closeDb();
		const admin = await sessionUser(db, 'admin');
		const teacher = await sessionUser(db, 'teacher');
		const url = new URL('http://localhost/admin/reports/fusion-skills.csv?kind=wide');
		const event = (user: typeof admin) =>
			({ locals: { user, session: null }, url }) as unknown as RequestEvent;
		const response = await schoolCsvRoute(event(admin) as never);
		expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
		expect(await text(response.body!)).toBe(
			await text(schoolCsvStream(db, schoolId, {}, 'fusion-skills', 'wide', { bom: true }))
		);
		const refused = await (async () => {
			try {
				await schoolCsvRoute(event(teacher) as never);
			} catch (problem) {
				return (problem as { status: number }).status;
			}
		})();
		expect(refused).toBe(403);
	}, 60_000);

	it('a learner’s PDF drawn in the worker holds what the one drawn here holds', async () => {
		const admin = await sessionUser(db, 'admin');
		const learner = await sessionUser(db, 'student2');
		const report = await learnerReport(db, admin, learner.id);
		const there = await learnerPdfFromWorker(report, admin.schoolName);
		expect(there.subarray(0, 5).toString()).toBe('%PDF-');
		const here = await renderLearnerReportPdf(report, admin.schoolName);
		const words = async (pdf: Buffer) => (await textBoxes(pdf)).map((b) => [b.page, b.text]);
		expect(await words(there)).toEqual(await words(here));
	}, 60_000);

	it('a report worker that dies mid-download errors that download (not a hang); the next report gets a new worker', async () => {
		const options = { bom: false, pageSize: 1 };
		const reader = (
			await schoolCsvFromWorker(db, schoolId, {}, 'fusion-skills', 'learners', options)
		).getReader();
		await reader.read();
		const [worker] = reportWorkers().threads();
		await worker!.terminate();
		await expect(
			(async () => {
				for (;;) if ((await reader.read()).done) return 'ended';
			})()
		).rejects.toThrow(/its worker stopped/);
		const again = await text(
			await schoolCsvFromWorker(db, schoolId, {}, 'fusion-skills', 'learners', options)
		);
		expect(again).toBe(
			await text(schoolCsvStream(db, schoolId, {}, 'fusion-skills', 'learners', options))
		);
		expect(reportWorkers().threads()).not.toContain(worker);
	}, 60_000);

	it('a report asked for once the workers have stopped is a clear 503, not a hang', async () => {
		await closeReportWorkers();
		const admin = await sessionUser(db, 'admin');
		const report = await learnerReport(db, admin, (await sessionUser(db, 'student2')).id);
		const pool = reportWorkers();
		await pool.close();
		const refused = await learnerPdfFromWorker(report, admin.schoolName).catch(
			(problem: unknown) => problem
		);
		expect(refused).toBeInstanceOf(Refusal);
		expect(refused).toMatchObject({
			status: 503,
			message: 'The report cannot start: the server is shutting down. Try again in a moment.'
		});
		await closeReportWorkers();
	}, 60_000);
});
