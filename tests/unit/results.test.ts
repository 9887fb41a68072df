import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seedDemoActivity } from '../../src/lib/server/db/demo-activity';
import { releasedResults } from '../../src/lib/server/profiles/results';
import { demoDatabase } from './helpers';

describe('released results (the input of profiles, reports and badges)', () => {
	it('give, per released submission and criterion, the agreed grade or else the markers’ mean, and the learner’s own value', async () => {
		const { db, schoolId } = await demoDatabase();
		process.env.UPLOADS_DIR = mkdtempSync(join(tmpdir(), 'fusion-results-'));
		await seedDemoActivity(db, 'http://localhost:3000');

		// The same figures worked out the plain way, straight from the tables.
		const rows = await db
			.selectFrom('assessments')
			.innerJoin('submissions', 'submissions.id', 'assessments.submission_id')
			.select([
				'submissions.learner_id as learnerId',
				'submissions.task_id as taskId',
				'assessments.criterion_id as criterionId',
				'assessments.role',
				'assessments.value'
			])
			.where('submissions.released_at', 'is not', null)
			.where('assessments.value', 'is not', null)
			.execute();
		const agreed = await db
			.selectFrom('agreed_grades')
			.innerJoin('submissions', 'submissions.id', 'agreed_grades.submission_id')
			.select([
				'submissions.learner_id as learnerId',
				'submissions.task_id as taskId',
				'agreed_grades.criterion_id as criterionId',
				'agreed_grades.value'
			])
			.execute();
		expect(agreed.length).toBeGreaterThan(0);
		const expected = new Map<string, { teacher: number; self: number | null }>();
		const keys = new Set(
			rows
				.filter((r) => r.role === 'teacher')
				.map((r) => `${r.learnerId}/${r.taskId}/${r.criterionId}`)
		);
		for (const k of keys) {
			const [learnerId, taskId, criterionId] = k.split('/').map(Number);
			const here = rows.filter(
				(r) => r.learnerId === learnerId && r.taskId === taskId && r.criterionId === criterionId
			);
			const markers = here.filter((r) => r.role === 'teacher').map((r) => r.value!);
			const agreedValue = agreed.find(
				(a) => a.learnerId === learnerId && a.taskId === taskId && a.criterionId === criterionId
			)?.value;
			expected.set(k, {
				teacher: agreedValue ?? markers.reduce((s, v) => s + v, 0) / markers.length,
				self: here.find((r) => r.role === 'self')?.value ?? null
			});
		}
		expect([...expected.values()].some((e, i, all) => all.length > 1 && e.self !== null)).toBe(
			true
		);

		const results = await releasedResults(db, { schoolId });
		const got = new Map<string, { teacher: number; self: number | null }>();
		for (const [learnerId, list] of results)
			for (const r of list)
				got.set(`${learnerId}/${r.taskId}/${r.criterionId}`, {
					teacher: r.teacherValue,
					self: r.selfValue
				});
		expect(got.size).toBe(expected.size);
		for (const [k, e] of expected) {
			expect(got.get(k)?.teacher, k).toBeCloseTo(e.teacher, 9);
			expect(got.get(k)?.self, k).toBe(e.self);
		}

		const withoutSelf = await releasedResults(db, { schoolId, includeSelf: false });
		expect([...withoutSelf.values()].flat().every((r) => r.selfValue === null)).toBe(true);
		await db.destroy();
	}, 60_000);
});
