import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DB } from '../../src/lib/server/db/connection';
import {
	copyCriterion,
	createCriterion,
	getCriterion,
	listBank,
	updateCriterion
} from '../../src/lib/server/criteria/criteria';
import { STARTER_BANK } from '../../src/lib/server/criteria/starter-bank';
import {
	capriTree,
	exportCasePackage,
	fusionSkills,
	importCasePackage
} from '../../src/lib/server/frameworks/frameworks';
import { CAPRI, FUSION_SKILLS } from '../../src/lib/domain/frameworks';
import { Refusal } from '../../src/lib/server/errors';
import { listScales } from '../../src/lib/server/scales/scales';
import {
	createTask,
	listLearnerTasks,
	setTaskState,
	updateTaskSettings
} from '../../src/lib/server/tasks/tasks';
import {
	addTaskCriterion,
	moveTaskCriterion,
	removeTaskCriterion,
	setTaskCriterionWeight,
	taskCriteria
} from '../../src/lib/server/tasks/task-criteria';
import { learnerTaskStatus } from '../../src/lib/domain/task-status';
import { renderMarkdown } from '../../src/lib/server/markdown';
import { taskSettingsSchema } from '../../src/lib/schemas/tasks';
import { randomUUID } from 'node:crypto';
import { demoDatabase, sessionUser, userId } from './helpers';

let db: DB;
let schoolId: number;
beforeEach(async () => ({ db, schoolId } = await demoDatabase()));
afterEach(async () => db.destroy());

const settings = (scaleId: number, extra: Record<string, unknown> = {}) =>
	taskSettingsSchema.parse({
		title: 'Design a bird feeder',
		brief: 'Make it **sturdy**.',
		scaleId,
		selfMarkerVisibility: 'always',
		selfRequiredBeforeRelease: 'on',
		...extra
	});

async function schoolScaleId() {
	return (await listScales(db, schoolId)).find((s) => s.name.startsWith('School scale'))!.id;
}

/** Pretends a learner has been assessed on a criterion of a task. */
async function assess(taskId: number, criterionId: number, learner = 'student1') {
	const learnerId = await userId(db, learner);
	const now = new Date().toISOString();
	const { id } = await db
		.insertInto('submissions')
		.values({ task_id: taskId, learner_id: learnerId, self_state: 'in_progress', updated_at: now })
		.returning('id')
		.executeTakeFirstOrThrow();
	await db
		.insertInto('assessments')
		.values({
			submission_id: id,
			criterion_id: criterionId,
			assessor_id: learnerId,
			role: 'self',
			value: 50,
			updated_at: now
		})
		.execute();
}

describe('criteria bank', () => {
	it('the starter bank has 25 coded criteria in all five CAPRI categories reaching all 12 Fusion Skills', async () => {
		const bank = await listBank(db, schoolId);
		expect(bank).toHaveLength(STARTER_BANK.length);
		expect(bank.length).toBeGreaterThanOrEqual(24);
		expect(new Set(bank.map((c) => c.categoryCode))).toEqual(new Set(['C', 'A', 'P', 'R', 'I']));
		expect(new Set(bank.flatMap((c) => c.skills.map((s) => s.code))).size).toBe(12);
		expect(bank.map((c) => c.code)).toContain('C1.2');
		expect(
			bank.every(
				(c) => /^[CAPRI]\d\.\d+$/.test(c.code) && c.code.startsWith(c.subCategoryCode + '.')
			)
		).toBe(true);
	});

	it('filters by CAPRI category, Fusion Skill and text', async () => {
		expect(
			(await listBank(db, schoolId, { capri: 'R' })).every((c) => c.categoryCode === 'R')
		).toBe(true);
		const resilience = (await fusionSkills(db)).find((s) => s.code === 'FS-10')!;
		const resilient = await listBank(db, schoolId, { fusionItemId: resilience.id });
		expect(resilient.map((c) => c.title)).toEqual(
			expect.arrayContaining([
				'Keeping going when it gets hard',
				'Experimenting and taking creative risks'
			])
		);
		expect(resilient.every((c) => c.skills.some((s) => s.code === 'FS-10'))).toBe(true);
		expect((await listBank(db, schoolId, { search: 'deadline' })).map((c) => c.title)).toContain(
			'Meeting deadlines and milestones'
		);
		expect(await listBank(db, schoolId, { search: '_' })).toHaveLength(0);
	});

	it('creates with the next code in the sub-category and its own skill weights', async () => {
		const teacher = await userId(db, 'teacher');
		const c1 = (await capriTree(db))[0]!.subCategories[0]!;
		const skills = await fusionSkills(db);
		const id = await createCriterion(db, schoolId, teacher, {
			subCategoryId: c1.id,
			scaleId: await schoolScaleId(),
			title: 'Pitching to a panel',
			description: 'You pitch your product to a panel of judges.',
			descriptors: ['a a a', 'b b b', 'c c c', 'd d d', 'e e e'],
			skillOverrides: [
				{ fusionItemId: skills[0]!.id, weight: 1 },
				{ fusionItemId: skills[2]!.id, weight: 1 }
			]
		});
		const created = await getCriterion(db, schoolId, id);
		expect(created!.code).toBe('C1.3');
		expect(created!.skills.map((s) => [s.code, s.share])).toEqual([
			['FS-01', 0.5],
			['FS-03', 0.5]
		]);
		await expect(
			createCriterion(db, schoolId, teacher, {
				subCategoryId: c1.id,
				scaleId: await schoolScaleId(),
				title: 'Too few',
				description: 'Not every band described.',
				descriptors: ['a a a'],
				skillOverrides: []
			})
		).rejects.toThrow(/each of the scale’s 5 bands/);
	});

	it('editing an unused criterion changes it in place; editing an assessed one makes a new version', async () => {
		const teacher = await sessionUser(db, 'teacher');
		const [first] = await listBank(db, schoolId);
		const detail = (await getCriterion(db, schoolId, first!.id))!;
		const edit = {
			title: detail.title + ' (revised)',
			description: detail.description,
			descriptors: detail.bands.map((b) => b.descriptor),
			skillOverrides: []
		};

		expect(await updateCriterion(db, schoolId, teacher.id, first!.id, edit)).toEqual({
			criterionId: first!.id,
			versioned: false
		});

		const assessedTask = await createTask(db, teacher, 1, settings(await schoolScaleId()));
		const unassessedTask = await createTask(
			db,
			teacher,
			1,
			settings(await schoolScaleId(), { title: 'Another task' })
		);
		await addTaskCriterion(db, teacher, assessedTask, first!.id);
		await addTaskCriterion(db, teacher, unassessedTask, first!.id);
		await assess(assessedTask, first!.id);

		const result = await updateCriterion(db, schoolId, teacher.id, first!.id, {
			...edit,
			title: 'New wording'
		});
		expect(result.versioned).toBe(true);
		const old = (await getCriterion(db, schoolId, first!.id))!;
		expect(old.title).toBe(detail.title + ' (revised)');
		expect(old.supersededAt).not.toBeNull();
		const current = (await getCriterion(db, schoolId, result.criterionId))!;
		expect(current).toMatchObject({
			title: 'New wording',
			version: 2,
			code: old.code,
			lineageId: old.lineageId
		});
		expect(current.versions.map((v) => v.version)).toEqual([2, 1]);
		// Assessed work keeps the old wording; the task nobody has been assessed on takes the new.
		expect((await taskCriteria(db, assessedTask))[0]!.criterionId).toBe(first!.id);
		expect((await taskCriteria(db, unassessedTask))[0]!.criterionId).toBe(result.criterionId);
		// The bank shows one entry per criterion: the current version.
		expect(
			(await listBank(db, schoolId)).filter((c) => c.lineageId === old.lineageId).map((c) => c.id)
		).toEqual([result.criterionId]);
		await expect(updateCriterion(db, schoolId, teacher.id, first!.id, edit)).rejects.toThrow(
			/old version/
		);
	});

	it('two saves of an assessed criterion at once (two tabs): one new version, the other refused with a reason', async () => {
		const teacher = await sessionUser(db, 'teacher');
		const [first] = await listBank(db, schoolId);
		const detail = (await getCriterion(db, schoolId, first!.id))!;
		const task = await createTask(db, teacher, 1, settings(await schoolScaleId()));
		await addTaskCriterion(db, teacher, task, first!.id);
		await assess(task, first!.id);
		const edit = (title: string) => ({
			title,
			description: detail.description,
			descriptors: detail.bands.map((b) => b.descriptor),
			skillOverrides: []
		});
		const outcomes = await Promise.allSettled([
			updateCriterion(db, schoolId, teacher.id, first!.id, edit('Tab one')),
			updateCriterion(db, schoolId, teacher.id, first!.id, edit('Tab two'))
		]);
		const saved = outcomes.filter((o) => o.status === 'fulfilled');
		const refused = outcomes.filter((o) => o.status === 'rejected');
		expect(saved).toHaveLength(1);
		expect(refused).toHaveLength(1);
		const reason = (refused[0] as PromiseRejectedResult).reason;
		expect(reason).toBeInstanceOf(Refusal);
		expect(reason).toMatchObject({
			status: 409,
			message: expect.stringMatching(/changed elsewhere/)
		});
		const versions = await db
			.selectFrom('criteria')
			.select(['version', 'title', 'superseded_at'])
			.where('lineage_id', '=', detail.lineageId)
			.orderBy('version')
			.execute();
		expect(versions.map((v) => [v.version, v.superseded_at !== null])).toEqual([
			[1, true],
			[2, false]
		]);
		expect(['Tab one', 'Tab two']).toContain(versions[1]!.title);
	});

	it('copies a criterion into a new one of the same sub-category', async () => {
		const [first] = await listBank(db, schoolId);
		const copyId = await copyCriterion(db, schoolId, await userId(db, 'teacher'), first!.id);
		const copy = (await getCriterion(db, schoolId, copyId))!;
		expect(copy.title).toBe(`${first!.title} (copy)`);
		expect(copy.lineageId).not.toBe(first!.lineageId);
		expect(copy.code).toMatch(new RegExp(`^${first!.subCategoryCode}\\.\\d+$`));
		expect(copy.code).not.toBe(first!.code);
	});

	it('builds criteria only on shared frameworks and the school’s own: another school’s private items are refused (404)', async () => {
		/** A copy of a shared framework under new identifiers, imported as `owner`'s own. */
		async function privateCopy(owner: number, identifier: string) {
			const shared = (await exportCasePackage(db, identifier, 'https://skills.example.org', null))!;
			let text = JSON.stringify(shared);
			for (const id of [shared.CFDocument.identifier, ...shared.CFItems.map((i) => i.identifier)])
				text = text.replaceAll(id, randomUUID());
			const copy = JSON.parse(text) as typeof shared;
			await importCasePackage(db, owner, null, copy);
			const ids = await db
				.selectFrom('framework_items')
				.select(['id', 'code'])
				.where(
					'identifier',
					'in',
					copy.CFItems.map((i) => i.identifier)
				)
				.execute();
			return (code: string) => ids.find((i) => i.code === code)!.id;
		}
		const { id: otherSchool } = await db
			.insertInto('schools')
			.values({ name: 'Elsewhere High', slug: 'elsewhere', created_at: '2026-01-05T09:00:00.000Z' })
			.returning('id')
			.executeTakeFirstOrThrow();
		const theirCapri = await privateCopy(otherSchool, CAPRI.identifier);
		const theirSkills = await privateCopy(otherSchool, FUSION_SKILLS.identifier);
		const ourSkills = await privateCopy(schoolId, FUSION_SKILLS.identifier);
		const teacher = await userId(db, 'teacher');
		const sharedC1 = (await capriTree(db))[0]!.subCategories[0]!.id;
		const input = async (subCategoryId: number, fusionItemId?: number) => ({
			subCategoryId,
			scaleId: await schoolScaleId(),
			title: 'Pitching to a panel',
			description: 'You pitch your product to a panel of judges.',
			descriptors: ['a a a', 'b b b', 'c c c', 'd d d', 'e e e'],
			skillOverrides: fusionItemId ? [{ fusionItemId, weight: 1 }] : []
		});
		const refusal = (work: Promise<unknown>) =>
			work.then(
				() => null,
				(e: unknown) => e
			);
		const bankSize = (await listBank(db, schoolId)).length;

		for (const attempt of [
			await input(theirCapri('C1')),
			await input(sharedC1, theirSkills('FS-01'))
		]) {
			const refused = await refusal(createCriterion(db, schoolId, teacher, attempt));
			expect(refused).toBeInstanceOf(Refusal);
			expect(refused).toMatchObject({ status: 404 });
		}
		const [first] = await listBank(db, schoolId);
		const detail = (await getCriterion(db, schoolId, first!.id))!;
		const edit = {
			title: detail.title,
			description: detail.description,
			descriptors: detail.bands.map((b) => b.descriptor),
			skillOverrides: [{ fusionItemId: theirSkills('FS-02'), weight: 1 }]
		};
		expect(await refusal(updateCriterion(db, schoolId, teacher, first!.id, edit))).toMatchObject({
			status: 404
		});
		expect((await listBank(db, schoolId)).length).toBe(bankSize);

		// The school's own private framework and the shared ones are still fine.
		await expect(
			createCriterion(db, schoolId, teacher, await input(sharedC1, ourSkills('FS-01')))
		).resolves.toBeGreaterThan(0);
	});

	it('another school cannot see or use this school’s criteria', async () => {
		const [first] = await listBank(db, schoolId);
		expect(await getCriterion(db, schoolId + 1, first!.id)).toBeUndefined();
	});
});

describe('tasks', () => {
	it('a teacher builds a task from bank criteria, orders and weights them; only that class’s students see it once published', async () => {
		const teacher = await sessionUser(db, 'teacher');
		const bank = await listBank(db, schoolId);
		const taskId = await createTask(db, teacher, 1, settings(await schoolScaleId()));
		for (const c of bank.slice(0, 3)) await addTaskCriterion(db, teacher, taskId, c.id);
		let criteria = await taskCriteria(db, taskId);
		await moveTaskCriterion(db, teacher, taskId, criteria[2]!.taskCriterionId, 'up');
		await setTaskCriterionWeight(db, teacher, taskId, criteria[0]!.taskCriterionId, 2.5);
		criteria = await taskCriteria(db, taskId);
		expect(criteria.map((c) => c.criterionId)).toEqual([bank[0]!.id, bank[2]!.id, bank[1]!.id]);
		expect(criteria[0]!.weight).toBe(2.5);

		expect(await listLearnerTasks(db, await userId(db, 'student1'))).toHaveLength(0); // still a draft
		await setTaskState(db, teacher, taskId, 'published');
		const seen = await listLearnerTasks(db, await userId(db, 'student1'));
		expect(seen).toMatchObject([
			{ id: taskId, title: 'Design a bird feeder', status: 'not_started' }
		]);
		expect(await listLearnerTasks(db, await userId(db, 'student16'))).toHaveLength(0);
	});

	it('refuses what would corrupt a record, with a reason', async () => {
		const teacher = await sessionUser(db, 'teacher');
		const bank = await listBank(db, schoolId);
		const taskId = await createTask(db, teacher, 1, settings(await schoolScaleId()));
		await expect(setTaskState(db, teacher, taskId, 'published')).rejects.toThrow(
			/at least one criterion/
		);
		await addTaskCriterion(db, teacher, taskId, bank[0]!.id);
		await expect(addTaskCriterion(db, teacher, taskId, bank[0]!.id)).rejects.toThrow(
			/already in this task/
		);
		const university = (await listScales(db, schoolId)).find((s) =>
			s.name.startsWith('University')
		)!;
		await expect(updateTaskSettings(db, teacher, taskId, settings(university.id))).rejects.toThrow(
			/Remove the criteria/
		);
		await assess(taskId, bank[0]!.id);
		const [row] = await taskCriteria(db, taskId);
		await expect(removeTaskCriterion(db, teacher, taskId, row!.taskCriterionId)).rejects.toThrow(
			/already been assessed/
		);
	});

	it('a teacher of another class cannot create or change a task there', async () => {
		const other = await sessionUser(db, 'teacher2');
		await expect(createTask(db, other, 1, settings(await schoolScaleId()))).rejects.toMatchObject({
			status: 403
		});
		const taskId = await createTask(
			db,
			await sessionUser(db, 'teacher'),
			1,
			settings(await schoolScaleId())
		);
		await expect(setTaskState(db, other, taskId, 'published')).rejects.toMatchObject({
			status: 403
		});
	});

	it('task settings are validated with clear messages', () => {
		const bad = taskSettingsSchema.safeParse({
			title: 'x',
			scaleId: 'abc',
			selfMarkerVisibility: 'sometimes',
			peerReviewersPerLearner: '9',
			dueAt: 'soon'
		});
		expect(bad.success).toBe(false);
		const messages = bad.error!.issues.map((i) => i.message);
		expect(messages).toEqual(
			expect.arrayContaining([
				'Give the task a title of at least 3 characters.',
				'At most six reviewers.',
				'Enter a date like 2026-12-01.'
			])
		);
		const window = taskSettingsSchema.safeParse({
			title: 'Fine',
			scaleId: 1,
			selfMarkerVisibility: 'always',
			peerOpensAt: '2026-12-10',
			peerClosesAt: '2026-12-01'
		});
		expect(window.error!.issues[0]!.message).toBe('The peer window must close after it opens.');
	});

	it('the penalty for not rating the team is a whole percentage, 0 when left empty', () => {
		const base = { title: 'Fine', scaleId: 1, selfMarkerVisibility: 'always' };
		const penalty = (v: unknown) =>
			taskSettingsSchema.safeParse({ ...base, nonSubmitterPenaltyPercent: v });
		expect(taskSettingsSchema.parse(base).nonSubmitterPenaltyPercent).toBe(0);
		expect(penalty('').data?.nonSubmitterPenaltyPercent).toBe(0);
		expect(penalty('10').data?.nonSubmitterPenaltyPercent).toBe(10);
		expect(penalty('100').data?.nonSubmitterPenaltyPercent).toBe(100);
		const message = (v: unknown) => penalty(v).error?.issues[0]?.message;
		expect(message('101')).toBe('The penalty for not rating cannot be above 100%.');
		expect(message('-1')).toBe('The penalty for not rating cannot be below 0%.');
		expect(message('12.5')).toBe('Give the penalty for not rating as a whole percentage.');
		expect(message('ten')).toBe('The penalty for not rating must be a number.');
	});
});

describe('learner task status', () => {
	it.each([
		[{ selfState: null, releasedAt: null, criteriaCount: 3, teacherGradedCount: 0 }, 'not_started'],
		[
			{ selfState: 'in_progress', releasedAt: null, criteriaCount: 3, teacherGradedCount: 0 },
			'in_progress'
		],
		[
			{ selfState: 'submitted', releasedAt: null, criteriaCount: 3, teacherGradedCount: 2 },
			'self_assessed'
		],
		[
			{ selfState: 'submitted', releasedAt: null, criteriaCount: 3, teacherGradedCount: 3 },
			'assessed'
		],
		[
			{
				selfState: 'submitted',
				releasedAt: '2026-11-01T00:00:00Z',
				criteriaCount: 3,
				teacherGradedCount: 3
			},
			'released'
		]
	] as const)('%o is %s', (input, status) => {
		expect(learnerTaskStatus(input)).toBe(status);
	});
});

describe('markdown briefs', () => {
	it('renders formatting and strips anything that could run or track', () => {
		const html = renderMarkdown(
			'# Brief\n**Bold** [site](https://example.org) <script>alert(1)</script> <img src=x onerror=alert(1)> [bad](javascript:alert(1))'
		);
		expect(html).toContain('<h2>Brief</h2>');
		expect(html).toContain('<strong>Bold</strong>');
		expect(html).toContain(
			'<a href="https://example.org" rel="noopener noreferrer nofollow" target="_blank">site</a>'
		);
		expect(html).not.toMatch(/script|onerror|<img|javascript:/);
	});
});
