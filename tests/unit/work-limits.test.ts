import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { databaseLocationOf, openDatabase, type DB } from '../../src/lib/server/db/connection';
import type { SessionUser } from '../../src/lib/server/auth/sessions';
import { Refusal } from '../../src/lib/server/errors';
import { WorkerTaskError } from '../../src/lib/server/workers/pool';
import {
	BADGE_REQUEST_COOL_DOWN_MS,
	BATCH_EXPORTS_PER_HOUR,
	LEARNER_PDFS_FOR_A_LEARNER,
	LEARNER_PDFS_FOR_STAFF,
	OPEN_LIVE_SESSIONS_PER_CLASS,
	takeAllowance
} from '../../src/lib/server/limits';
import { learnerReportPdf } from '../../src/lib/server/reports/learner-pdf';
import { exportJob, startBatchExport } from '../../src/lib/server/reports/batch';
import { liveSessionOptions, setLiveState, startLiveSession } from '../../src/lib/server/live/live';
import { createBadge } from '../../src/lib/server/badges/badges';
import {
	askAgainFrom,
	badgeWorkbench,
	declineRequest,
	requestBadge
} from '../../src/lib/server/badges/awards';
import { fusionSkills } from '../../src/lib/server/frameworks/frameworks';
import { listBank } from '../../src/lib/server/criteria/criteria';
import { eraseLearner, exportLearnerData } from '../../src/lib/server/privacy/privacy';
import { unzipSync, strFromU8 } from 'fflate';
import { demoDatabase, sessionUser } from './helpers';

const MINUTE = 60 * 1000;
let db: DB;
let schoolId: number;
let teacher: SessionUser;
let learner: SessionUser;

beforeEach(async () => {
	process.env.UPLOADS_DIR = mkdtempSync(join(tmpdir(), 'fusion-limits-'));
	({ db, schoolId } = await demoDatabase());
	teacher = await sessionUser(db, 'teacher');
	learner = await sessionUser(db, 'student1');
});
afterEach(async () => {
	await db.destroy();
	delete process.env.UPLOADS_DIR;
});

async function refusal(promise: Promise<unknown>): Promise<Refusal> {
	try {
		await promise;
	} catch (problem) {
		if (problem instanceof Refusal) return problem;
		throw problem;
	}
	throw new Error('expected a refusal');
}

const countRows = async (table: 'work_counts' | 'export_jobs' | 'live_sessions' | 'badge_awards') =>
	Number(
		(
			await db
				.selectFrom(table)
				.select((eb) => eb.fn.countAll<number>().as('n'))
				.executeTakeFirstOrThrow()
		).n
	);

describe('takeAllowance: a per-person allowance counted in the database', () => {
	const allowance = { max: 3, windowMs: 10 * MINUTE };
	const message = (wait: string) => `Too many. Try again in ${wait}.`;

	it('allows max in the window, then refuses (429, saying how long) and writes nothing', async () => {
		const start = new Date('2026-03-05T10:00:00Z');
		for (let i = 0; i < 3; i++)
			await takeAllowance(
				db,
				learner.id,
				'learner_report_pdf',
				allowance,
				message,
				new Date(start.getTime() + i * MINUTE)
			);
		const refused = await refusal(
			takeAllowance(
				db,
				learner.id,
				'learner_report_pdf',
				allowance,
				message,
				new Date(start.getTime() + 4 * MINUTE)
			)
		);
		expect(refused.status).toBe(429);
		// The first piece (at 10:00) leaves the window at 10:10: six minutes after 10:04.
		expect(refused.message).toBe('Too many. Try again in 6 minutes.');
		expect(await countRows('work_counts')).toBe(3);
		// Another person, and another kind of work, have their own allowance.
		await takeAllowance(db, teacher.id, 'learner_report_pdf', allowance, message, start);
		await takeAllowance(db, learner.id, 'batch_export', allowance, message, start);
		// Once the first leaves the window there is room again, and rows that no longer count go.
		await takeAllowance(
			db,
			learner.id,
			'learner_report_pdf',
			allowance,
			message,
			new Date(start.getTime() + 10 * MINUTE + 1)
		);
		const kept = await db
			.selectFrom('work_counts')
			.select('at')
			.where('user_id', '=', learner.id)
			.where('action', '=', 'learner_report_pdf')
			.execute();
		expect(kept.map((k) => k.at).sort()).toEqual([
			'2026-03-05T10:01:00.000Z',
			'2026-03-05T10:02:00.000Z',
			'2026-03-05T10:10:00.001Z'
		]);
	});

	it('20 requests at once: exactly max are allowed', async () => {
		const outcomes = await Promise.allSettled(
			Array.from({ length: 20 }, () =>
				takeAllowance(db, learner.id, 'learner_report_pdf', allowance, message)
			)
		);
		expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(3);
		expect(
			outcomes.every(
				(o) => o.status === 'fulfilled' || (o.reason instanceof Refusal && o.reason.status === 429)
			)
		).toBe(true);
		expect(await countRows('work_counts')).toBe(3);
	});
});

describe('PDF reports: a per-person allowance that holds across restarts', () => {
	it(`a learner gets ${LEARNER_PDFS_FOR_A_LEARNER.max} PDFs in ten minutes, then a 429 saying when, counted in the database`, async () => {
		for (let i = 0; i < LEARNER_PDFS_FOR_A_LEARNER.max; i++) {
			const { pdf } = await learnerReportPdf(db, learner, learner.id);
			expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
		}
		const refused = await refusal(learnerReportPdf(db, learner, learner.id));
		expect(refused.status).toBe(429);
		expect(refused.message).toMatch(
			/^You have made 10 PDF reports in the last 10 minutes, the most one person can\. Try again in \d+ (seconds|minutes)\.$/
		);
		// A restarted server (a new connection to the same database) still counts them.
		const restarted = openDatabase(databaseLocationOf(db));
		try {
			expect((await refusal(learnerReportPdf(restarted, learner, learner.id))).status).toBe(429);
		} finally {
			await restarted.destroy();
		}
		// Ten minutes on, there is room again.
		const { pdf } = await learnerReportPdf(
			db,
			learner,
			learner.id,
			new Date(Date.now() + LEARNER_PDFS_FOR_A_LEARNER.windowMs + 1000)
		);
		expect(pdf.length).toBeGreaterThan(0);
	}, 60_000);

	it('staff have a class-sized allowance, and are pointed to the class export past it', async () => {
		const now = new Date();
		await db
			.insertInto('work_counts')
			.values(
				Array.from({ length: LEARNER_PDFS_FOR_STAFF.max }, () => ({
					user_id: teacher.id,
					action: 'learner_report_pdf' as const,
					at: new Date(now.getTime() - MINUTE).toISOString()
				}))
			)
			.execute();
		const refused = await refusal(learnerReportPdf(db, teacher, learner.id, now));
		expect(refused.status).toBe(429);
		expect(refused.message).toMatch(/use the class export for a whole class/);
		// The learner's own allowance is untouched by their teacher's.
		expect((await learnerReportPdf(db, learner, learner.id, now)).pdf.length).toBeGreaterThan(0);
	}, 30_000);

	it('a PDF the report worker fails to draw gives its allowance back, so the retry it invites counts once', async () => {
		const lostWorker = async (): Promise<Buffer> => {
			throw new Refusal(
				'The report could not be made: its worker stopped. Try again in a moment.',
				503
			);
		};
		const now = new Date();
		await db
			.insertInto('work_counts')
			.values(
				Array.from({ length: LEARNER_PDFS_FOR_A_LEARNER.max - 1 }, () => ({
					user_id: learner.id,
					action: 'learner_report_pdf' as const,
					at: new Date(now.getTime() - MINUTE).toISOString()
				}))
			)
			.execute();
		for (let i = 0; i < 3; i++)
			expect(
				(await refusal(learnerReportPdf(db, learner, learner.id, now, lostWorker))).status
			).toBe(503);
		expect(await countRows('work_counts')).toBe(LEARNER_PDFS_FOR_A_LEARNER.max - 1);
		// The last PDF of the allowance is still there, and is then spent.
		expect((await learnerReportPdf(db, learner, learner.id, now)).pdf.length).toBeGreaterThan(0);
		expect((await refusal(learnerReportPdf(db, learner, learner.id, now))).status).toBe(429);
	}, 30_000);

	it('a PDF stopped at the worker’s timeout stays counted: the time it took was spent', async () => {
		const stuckWorker = async (): Promise<Buffer> => {
			const stopped = new WorkerTaskError(
				'The learner PDF took longer than 120 s and was stopped.',
				503,
				true,
				false,
				true
			);
			throw new Refusal(`${stopped.message} Try again in a moment.`, 503, undefined, {
				cause: stopped
			});
		};
		const now = new Date();
		expect(
			(await refusal(learnerReportPdf(db, learner, learner.id, now, stuckWorker))).status
		).toBe(503);
		expect(await countRows('work_counts')).toBe(1);
	});

	it('an outsider is refused by the access check, using no allowance', async () => {
		const outsider = await sessionUser(db, 'student16');
		await expect(learnerReportPdf(db, outsider, learner.id)).rejects.toMatchObject({
			status: 403
		});
		expect(await countRows('work_counts')).toBe(0);
	});
});

describe('batch exports: one at a time per person, and an hourly count', () => {
	it('a second export while the first is being prepared is refused (409) and adds no job', async () => {
		const first = await startBatchExport(db, teacher, { classId: 1 });
		const refused = await refusal(startBatchExport(db, teacher, { classId: 1 }));
		expect(refused.status).toBe(409);
		expect(refused.message).toMatch(/^An export you asked for is already being prepared/);
		expect(await countRows('export_jobs')).toBe(1);
		// Someone else may export meanwhile.
		const admin = await sessionUser(db, 'admin');
		await startBatchExport(db, admin, {});
		for (let i = 0; i < 400 && (await exportJob(db, teacher, first)).state !== 'done'; i++)
			await new Promise((resolve) => setTimeout(resolve, 25));
		expect((await exportJob(db, teacher, first)).state).toBe('done');
		// Once it is finished, the next one starts.
		const second = await startBatchExport(db, teacher, { classId: 1 });
		for (let i = 0; i < 400 && (await exportJob(db, teacher, second)).state !== 'done'; i++)
			await new Promise((resolve) => setTimeout(resolve, 25));
	}, 60_000);

	it('two export requests at once: one starts, one is refused', async () => {
		const outcomes = await Promise.allSettled([
			startBatchExport(db, teacher, { classId: 1 }),
			startBatchExport(db, teacher, { classId: 1 })
		]);
		expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
		expect(await countRows('export_jobs')).toBe(1);
		const [job] = await db.selectFrom('export_jobs').select('id').execute();
		for (let i = 0; i < 400 && (await exportJob(db, teacher, job!.id)).state !== 'done'; i++)
			await new Promise((resolve) => setTimeout(resolve, 25));
	}, 60_000);

	it(`past ${BATCH_EXPORTS_PER_HOUR.max} exports in an hour, a 429 saying when, and no job`, async () => {
		await db
			.insertInto('work_counts')
			.values(
				Array.from({ length: BATCH_EXPORTS_PER_HOUR.max }, (_, i) => ({
					user_id: teacher.id,
					action: 'batch_export' as const,
					at: new Date(Date.now() - (50 - i) * MINUTE).toISOString()
				}))
			)
			.execute();
		const refused = await refusal(startBatchExport(db, teacher, { classId: 1 }));
		expect(refused.status).toBe(429);
		expect(refused.message).toMatch(
			/^You have started 12 exports in the last hour, the most one person can\. Try again in 10 minutes\.$/
		);
		expect(await countRows('export_jobs')).toBe(0);
		expect(await countRows('work_counts')).toBe(BATCH_EXPORTS_PER_HOUR.max);
	});
});

describe('live sessions: a few open per class', () => {
	const start = (title: string, classId = 1) =>
		startLiveSession(db, teacher, {
			classId,
			taskId: null,
			criterionId: criterionId!,
			exemplarTitle: title,
			exemplarBody: ''
		});
	let criterionId: number | undefined;
	beforeEach(async () => {
		criterionId = (await listBank(db, schoolId))[0]!.id;
	});

	it(`refuses a ${OPEN_LIVE_SESSIONS_PER_CLASS + 1}th open session in a class (409, naming them), until one is closed`, async () => {
		const ids = [await start('One'), await start('Two'), await start('Three')];
		const refused = await refusal(start('Four'));
		expect(refused.status).toBe(409);
		expect(refused.message).toBe(
			'This class already has 3 live sessions open (“One”, “Two”, “Three”), the most one class can. Close one before starting another.'
		);
		expect(await countRows('live_sessions')).toBe(3);
		// The teacher can find them to close one.
		expect((await liveSessionOptions(db, teacher, null)).openSessions.map((s) => s.id)).toEqual(
			ids
		);
		await setLiveState(db, teacher, ids[1]!, { state: 'closed' });
		await start('Four');
		expect(await countRows('live_sessions')).toBe(4);
	});

	it('six starts at once in one class: three open', async () => {
		await Promise.allSettled(Array.from({ length: 6 }, (_, i) => start(`Burst ${i}`)));
		expect(await countRows('live_sessions')).toBe(OPEN_LIVE_SESSIONS_PER_CLASS);
	});
});

describe('badge requests: no duplicate, and a cool-down after a decline', () => {
	let badgeId: number;
	beforeEach(async () => {
		const admin = await sessionUser(db, 'admin');
		const oralId = (await fusionSkills(db)).find((s) => s.code === 'FS-01')!.id;
		badgeId = await createBadge(db, admin, {
			name: 'Confident presenter',
			description: 'Presents work clearly to an audience.',
			criteriaNarrative: 'Present a piece of work to an audience.',
			layer: 'demonstrate',
			rule: { kind: 'skill', target: oralId, minBand: 3, minTasks: 1 },
			alignmentItemIds: [oralId]
		});
	});

	it('five requests at once leave one waiting request', async () => {
		const outcomes = await Promise.allSettled(
			Array.from({ length: 5 }, () => requestBadge(db, learner, badgeId, 'I presented.'))
		);
		expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
		expect(await countRows('badge_awards')).toBe(1);
		const refused = await refusal(requestBadge(db, learner, badgeId, 'again'));
		expect(refused.status).toBe(409);
		expect(refused.message).toMatch(/already asked/);
	});

	it('after a decline the learner waits a day, told when, and may ask again after it', async () => {
		await requestBadge(db, learner, badgeId, 'I presented.');
		const [request] = (await badgeWorkbench(db, teacher)).requests;
		await declineRequest(db, teacher, request!.id);
		const declined = await db
			.selectFrom('badge_awards')
			.select('declined_at')
			.where('id', '=', request!.id)
			.executeTakeFirstOrThrow();
		expect(declined.declined_at).not.toBeNull();
		const refused = await refusal(requestBadge(db, learner, badgeId, 'Please!'));
		expect(refused.status).toBe(429);
		expect(refused.message).toMatch(
			/^Your teacher declined your last request for “Confident presenter”\. You can ask again from .+: use the time to add the evidence it needs\.$/
		);
		expect(await countRows('badge_awards')).toBe(1);
		expect(askAgainFrom([declined.declined_at])).toBe(
			new Date(Date.parse(declined.declined_at!) + BADGE_REQUEST_COOL_DOWN_MS).toISOString()
		);
		const later = new Date(Date.parse(declined.declined_at!) + BADGE_REQUEST_COOL_DOWN_MS + 1000);
		expect(askAgainFrom([declined.declined_at], later)).toBeNull();
		await requestBadge(db, learner, badgeId, 'I have added my video.', later);
		expect(await countRows('badge_awards')).toBe(2);
	});
});

describe('work counts and privacy', () => {
	it('a learner’s export lists their recent work; erasure deletes it', async () => {
		await learnerReportPdf(db, learner, learner.id);
		await takeAllowance(db, teacher.id, 'learner_report_pdf', LEARNER_PDFS_FOR_STAFF, () => '');
		const admin = await sessionUser(db, 'admin');
		const zip = unzipSync(await exportLearnerData(db, admin, learner.id));
		const data = JSON.parse(strFromU8(zip['data.json']!)) as {
			recentWork: { action: string }[];
		};
		expect(data.recentWork.map((w) => w.action)).toEqual(['learner_report_pdf']);
		expect(strFromU8(zip['README.txt']!)).toMatch(/^ {2}work_counts /m);
		await eraseLearner(db, admin, learner.id, 'student1');
		const left = await db.selectFrom('work_counts').select('user_id').execute();
		expect(left.map((w) => w.user_id)).toEqual([teacher.id]);
	}, 30_000);
});
