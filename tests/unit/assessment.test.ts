import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DB } from '../../src/lib/server/db/connection';
import type { SessionUser } from '../../src/lib/server/auth/sessions';
import { createTask, setTaskState } from '../../src/lib/server/tasks/tasks';
import {
	learnerAssessmentView,
	saveSelfAssessment,
	submitSelfAssessment
} from '../../src/lib/server/assessment/self-assessment';
import {
	gradeHistory,
	markingList,
	releaseGrades,
	reopenSelfAssessment,
	saveTeacherGrade
} from '../../src/lib/server/assessment/marking';
import { taskSettingsSchema } from '../../src/lib/schemas/tasks';
import { demoDatabase, publishedTask, sessionUser, userId } from './helpers';
import { GroupCommit } from '../../src/lib/server/db/group-commit';
import { saveOwnJudgementIfOpen } from '../../src/lib/server/assessment/judgements';

let db: DB;
let schoolId: number;
let teacher: SessionUser;
let learner: SessionUser;
let taskId: number;
let criteria: { criterionId: number; code: string }[];

beforeEach(async () => {
	({ db, schoolId } = await demoDatabase());
	teacher = await sessionUser(db, 'teacher');
	learner = await sessionUser(db, 'student1');
	({ taskId, criteria } = await publishedTask(db, schoolId, teacher, ['C1.1', 'R3.2']));
});
afterEach(async () => db.destroy());

const place = (who: SessionUser, criterionId: number, value: number) =>
	saveSelfAssessment(db, who, taskId, { kind: 'criterion', criterionId, value });

describe('self-assessment', () => {
	it('saves a first touch without the slower path only while the self-assessment is open, as the hot update checks', async () => {
		const [first, second] = criteria as [(typeof criteria)[0], (typeof criteria)[0]];
		const firstTouch = (criterionId: number, who = learner.id, baseRevision?: number) =>
			db
				.transaction()
				.execute((trx) =>
					saveOwnJudgementIfOpen(trx, who, taskId, { criterionId, value: 60, baseRevision })
				);
		// Based on a revision: not a first touch, so the slower path says it is stale.
		expect(await firstTouch(first.criterionId, learner.id, 3)).toBeNull();
		// No submission yet: it is started and the judgement inserted, without the slower path.
		expect(await firstTouch(first.criterionId)).toBe(1);
		expect(await firstTouch(second.criterionId)).toBe(1);
		// Touched now: the next save is the update.
		expect(await firstTouch(second.criterionId)).toBe(2);
		// Based on "nothing saved yet" (as the student's screen sends a first save), yet something
		// is: stale, and nothing changes, though the update is not tried.
		expect(await firstTouch(second.criterionId, learner.id, 0)).toBeNull();
		expect(await firstTouch(second.criterionId, learner.id, 2)).toBe(3);
		const view = await learnerAssessmentView(db, learner, taskId);
		expect(view.criteria.map((c) => c.self.value)).toEqual([60, 60]);
		expect(view.criteria.map((c) => c.self.revision)).toEqual([1, 3]);
		expect(view.selfState).toBe('in_progress');

		// Each rule on its own: the insert refuses, and nothing is written.
		const outsider = await db
			.selectFrom('memberships')
			.select('user_id')
			.where('school_id', '=', schoolId)
			.where('role', '=', 'student')
			.where('user_id', 'not in', (eb) =>
				eb.selectFrom('enrolments').select('learner_id').where('class_id', '=', 1)
			)
			.executeTakeFirstOrThrow();
		expect(await firstTouch(first.criterionId, outsider.user_id)).toBeNull();
		const outsiders = db
			.selectFrom('submissions')
			.select('id')
			.where('learner_id', '=', outsider.user_id);
		expect(await outsiders.execute()).toEqual([]);
		await db
			.insertInto('submissions')
			.values({
				task_id: taskId,
				learner_id: outsider.user_id,
				self_state: 'in_progress',
				updated_at: ''
			})
			.execute();
		expect(await firstTouch(first.criterionId, outsider.user_id)).toBeNull();
		const notInTask = 1_000_000;
		expect(await firstTouch(notInTask)).toBeNull();
		await db
			.deleteFrom('assessments')
			.where('assessor_id', '=', learner.id)
			.where('criterion_id', '=', second.criterionId)
			.execute();
		const submission = db
			.updateTable('submissions')
			.where('task_id', '=', taskId)
			.where('learner_id', '=', learner.id);
		for (const [closed, reopened] of [
			[{ self_state: 'submitted' }, { self_state: 'in_progress' }],
			[{ released_at: '2026-12-01T10:00:00.000Z' }, { released_at: null }]
		] as const) {
			await submission.set(closed).execute();
			expect(await firstTouch(second.criterionId)).toBeNull();
			await submission.set(reopened).execute();
		}
		await db.updateTable('tasks').set({ state: 'archived' }).where('id', '=', taskId).execute();
		expect(await firstTouch(second.criterionId)).toBeNull();
		await db.updateTable('tasks').set({ state: 'published' }).where('id', '=', taskId).execute();
		expect(
			await db
				.selectFrom('assessments')
				.select('id')
				.where('criterion_id', '=', second.criterionId)
				.where('role', '=', 'self')
				.execute()
		).toEqual([]);
		expect(await firstTouch(second.criterionId, learner.id, 0)).toBe(1);
	});

	it('autosaves values and reflections, bumping the revision on each save', async () => {
		expect(await place(learner, criteria[0]!.criterionId, 70)).toEqual({ revision: 1 });
		expect(
			await saveSelfAssessment(db, learner, taskId, {
				kind: 'criterion',
				criterionId: criteria[0]!.criterionId,
				comment: 'I kept eye contact.'
			})
		).toEqual({ revision: 2 });
		await saveSelfAssessment(db, learner, taskId, { kind: 'reflection', text: 'Proud of it.' });
		const view = await learnerAssessmentView(db, learner, taskId);
		expect(view.selfState).toBe('in_progress');
		expect(view.criteria[0]!.self).toEqual({
			value: 70,
			comment: 'I kept eye contact.',
			revision: 2
		});
		expect(view.overallReflection).toBe('Proud of it.');
	});

	it('refuses a learner of another class, a criterion outside the task, and a draft task', async () => {
		const outsider = await sessionUser(db, 'student16');
		await expect(place(outsider, criteria[0]!.criterionId, 50)).rejects.toMatchObject({
			status: 404
		});
		await expect(place(learner, 99999, 50)).rejects.toMatchObject({
			status: 400,
			message: 'That criterion is not part of this task.'
		});
		const draft = await createTask(
			db,
			teacher,
			1,
			taskSettingsSchema.parse({
				title: 'Draft',
				brief: '',
				scaleId: 1,
				selfMarkerVisibility: 'always'
			})
		);
		await expect(
			saveSelfAssessment(db, learner, draft, { kind: 'reflection', text: 'x' })
		).rejects.toMatchObject({ status: 404 });
		expect(await db.selectFrom('assessments').selectAll().execute()).toEqual([]);
	});

	it('submits only when every criterion is placed, then locks', async () => {
		await place(learner, criteria[0]!.criterionId, 70);
		await expect(submitSelfAssessment(db, learner, taskId)).rejects.toThrow(/Still to do: R3\.2/);
		await place(learner, criteria[1]!.criterionId, 45);
		await submitSelfAssessment(db, learner, taskId);
		await expect(place(learner, criteria[1]!.criterionId, 90)).rejects.toMatchObject({
			status: 409
		});
		const stored = await db
			.selectFrom('assessments')
			.select('value')
			.where('criterion_id', '=', criteria[1]!.criterionId)
			.executeTakeFirstOrThrow();
		expect(stored.value).toBe(45);
		await reopenSelfAssessment(db, teacher, taskId, learner.id);
		await place(learner, criteria[1]!.criterionId, 90);
	});
});

describe('autosave under load', () => {
	it('a class saving at once is answered save by save, each with its own revision', async () => {
		const classmates = await Promise.all(
			['student2', 'student3', 'student4', 'student5'].map((username) => sessionUser(db, username))
		);
		for (const who of classmates) await place(who, criteria[0]!.criterionId, 10); // first touch: the slower path
		const answers = await Promise.all(
			classmates.map((who, i) => place(who, criteria[0]!.criterionId, 60 + i))
		);
		expect(answers).toEqual(classmates.map(() => ({ revision: 2 })));
		const stored = await db
			.selectFrom('assessments')
			.select(['assessor_id', 'value'])
			.where('role', '=', 'self')
			.orderBy('assessor_id')
			.execute();
		expect(stored.map((r) => r.value)).toEqual([60, 61, 62, 63]);
	});

	it('group commit: writes queued together share one transaction, and a failing write fails alone', async () => {
		const group = new GroupCommit(db);
		const seen = new Set<unknown>();
		const write = (title: string) =>
			group.run(async (trx) => {
				seen.add(trx);
				if (title === 'bad') throw new Error('refused');
				await trx.updateTable('tasks').set({ title }).where('id', '=', taskId).execute();
				return title;
			});
		expect(await Promise.all([write('a'), write('b'), write('c')])).toEqual(['a', 'b', 'c']);
		expect(seen.size).toBe(1);
		const outcomes = await Promise.allSettled([write('d'), write('bad'), write('e')]);
		expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
		expect(
			(
				await db
					.selectFrom('tasks')
					.select('title')
					.where('id', '=', taskId)
					.executeTakeFirstOrThrow()
			).title
		).toBe('e');
	});

	it('the one-statement path keeps every rule once a judgement exists: archived task, submitted work', async () => {
		await place(learner, criteria[0]!.criterionId, 30);
		await setTaskState(db, teacher, taskId, 'archived');
		await expect(place(learner, criteria[0]!.criterionId, 80)).rejects.toMatchObject({
			status: 404
		});
		await setTaskState(db, teacher, taskId, 'published');
		await place(learner, criteria[1]!.criterionId, 40);
		await submitSelfAssessment(db, learner, taskId);
		await expect(place(learner, criteria[0]!.criterionId, 80)).rejects.toMatchObject({
			status: 409
		});
		const stored = await db
			.selectFrom('assessments')
			.select('value')
			.where('criterion_id', '=', criteria[0]!.criterionId)
			.executeTakeFirstOrThrow();
		expect(stored.value).toBe(30);
	});
});

describe('marking and release', () => {
	async function selfAssessAndSubmit() {
		await place(learner, criteria[0]!.criterionId, 70);
		await place(learner, criteria[1]!.criterionId, 45);
		await submitSelfAssessment(db, learner, taskId);
	}
	const grade = (criterionId: number, value: number, reason?: string) =>
		saveTeacherGrade(db, teacher, taskId, learner.id, {
			kind: 'criterion',
			criterionId,
			value,
			reason
		});

	it('only a teacher of the class may grade, and only learners of the class', async () => {
		const otherTeacher = await sessionUser(db, 'teacher2');
		await expect(
			saveTeacherGrade(db, otherTeacher, taskId, learner.id, {
				kind: 'criterion',
				criterionId: criteria[0]!.criterionId,
				value: 50
			})
		).rejects.toMatchObject({ status: 403 });
		await expect(
			saveTeacherGrade(db, teacher, taskId, await userId(db, 'student16'), {
				kind: 'overall',
				text: 'x'
			})
		).rejects.toMatchObject({ status: 404 });
	});

	it('keeps teacher grades from the learner until released, and releases only the fully graded', async () => {
		await selfAssessAndSubmit();
		await grade(criteria[0]!.criterionId, 50);
		expect((await learnerAssessmentView(db, learner, taskId)).criteria[0]!.teacher).toBeNull();
		await expect(releaseGrades(db, teacher, taskId, learner.id)).rejects.toThrow(
			'Grade all 2 criteria before releasing (1 done).'
		);
		expect(await releaseGrades(db, teacher, taskId, 'all')).toEqual({ released: 0, notReady: 15 });
		await grade(criteria[1]!.criterionId, 45);
		expect(await releaseGrades(db, teacher, taskId, 'all')).toEqual({ released: 1, notReady: 14 });
		const view = await learnerAssessmentView(db, learner, taskId);
		expect(view.criteria[0]!.teacher).toMatchObject({
			value: 50,
			gap: { bands: 1, sentence: 'You placed yourself one band above your teacher.' }
		});
		expect(view.criteria[1]!.teacher!.gap!.bands).toBe(0);
		const list = await markingList(db, teacher, taskId);
		expect(list.learners.find((l) => l.id === learner.id)).toMatchObject({
			status: 'released',
			selfPlaced: 2,
			teacherGraded: 2
		});
	});

	it('holds released grades back until the learner self-assesses, when the task asks for that', async () => {
		await grade(criteria[0]!.criterionId, 50);
		await grade(criteria[1]!.criterionId, 45);
		await releaseGrades(db, teacher, taskId, learner.id);
		const before = await learnerAssessmentView(db, learner, taskId);
		expect(before.gradesWaitingForSelf).toBe(true);
		expect(before.criteria.every((c) => c.teacher === null)).toBe(true);
		await selfAssessAndSubmit();
		expect((await learnerAssessmentView(db, learner, taskId)).released).not.toBeNull();
	});

	it('a change after release needs a reason and is audited with old and new values', async () => {
		await selfAssessAndSubmit();
		await grade(criteria[0]!.criterionId, 50);
		await grade(criteria[1]!.criterionId, 45);
		await releaseGrades(db, teacher, taskId, learner.id);
		await expect(grade(criteria[0]!.criterionId, 65)).rejects.toMatchObject({ status: 409 });
		await expect(grade(criteria[0]!.criterionId, 65, '   ')).rejects.toMatchObject({ status: 409 });
		await grade(criteria[0]!.criterionId, 65, 'Moderated with the department');
		const history = await gradeHistory(db, teacher, taskId, learner.id);
		const change = history.find((h) => h.action === 'grade.change_after_release')!;
		expect(change).toMatchObject({
			reason: 'Moderated with the department',
			before: { criterionId: criteria[0]!.criterionId, value: 50 },
			after: { criterionId: criteria[0]!.criterionId, value: 65 }
		});
		expect(history.some((h) => h.action === 'grades.release')).toBe(true);
	});
});
