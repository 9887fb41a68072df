import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DB } from '../../src/lib/server/db/connection';
import type { SessionUser } from '../../src/lib/server/auth/sessions';
import { saveSelfAssessment } from '../../src/lib/server/assessment/self-assessment';
import { markingView, saveTeacherGrade } from '../../src/lib/server/assessment/marking';
import { addMarker } from '../../src/lib/server/moderation/moderation';
import { demoDatabase, publishedTask, sessionUser } from './helpers';

// Found by the red-team pass: with "show the learner's own marker only after I have placed my own"
// the marking screen hid the learner's marker and the other marker's grade, but the page data
// carried them, so anyone reading it saw them before placing their own.

let db: DB;
let schoolId: number;
let teacher: SessionUser;
let secondMarker: SessionUser;
let learner: SessionUser;

const LEARNER_VALUES = [61.5, 62.5];
const SECOND_MARKER_VALUE = 83.5;
const SECOND_MARKER_COMMENT = 'second-marker-comment';

beforeEach(async () => {
	({ db, schoolId } = await demoDatabase());
	[teacher, secondMarker, learner] = [
		await sessionUser(db, 'teacher'),
		await sessionUser(db, 'teacher2'),
		await sessionUser(db, 'student1')
	];
});
afterEach(async () => db.destroy());

async function markedTask(selfMarkerVisibility: 'always' | 'after_teacher') {
	const { taskId, criteria } = await publishedTask(db, schoolId, teacher, ['C1.1', 'R3.2'], {
		selfMarkerVisibility
	});
	await addMarker(db, teacher, taskId, secondMarker.id);
	for (const [i, c] of criteria.entries())
		await saveSelfAssessment(db, learner, taskId, {
			kind: 'criterion',
			criterionId: c.criterionId,
			value: LEARNER_VALUES[i]!,
			comment: `reflection ${i}`
		});
	for (const c of criteria)
		await saveTeacherGrade(db, secondMarker, taskId, learner.id, {
			kind: 'criterion',
			criterionId: c.criterionId,
			value: SECOND_MARKER_VALUE,
			comment: SECOND_MARKER_COMMENT
		});
	return { taskId, criteria };
}

describe('a blind first judgement (self marker shown only after the teacher’s own)', () => {
	it('sends neither the learner’s marker nor other markers’ grades until this marker has placed theirs, per criterion', async () => {
		const { taskId, criteria } = await markedTask('after_teacher');
		const before = await markingView(db, teacher, taskId, learner.id);
		for (const c of before.criteria) {
			expect(c.blind).toBe(true);
			expect(c.self).toMatchObject({ value: null, placed: true });
			expect(c.otherMarkers).toEqual([{ name: expect.any(String), value: null, comment: '' }]);
		}
		const text = JSON.stringify(before);
		for (const v of [...LEARNER_VALUES, SECOND_MARKER_VALUE]) expect(text).not.toContain(String(v));
		expect(text).not.toContain(SECOND_MARKER_COMMENT);
		// What the setting does not hide stays: the learner's reflections, the teacher's own work.
		expect(before.criteria.map((c) => c.self.comment)).toEqual(['reflection 0', 'reflection 1']);

		await saveTeacherGrade(db, teacher, taskId, learner.id, {
			kind: 'criterion',
			criterionId: criteria[0]!.criterionId,
			value: 40
		});
		const after = await markingView(db, teacher, taskId, learner.id);
		expect(after.criteria[0]).toMatchObject({
			blind: false,
			self: { value: LEARNER_VALUES[0], placed: true },
			teacher: { value: 40 },
			otherMarkers: [{ value: SECOND_MARKER_VALUE, comment: SECOND_MARKER_COMMENT }]
		});
		expect(after.criteria[1]).toMatchObject({
			blind: true,
			self: { value: null, placed: true },
			otherMarkers: [{ value: null, comment: '' }]
		});

		// Each marker's own grade is what counts: the second marker has placed both criteria, so sees
		// the learner's marker on both; a grade cleared again makes the criterion blind again.
		const second = await markingView(db, secondMarker, taskId, learner.id);
		expect(second.criteria.map((c) => [c.blind, c.self.value])).toEqual([
			[false, LEARNER_VALUES[0]],
			[false, LEARNER_VALUES[1]]
		]);
		await saveTeacherGrade(db, teacher, taskId, learner.id, {
			kind: 'criterion',
			criterionId: criteria[0]!.criterionId,
			value: null
		});
		expect((await markingView(db, teacher, taskId, learner.id)).criteria[0]!.self.value).toBeNull();
	});

	it('with the marker always shown, sends everything from the start', async () => {
		const { taskId } = await markedTask('always');
		const view = await markingView(db, teacher, taskId, learner.id);
		expect(view.criteria.map((c) => [c.blind, c.self.value, c.otherMarkers[0]!.value])).toEqual([
			[false, LEARNER_VALUES[0], SECOND_MARKER_VALUE],
			[false, LEARNER_VALUES[1], SECOND_MARKER_VALUE]
		]);
	});

	it('says whether the learner has placed a criterion, without its value', async () => {
		const { taskId, criteria } = await publishedTask(db, schoolId, teacher, ['C1.1'], {
			selfMarkerVisibility: 'after_teacher'
		});
		expect((await markingView(db, teacher, taskId, learner.id)).criteria[0]!.self).toEqual({
			value: null,
			placed: false,
			comment: ''
		});
		await saveSelfAssessment(db, learner, taskId, {
			kind: 'criterion',
			criterionId: criteria[0]!.criterionId,
			value: 30
		});
		expect((await markingView(db, teacher, taskId, learner.id)).criteria[0]!.self).toEqual({
			value: null,
			placed: true,
			comment: ''
		});
	});
});
