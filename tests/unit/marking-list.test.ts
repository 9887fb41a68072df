import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DB } from '../../src/lib/server/db/connection';
import type { SessionUser } from '../../src/lib/server/auth/sessions';
import {
	saveSelfAssessment,
	submitSelfAssessment
} from '../../src/lib/server/assessment/self-assessment';
import {
	markingList,
	markingView,
	releaseGrades,
	saveTeacherGrade
} from '../../src/lib/server/assessment/marking';
import { addMarker } from '../../src/lib/server/moderation/moderation';
import {
	arrangeMarkingList,
	filterCounts,
	markingNeighbours,
	type MarkingListEntry
} from '../../src/lib/domain/marking-list';
import { markingListQuery, markingListSearch } from '../../src/lib/schemas/assessment';
import { demoDatabase, publishedTask, sessionUser } from './helpers';

const entry = (
	id: number,
	familyName: string,
	status: MarkingListEntry['status'],
	more: Partial<MarkingListEntry> = {}
): MarkingListEntry => ({
	id,
	familyName,
	givenName: 'A',
	status,
	submittedAt: null,
	largestGap: null,
	flagged: false,
	...more
});

// One learner in each state, named so that name order is not state order.
const CLASS: MarkingListEntry[] = [
	entry(1, 'Ashworth', 'not_started'),
	entry(2, 'Brooks', 'in_progress'),
	entry(3, 'Cole', 'self_assessed', { submittedAt: '2026-03-02T09:30:00.000Z', largestGap: 0 }),
	entry(4, 'Dalton', 'self_assessed', { submittedAt: '2026-03-01T15:00:00.000Z' }),
	entry(5, 'Evans', 'assessed', {
		submittedAt: '2026-03-01T10:00:00.000Z',
		largestGap: 4,
		flagged: true
	}),
	entry(6, 'Foster', 'not_started'),
	entry(7, 'Grant', 'released', { submittedAt: '2026-02-28T12:00:00.000Z', largestGap: 1 })
];
const ids = (list: readonly MarkingListEntry[]) => list.map((e) => e.id);

describe('arranging the marking list', () => {
	it('puts work ready to mark first (oldest submission first) and those not started last', () => {
		expect(ids(arrangeMarkingList(CLASS, 'all', 'state'))).toEqual([4, 3, 2, 5, 7, 1, 6]);
	});

	it('sorts by name, by submission time and by the largest gap', () => {
		expect(ids(arrangeMarkingList(CLASS, 'all', 'name'))).toEqual([1, 2, 3, 4, 5, 6, 7]);
		// Not submitted after everyone who has, by name among themselves.
		expect(ids(arrangeMarkingList(CLASS, 'all', 'submitted'))).toEqual([7, 5, 4, 3, 1, 2, 6]);
		// No gap to compare (not marked) after a gap of 0.
		expect(ids(arrangeMarkingList(CLASS, 'all', 'gap'))).toEqual([5, 7, 3, 1, 2, 4, 6]);
	});

	it('filters by state and by a flagged gap, and counts every filter over the whole class', () => {
		expect(ids(arrangeMarkingList(CLASS, 'ready', 'state'))).toEqual([4, 3]);
		expect(ids(arrangeMarkingList(CLASS, 'not_started', 'name'))).toEqual([1, 6]);
		expect(ids(arrangeMarkingList(CLASS, 'in_progress', 'name'))).toEqual([2]);
		expect(ids(arrangeMarkingList(CLASS, 'marked', 'name'))).toEqual([5, 7]);
		expect(ids(arrangeMarkingList(CLASS, 'flagged', 'name'))).toEqual([5]);
		expect(filterCounts(CLASS)).toEqual({
			all: 7,
			ready: 2,
			not_started: 2,
			in_progress: 1,
			marked: 2,
			flagged: 1
		});
	});
});

describe('[ and ] on the marking screen', () => {
	it('follow the list’s order and skip learners who have not started', () => {
		expect(markingNeighbours(CLASS, 2, 'all', 'name')).toEqual({
			previousId: null,
			nextId: 3,
			position: 1,
			total: 5
		});
		expect(markingNeighbours(CLASS, 5, 'all', 'name')).toMatchObject({ previousId: 4, nextId: 7 });
		expect(markingNeighbours(CLASS, 7, 'all', 'state')).toMatchObject({
			previousId: 5,
			nextId: null,
			position: 5
		});
	});

	it('follow the filter, and walk the not-started learners only when that is the filter', () => {
		expect(markingNeighbours(CLASS, 4, 'ready', 'state')).toEqual({
			previousId: null,
			nextId: 3,
			position: 1,
			total: 2
		});
		expect(markingNeighbours(CLASS, 1, 'not_started', 'name')).toMatchObject({
			previousId: null,
			nextId: 6,
			position: 1,
			total: 2
		});
	});

	it('keep a place for the learner on screen who no longer matches the filter', () => {
		// Evans is marked, not ready: opened from "ready to mark", the walk still goes on from them.
		expect(markingNeighbours(CLASS, 5, 'ready', 'name')).toEqual({
			previousId: 4,
			nextId: null,
			position: null,
			total: 2
		});
		// A learner who has not started, opened from the full list, can still step into it.
		expect(markingNeighbours(CLASS, 1, 'all', 'name')).toMatchObject({
			previousId: null,
			nextId: 2,
			position: null
		});
	});
});

describe('the marking list’s query in the URL', () => {
	it('reads known values and falls back to the defaults for anything else', () => {
		const read = (search: string) => markingListQuery(new URLSearchParams(search));
		expect(read('show=flagged&sort=gap')).toEqual({ show: 'flagged', sort: 'gap' });
		expect(read('')).toEqual({ show: 'all', sort: 'state' });
		expect(read('show=everything&sort=%00;drop')).toEqual({ show: 'all', sort: 'state' });
		expect(read('show=ready&show=marked&sort=NAME')).toEqual({ show: 'ready', sort: 'state' });
	});

	it('writes only what differs from the defaults', () => {
		expect(markingListSearch({ show: 'all', sort: 'state' })).toBe('');
		expect(markingListSearch({ show: 'ready', sort: 'state' })).toBe('?show=ready');
		expect(markingListSearch({ show: 'flagged', sort: 'name' })).toBe('?show=flagged&sort=name');
	});
});

describe('markingList and markingView against the database', () => {
	let db: DB;
	let schoolId: number;
	let teacher: SessionUser;
	beforeEach(async () => {
		({ db, schoolId } = await demoDatabase());
		teacher = await sessionUser(db, 'teacher');
	});
	afterEach(async () => db.destroy());

	async function classAtWork() {
		const { taskId, criteria } = await publishedTask(db, schoolId, teacher, ['C1.1', 'P1.1']);
		const selfAssess = async (username: string, values: number[], submit: boolean) => {
			const learner = await sessionUser(db, username);
			for (const [i, c] of criteria.entries())
				if (values[i] !== undefined)
					await saveSelfAssessment(db, learner, taskId, {
						kind: 'criterion',
						criterionId: c.criterionId,
						value: values[i]!
					});
			if (submit) await submitSelfAssessment(db, learner, taskId);
			return learner;
		};
		const mark = async (learnerId: number, values: number[], by = teacher) => {
			for (const [i, c] of criteria.entries())
				await saveTeacherGrade(db, by, taskId, learnerId, {
					kind: 'criterion',
					criterionId: c.criterionId,
					value: values[i]!
				});
		};
		const inProgress = await selfAssess('student2', [50], false);
		const ready = await selfAssess('student3', [50, 50], true);
		// Marked four bands below the learner's own view on the first criterion: flagged.
		const flagged = await selfAssess('student4', [90, 50], true);
		await mark(flagged.id, [10, 50]);
		const released = await selfAssess('student5', [60, 62], true);
		await mark(released.id, [55, 62]);
		await releaseGrades(db, teacher, taskId, released.id);
		return { taskId, criteria, inProgress, ready, flagged, released, mark };
	}

	it('gives each learner their state, submission time and largest self–teacher gap', async () => {
		const { taskId, inProgress, ready, flagged, released } = await classAtWork();
		const list = await markingList(db, teacher, taskId);
		const of = (id: number) => list.everyone.find((l) => l.id === id)!;
		expect(of(inProgress.id)).toMatchObject({
			status: 'in_progress',
			submittedAt: null,
			largestGap: null,
			flagged: false
		});
		expect(of(ready.id)).toMatchObject({ status: 'self_assessed', largestGap: null });
		expect(of(ready.id).submittedAt).toMatch(/^\d{4}-/);
		expect(of(flagged.id)).toMatchObject({ status: 'assessed', largestGap: 4, flagged: true });
		expect(of(released.id)).toMatchObject({ status: 'released', largestGap: 1, flagged: false });
		expect(list.counts).toEqual({
			all: 15,
			ready: 1,
			not_started: 11,
			in_progress: 1,
			marked: 2,
			flagged: 1
		});
		// Default order: ready, in progress, marked, released, then the eleven who have not started.
		expect(list.learners.slice(0, 4).map((l) => l.id)).toEqual([
			ready.id,
			inProgress.id,
			flagged.id,
			released.id
		]);
		expect(list.learners.slice(4).every((l) => l.status === 'not_started')).toBe(true);
	});

	it('filters and sorts as asked', async () => {
		const { taskId, flagged, released } = await classAtWork();
		const flaggedOnly = await markingList(db, teacher, taskId, { show: 'flagged', sort: 'name' });
		expect(flaggedOnly.learners.map((l) => l.id)).toEqual([flagged.id]);
		expect(flaggedOnly.counts.all).toBe(15);
		const byGap = await markingList(db, teacher, taskId, { show: 'marked', sort: 'gap' });
		expect(byGap.learners.map((l) => l.id)).toEqual([flagged.id, released.id]);
		const byName = await markingList(db, teacher, taskId, { show: 'all', sort: 'name' });
		const sorted = [...byName.learners].sort(
			(a, b) =>
				a.familyName.localeCompare(b.familyName, 'en-GB') ||
				a.givenName.localeCompare(b.givenName, 'en-GB')
		);
		expect(byName.learners.map((l) => l.id)).toEqual(sorted.map((l) => l.id));
	});

	it('reads the list in the same few statements however much work the class has done', async () => {
		const { taskId: emptyTask } = await publishedTask(db, schoolId, teacher, ['C1.1']);
		const { taskId } = await classAtWork();
		let statements = 0;
		const counted = db.withPlugin({
			transformQuery: (args) => {
				statements++;
				return args.node;
			},
			transformResult: async (args) => args.result
		});
		await markingList(counted, teacher, emptyTask);
		const forEmpty = statements;
		statements = 0;
		await markingList(counted, teacher, taskId, { show: 'flagged', sort: 'gap' });
		expect(statements).toBe(forEmpty);
		expect(statements).toBeLessThanOrEqual(7);
	});

	it('skips learners who have not started with [ and ], in the list’s filter and order', async () => {
		const { taskId, inProgress, ready, flagged, released } = await classAtWork();
		const view = await markingView(db, teacher, taskId, inProgress.id);
		expect([view.previousLearnerId, view.nextLearnerId]).toEqual([ready.id, flagged.id]);
		expect(view.positionLabel).toBe('2 of 4');
		const last = await markingView(db, teacher, taskId, released.id);
		expect(last.nextLearnerId).toBeNull();
		const marked = await markingView(db, teacher, taskId, flagged.id, {
			show: 'marked',
			sort: 'state'
		});
		expect([marked.previousLearnerId, marked.nextLearnerId]).toEqual([null, released.id]);
		expect(marked.positionLabel).toBe('1 of 2');
	});

	it('flags nothing a blind marker has not judged yet', async () => {
		const { taskId, criteria } = await publishedTask(db, schoolId, teacher, ['C1.1'], {
			selfMarkerVisibility: 'after_teacher'
		});
		const secondMarker = await sessionUser(db, 'teacher2');
		await addMarker(db, teacher, taskId, secondMarker.id);
		const learner = await sessionUser(db, 'student6');
		await saveSelfAssessment(db, learner, taskId, {
			kind: 'criterion',
			criterionId: criteria[0]!.criterionId,
			value: 95
		});
		await saveTeacherGrade(db, secondMarker, taskId, learner.id, {
			kind: 'criterion',
			criterionId: criteria[0]!.criterionId,
			value: 5
		});
		const forTeacher = await markingList(db, teacher, taskId);
		expect(forTeacher.everyone.find((l) => l.id === learner.id)).toMatchObject({
			flagged: false,
			largestGap: null
		});
		const forSecond = await markingList(db, secondMarker, taskId);
		expect(forSecond.everyone.find((l) => l.id === learner.id)).toMatchObject({
			flagged: true,
			largestGap: 4
		});
	});
});
