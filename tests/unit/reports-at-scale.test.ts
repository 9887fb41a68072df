import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RequestEvent } from '@sveltejs/kit';
import type { DB } from '../../src/lib/server/db/connection';
import { saveSelfAssessment } from '../../src/lib/server/assessment/self-assessment';
import { groupCommitOf } from '../../src/lib/server/db/group-commit';
import { pendingWritesBuffer, pendingWritesIn } from '../../src/lib/server/db/pending-writes';
import { pagesBehindSaves } from '../../src/lib/server/workers/pacing';
import { seedDemoActivity } from '../../src/lib/server/db/demo-activity';
import { schoolCsvStream } from '../../src/lib/server/reports/school-csv';
import {
	LEARNER_CSV_HEADER,
	SUMMARY_CSV_HEADER,
	schoolFusionReport,
	schoolFusionSummary,
	summaryRowsForCsv,
	wideCsv
} from '../../src/lib/server/reports/school-report';
import { toCsv } from '../../src/lib/server/reports/csv';
import { releasedResults, skillList } from '../../src/lib/server/profiles/results';
import { fusionSkillProfile } from '../../src/lib/domain/profiles';
import { PUT as yardstick } from '../../src/routes/livez/+server';
import { demoDatabase, publishedTask, sessionUser } from './helpers';

/** The stream's bytes as text, a byte-order mark kept (Response.text() would drop it). */
async function text(stream: ReadableStream<Uint8Array>) {
	return new TextDecoder('utf-8', { ignoreBOM: true }).decode(
		await new Response(stream).arrayBuffer()
	);
}

async function demoWithActivity() {
	const { db, schoolId } = await demoDatabase();
	process.env.UPLOADS_DIR = mkdtempSync(join(tmpdir(), 'fusion-scale-'));
	await seedDemoActivity(db, 'http://localhost:3000');
	return { db, schoolId };
}

describe('first-touch saves (issue 16)', () => {
	it('the first save of a criterion by each of a class goes through one group commit', async () => {
		const { db, schoolId } = await demoDatabase();
		const teacher = await sessionUser(db, 'teacher');
		const { taskId, criteria } = await publishedTask(db, schoolId, teacher, ['C1.1', 'R3.2']);
		const learners = await Promise.all(
			['student1', 'student2', 'student3', 'student4', 'student5', 'student6'].map((u) =>
				sessionUser(db, u)
			)
		);
		const group = groupCommitOf(db);
		const before = { ...group.stats };
		const answers = await Promise.all(
			learners.map((who, i) =>
				saveSelfAssessment(db, who, taskId, {
					kind: 'criterion',
					criterionId: criteria[0]!.criterionId,
					value: 40 + i,
					baseRevision: 0
				})
			)
		);
		expect(answers).toEqual(learners.map(() => ({ revision: 1 })));
		expect(group.stats.batches - before.batches).toBe(1);
		expect(group.stats.retriedAlone).toBe(before.retriedAlone);
		const stored = await db
			.selectFrom('assessments')
			.select('value')
			.where('role', '=', 'self')
			.where('criterion_id', '=', criteria[0]!.criterionId)
			.orderBy('value')
			.execute();
		expect(stored.map((s) => s.value)).toEqual([40, 41, 42, 43, 44, 45]);
		await db.destroy();
	});

	it('a refused first touch in the batch fails alone, undoing only its own writes', async () => {
		const { db, schoolId } = await demoDatabase();
		const teacher = await sessionUser(db, 'teacher');
		const { taskId, criteria } = await publishedTask(db, schoolId, teacher, ['C1.1']);
		const [a, b] = await Promise.all([sessionUser(db, 'student1'), sessionUser(db, 'student2')]);
		const group = groupCommitOf(db);
		const before = { ...group.stats };
		const [ok, refused, stale] = await Promise.allSettled([
			saveSelfAssessment(db, a, taskId, {
				kind: 'criterion',
				criterionId: criteria[0]!.criterionId,
				value: 70
			}),
			// Not a criterion of the task: refused (400), in the same batch.
			saveSelfAssessment(db, b, taskId, { kind: 'criterion', criterionId: 999_999, value: 10 }),
			// Based on a revision that never was: stale (409), its submission row undone with it.
			saveSelfAssessment(db, b, taskId, {
				kind: 'criterion',
				criterionId: criteria[0]!.criterionId,
				value: 20,
				baseRevision: 5
			})
		]);
		expect(ok).toEqual({ status: 'fulfilled', value: { revision: 1 } });
		expect(refused.status).toBe('rejected');
		expect((refused as PromiseRejectedResult).reason).toMatchObject({ status: 400 });
		expect(stale.status).toBe('rejected');
		expect(group.stats.batches - before.batches).toBe(1);
		expect(group.stats.retriedAlone).toBe(before.retriedAlone);
		const ofB = await db
			.selectFrom('assessments')
			.select('id')
			.where('assessor_id', '=', b.id)
			.execute();
		expect(ofB).toEqual([]);
		await db.destroy();
	});
});

describe('the school report from the aggregates', () => {
	it('gives every learner the levels of their profile, and the streamed CSV is the whole report’s CSV', async () => {
		const { db, schoolId } = await demoWithActivity();
		const report = await schoolFusionReport(db, schoolId);
		const skills = (await skillList(db)).map((s) => s.id);
		const results = await releasedResults(db, { schoolId, includeSelf: false });
		let compared = 0;
		for (const row of report.rows) {
			const profile = fusionSkillProfile(results.get(row.learnerId) ?? [], skills).get(
				report.skills.find((s) => s.code === row.skillCode)!.id
			)!;
			expect(row.level, `${row.username} ${row.skillCode}`).toBe(profile.level);
			expect(row.evidenceCount).toBe(profile.evidenceCount);
			expect(row.taskCount).toBe(profile.tasks.length);
			if (row.level !== null) compared++;
		}
		expect(compared).toBeGreaterThan(20);

		const long = await text(schoolCsvStream(db, schoolId, {}, 'fusion-skills', 'learners'));
		expect(long).toBe(
			toCsv(
				LEARNER_CSV_HEADER,
				report.rows.map((r) => [
					r.learnerId,
					r.username,
					r.name,
					r.yearGroup,
					r.classes,
					r.skillCode,
					r.skill,
					r.level ?? '',
					r.words,
					r.evidenceCount,
					r.taskCount
				])
			)
		);
		const wide = wideCsv(report);
		expect(
			await text(schoolCsvStream(db, schoolId, {}, 'fusion-skills', 'wide', { bom: true }))
		).toBe(toCsv(wide.header, wide.rows, { bom: true }));
		expect(await text(schoolCsvStream(db, schoolId, {}, 'fusion-skills', 'summary'))).toBe(
			toCsv(SUMMARY_CSV_HEADER, summaryRowsForCsv(report))
		);
		await db.destroy();
	}, 120_000);

	it('summaries and a term’s report from the aggregates equal the ones worked out from every result', async () => {
		const { db, schoolId } = await demoWithActivity();
		const fromResults = await schoolFusionReport(db, schoolId, { classId: 1 });
		const term = fromResults.options.terms[0]!.key;
		// A class's report is worked out from its results; the whole school's, from the aggregates:
		// the class's own row of the school summary must agree wherever every learner of the class
		// is in no other class.
		const summary = await schoolFusionSummary(db, schoolId);
		expect(summary.options.terms.map((t) => t.key)).toContain(term);
		expect(summary.byYear.length).toBeGreaterThan(0);
		const byTerm = await schoolFusionReport(db, schoolId, { term });
		const results = await releasedResults(db, { schoolId, includeSelf: false });
		const skills = await skillList(db);
		const { schoolTerm } = await import('../../src/lib/domain/profiles');
		for (const row of byTerm.rows) {
			const own = (results.get(row.learnerId) ?? []).filter(
				(r) => schoolTerm(r.releasedAt).key === term
			);
			const entry = fusionSkillProfile(
				own,
				skills.map((s) => s.id)
			).get(skills.find((s) => s.code === row.skillCode)!.id)!;
			expect(row.level).toBe(entry.level);
			expect(row.taskCount).toBe(entry.tasks.length);
		}
		// The year summary: the mean of the learners' levels, over learners with evidence.
		for (const group of summary.byYear)
			for (const skill of group.skills) {
				const levels = (await schoolFusionReport(db, schoolId)).rows
					.filter(
						(r) =>
							(r.yearGroup || 'No year group') === group.group &&
							r.skillCode === skill.skillCode &&
							r.level !== null
					)
					.map((r) => r.level!);
				expect(skill.learnersWithEvidence).toBe(levels.length);
				if (levels.length)
					expect(skill.mean).toBe(
						Math.round((levels.reduce((s, l) => s + l, 0) / levels.length) * 1000) / 1000
					);
			}
		await db.destroy();
	}, 120_000);

	it('a save is answered while a big report streams on the same server', async () => {
		const { db, schoolId } = await demoWithActivity();
		const teacher = await sessionUser(db, 'teacher');
		const learner = await sessionUser(db, 'student1');
		const { taskId, criteria } = await publishedTask(db, schoolId, teacher, ['C1.1']);
		// A report of many pages (one learner a page), read as fast as they come, paced as the
		// report worker paces it: stepping back while the save waits for its commit.
		const stream = schoolCsvStreamPaged(db, schoolId);
		const reader = stream.getReader();
		await reader.read();
		let pagesBeforeSave = 0;
		let saved = false;
		const save = saveSelfAssessment(db, learner, taskId, {
			kind: 'criterion',
			criterionId: criteria[0]!.criterionId,
			value: 55
		}).then(() => (saved = true));
		while (!saved) {
			const { done } = await reader.read();
			if (done) break;
			pagesBeforeSave++;
		}
		await save;
		const rest = await reader.read();
		// The save was answered before the report was done: pages still came after it.
		expect(rest.done).toBe(false);
		// …and early in it: a handful of one-learner pages (more on PostgreSQL, whose queries are
		// round trips), of the school's several dozen.
		expect(pagesBeforeSave).toBeLessThan(20);
		await reader.cancel();
		await db.destroy();
	}, 120_000);
});

function schoolCsvStreamPaged(db: DB, schoolId: number) {
	return schoolCsvStream(db, schoolId, {}, 'fusion-skills', 'learners', {
		pageSize: 1,
		beforePage: pagesBehindSaves(pendingWritesIn(pendingWritesBuffer))
	});
}

describe('PUT /livez, the benchmark’s yardstick', () => {
	it('refuses anyone but a learner, and saves nothing for a learner', async () => {
		const { db } = await demoDatabase();
		const learner = await sessionUser(db, 'student1');
		const teacher = await sessionUser(db, 'teacher');
		const event = (user: typeof learner | null) =>
			({
				locals: { user, session: null },
				url: new URL('http://localhost/livez'),
				request: new Request('http://localhost/livez', {
					method: 'PUT',
					headers: { 'content-type': 'application/json' },
					body: JSON.stringify({ kind: 'criterion', criterionId: 1, value: 50 })
				})
			}) as unknown as RequestEvent;
		const status = async (user: typeof learner | null) => {
			try {
				return (await yardstick(event(user) as never)).status;
			} catch (problem) {
				return (problem as { status: number }).status;
			}
		};
		// Signed out: sent to sign in, as every learner route does.
		expect(await status(null)).toBe(303);
		expect(await status(teacher)).toBe(403);
		const before = await db.selectFrom('assessments').select('id').execute();
		expect(await status(learner)).toBe(409);
		expect(await db.selectFrom('assessments').select('id').execute()).toEqual(before);
		await db.destroy();
	});
});
