import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DB } from '../../src/lib/server/db/connection';
import { seedDemoActivity } from '../../src/lib/server/db/demo-activity';
import { releasedResults, skillList } from '../../src/lib/server/profiles/results';
import { fusionSkillProfile, schoolTerm } from '../../src/lib/domain/profiles';
import {
	holdGrades,
	releaseGrades,
	reopenSelfAssessment,
	saveTeacherGrade
} from '../../src/lib/server/assessment/marking';
import { submitSelfAssessment } from '../../src/lib/server/assessment/self-assessment';
import { recordAgreedGrade } from '../../src/lib/server/moderation/moderation';
import { setTaskCriterionWeight } from '../../src/lib/server/tasks/task-criteria';
import { eraseLearner } from '../../src/lib/server/privacy/privacy';
import { seededRandom } from '../../src/lib/domain/peer-review';
import { demoDatabase, publishedTask, sessionUser } from './helpers';
import { expectGroupTotalsMatchRecomputation } from './group-totals-check';
import { classLearners, fullyMarked } from './marking-fixture';

/**
 * The aggregates against a full recomputation from scratch: the whole school's released results
 * (read the old way, every judgement) through the profile's own formula (`fusionSkillProfile`).
 */
async function expectAggregatesMatchRecomputation(db: DB, schoolId: number) {
	const skills = (await skillList(db)).map((s) => s.id);
	const results = await releasedResults(db, { schoolId });
	const erased = new Set(
		(await db.selectFrom('users').select(['id', 'username']).execute())
			.filter((u) => u.username === `erased-${u.id}`)
			.map((u) => u.id)
	);
	const expected = new Map<
		string,
		{ level: number; self: number | null; evidence: number; tasks: number }
	>();
	const expectedTerms = new Map<string, { level: number; evidence: number; tasks: number }>();
	for (const [learnerId, list] of results) {
		if (erased.has(learnerId)) continue;
		for (const [skillId, entry] of fusionSkillProfile(list, skills))
			if (entry.level !== null)
				expected.set(`${learnerId}/${skillId}`, {
					level: entry.level,
					self: entry.selfLevel,
					evidence: entry.evidenceCount,
					tasks: entry.tasks.length
				});
		const terms = new Set(list.map((r) => schoolTerm(r.releasedAt).key));
		for (const term of terms) {
			const own = list.filter((r) => schoolTerm(r.releasedAt).key === term);
			for (const [skillId, entry] of fusionSkillProfile(own, skills))
				if (entry.level !== null)
					expectedTerms.set(`${learnerId}/${skillId}/${term}`, {
						level: entry.level,
						evidence: entry.evidenceCount,
						tasks: entry.tasks.length
					});
		}
	}
	const rows = await db
		.selectFrom('learner_skill_aggregates')
		.selectAll()
		.where('school_id', '=', schoolId)
		.execute();
	const round3 = (n: number) => Math.round(n * 1000) / 1000;
	const got = new Map(
		rows.map((r) => [
			`${r.learner_id}/${r.skill_id}`,
			{
				level: round3(r.level_sum / r.weight),
				self: r.self_weight > 0 ? round3(r.self_level_sum / r.self_weight) : null,
				evidence: r.evidence_count,
				tasks: r.task_count
			}
		])
	);
	expect(new Set(got.keys())).toEqual(new Set(expected.keys()));
	for (const [key, e] of expected) expect(got.get(key), key).toEqual(e);

	const termRows = await db
		.selectFrom('learner_term_skill_aggregates')
		.selectAll()
		.where('school_id', '=', schoolId)
		.execute();
	const gotTerms = new Map(
		termRows.map((r) => [
			`${r.learner_id}/${r.skill_id}/${r.term_key}`,
			{ level: round3(r.level_sum / r.weight), evidence: r.evidence_count, tasks: r.task_count }
		])
	);
	expect(new Set(gotTerms.keys())).toEqual(new Set(expectedTerms.keys()));
	for (const [key, e] of expectedTerms) expect(gotTerms.get(key), key).toEqual(e);
	// …and the class and year group totals built on them (0032).
	await expectGroupTotalsMatchRecomputation(db);
	// Summed over terms, the term rows are the learner × skill row.
	for (const r of rows) {
		const own = termRows.filter((t) => t.learner_id === r.learner_id && t.skill_id === r.skill_id);
		expect(own.reduce((s, t) => s + t.weight, 0)).toBeCloseTo(r.weight, 9);
		expect(own.reduce((s, t) => s + t.evidence_count, 0)).toBe(r.evidence_count);
		expect(own.reduce((s, t) => s + t.task_count, 0)).toBe(r.task_count);
	}
	return { rows: rows.length, termRows: termRows.length };
}

describe('learner × skill aggregates (issue 16)', () => {
	it('equal a full recomputation after the demo’s releases and agreement in moderation', async () => {
		const { db, schoolId } = await demoDatabase();
		process.env.UPLOADS_DIR = mkdtempSync(join(tmpdir(), 'fusion-aggregates-'));
		await seedDemoActivity(db, 'http://localhost:3000');
		const counts = await expectAggregatesMatchRecomputation(db, schoolId);
		expect(counts.rows).toBeGreaterThan(20);
		expect(counts.termRows).toBeGreaterThanOrEqual(counts.rows);
		// Migration 0033 fills the task counts of totals made before it, from the per-term rows.
		const taskCounts = () =>
			db
				.selectFrom('learner_skill_aggregates')
				.select(['learner_id', 'skill_id', 'task_count'])
				.orderBy('learner_id')
				.orderBy('skill_id')
				.execute();
		const before = await taskCounts();
		expect(before.some((r) => r.task_count > 1)).toBe(true);
		const migration = await import('../../migrations/0033_skill_aggregate_task_count');
		await migration.down(db);
		await migration.up(db);
		expect(await taskCounts()).toEqual(before);
		await db.destroy();
	}, 120_000);

	it('follow releases, a changed released grade, agreement, grades held for self, hold, a weight and erasure; never an unreleased autosave', async () => {
		const { db, schoolId } = await demoDatabase();
		process.env.UPLOADS_DIR = mkdtempSync(join(tmpdir(), 'fusion-aggregates-'));
		const teacher = await sessionUser(db, 'teacher');
		const admin = await sessionUser(db, 'admin');
		const [a, b, c] = await classLearners(db, 1);
		const { taskId, criteria } = await publishedTask(db, schoolId, teacher, [
			'C1.1',
			'P1.1',
			'R3.2'
		]);
		const count = async (learnerId: number) =>
			Number(
				(
					await db
						.selectFrom('learner_skill_aggregates')
						.select((eb) => eb.fn.countAll<number>().as('n'))
						.where('learner_id', '=', learnerId)
						.executeTakeFirstOrThrow()
				).n
			);

		// Marked but unreleased: autosaves of self and teacher judgements count nowhere.
		await fullyMarked(db, teacher, taskId, criteria, a!, [40, 60, 80]);
		await fullyMarked(db, teacher, taskId, criteria, b!, [20, 50, 70]);
		expect(await count(a!.id)).toBe(0);

		await releaseGrades(db, teacher, taskId, 'all');
		expect(await count(a!.id)).toBeGreaterThan(0);
		await expectAggregatesMatchRecomputation(db, schoolId);

		// A released grade changed (with its reason).
		await saveTeacherGrade(db, teacher, taskId, a!.id, {
			kind: 'criterion',
			criterionId: criteria[0]!.criterionId,
			value: 95,
			reason: 'Re-marked after moderation.'
		});
		await expectAggregatesMatchRecomputation(db, schoolId);

		// Agreed in moderation, then the agreement cleared.
		await recordAgreedGrade(db, teacher, taskId, b!.id, criteria[1]!.criterionId, 10, 'Agreed.');
		await expectAggregatesMatchRecomputation(db, schoolId);
		await recordAgreedGrade(db, teacher, taskId, b!.id, criteria[1]!.criterionId, null, 'Cleared.');
		await expectAggregatesMatchRecomputation(db, schoolId);

		// Held for the self-assessment: released before it is in, counted only once it is.
		await fullyMarked(db, teacher, taskId, criteria, c!, [30, 30, 30], false);
		await releaseGrades(db, teacher, taskId, c!.id).catch(() => undefined);
		await expectAggregatesMatchRecomputation(db, schoolId);
		if ((await count(c!.id)) === 0) {
			await submitSelfAssessment(db, c!, taskId);
			await releaseGrades(db, teacher, taskId, c!.id).catch(() => undefined);
		}
		await expectAggregatesMatchRecomputation(db, schoolId);

		// Reopened, held again, a weight changed.
		await reopenSelfAssessment(db, teacher, taskId, a!.id);
		await expectAggregatesMatchRecomputation(db, schoolId);
		await holdGrades(db, teacher, taskId, b!.id);
		expect(await count(b!.id)).toBe(0);
		await setTaskCriterionWeight(db, teacher, taskId, criteria[2]!.taskCriterionId, 3);
		await expectAggregatesMatchRecomputation(db, schoolId);

		// Erasure: the learner's rows go.
		const before = await count(c!.id);
		await eraseLearner(db, admin, c!.id, c!.username);
		expect(before === 0 || (await count(c!.id)) === 0).toBe(true);
		expect(await count(c!.id)).toBe(0);
		await expectAggregatesMatchRecomputation(db, schoolId);
		await db.destroy();
	}, 60_000);

	it('equal a full recomputation after a randomised sequence of releases, changes, agreements and holds', async () => {
		const { db, schoolId } = await demoDatabase();
		const teacher = await sessionUser(db, 'teacher');
		const learners = (await classLearners(db, 1)).slice(0, 6);
		const random = seededRandom(16);
		const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
		const tasks = [
			await publishedTask(db, schoolId, teacher, ['C1.1', 'P1.1']),
			// P1.1 in both: a release adds onto totals an earlier release of the other task made.
			await publishedTask(db, schoolId, teacher, ['R3.2', 'P1.1', 'C3.1'], {
				selfRequiredBeforeRelease: ''
			})
		];
		const value = () => Math.round(random() * 100);
		for (const t of tasks)
			for (const l of learners)
				await fullyMarked(
					db,
					teacher,
					t.taskId,
					t.criteria,
					l,
					t.criteria.map(value),
					random() < 0.7
				);
		const released = new Set<string>();
		const done = [0, 0, 0, 0, 0];
		const ran = (k: number) => (done[k] = (done[k] ?? 0) + 1);
		for (let step = 0; step < 60; step++) {
			const t = pick(tasks);
			const l = pick(learners);
			const c = pick(t.criteria);
			const key = `${t.taskId}/${l.id}`;
			const op = Math.floor(random() * 5);
			if (op === 0 || !released.has(key)) {
				ran(0);
				const r = await releaseGrades(db, teacher, t.taskId, l.id).catch(() => null);
				if (r) released.add(key);
			} else if (op === 1) {
				ran(1);
				await saveTeacherGrade(db, teacher, t.taskId, l.id, {
					kind: 'criterion',
					criterionId: c.criterionId,
					value: value(),
					reason: 'Changed.'
				});
			} else if (op === 2) {
				ran(2);
				await recordAgreedGrade(
					db,
					teacher,
					t.taskId,
					l.id,
					c.criterionId,
					random() < 0.8 ? value() : null,
					'Agreed.'
				);
			} else if (op === 3) {
				ran(3);
				await holdGrades(db, teacher, t.taskId, l.id);
				released.delete(key);
			} else {
				ran(4);
				await setTaskCriterionWeight(
					db,
					teacher,
					t.taskId,
					c.taskCriterionId,
					1 + Math.floor(random() * 3)
				);
			}
			await expectAggregatesMatchRecomputation(db, schoolId);
		}
		// Every kind of operation ran, several times.
		expect(Math.min(...done), JSON.stringify(done)).toBeGreaterThan(3);
		await db.destroy();
	}, 60_000);
});
