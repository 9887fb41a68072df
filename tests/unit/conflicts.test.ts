import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DB } from '../../src/lib/server/db/connection';
import type { SessionUser } from '../../src/lib/server/auth/sessions';
import {
	learnerAssessmentView,
	saveSelfAssessment,
	submitSelfAssessment
} from '../../src/lib/server/assessment/self-assessment';
import { markingView, saveTeacherGrade } from '../../src/lib/server/assessment/marking';
import { addPeerPair } from '../../src/lib/server/peer/allocation';
import { peerReviewView, savePeerReview } from '../../src/lib/server/peer/reviewing';
import { demoDatabase, publishedTask, sessionUser } from './helpers';

// No edit lost between two tabs or devices: every save names the revision it was based on, and a
// save based on a revision that is no longer the stored one is refused (409) with the current
// version, changing nothing.

let db: DB;
let teacher: SessionUser;
let learner: SessionUser;
let taskId: number;
let criterionId: number;

beforeEach(async () => {
	let schoolId: number;
	({ db, schoolId } = await demoDatabase());
	teacher = await sessionUser(db, 'teacher');
	learner = await sessionUser(db, 'student1');
	const task = await publishedTask(db, schoolId, teacher, ['C1.1'], {
		peerEnabled: 'on',
		peerReviewersPerLearner: '2',
		peerAllocation: 'random'
	});
	taskId = task.taskId;
	criterionId = task.criteria[0]!.criterionId;
});
afterEach(async () => db.destroy());

const stale = { status: 409, message: 'This was changed in another tab or device.' };

describe('self-assessment saves check the revision they were based on', () => {
	const self = (change: Record<string, unknown>) =>
		saveSelfAssessment(db, learner, taskId, { kind: 'criterion', criterionId, ...change });
	const stored = async () => (await learnerAssessmentView(db, learner, taskId)).criteria[0]!.self;

	it('a first save is based on revision 0; a second "first" save from another tab is refused', async () => {
		expect(await self({ value: 70, baseRevision: 0 })).toEqual({ revision: 1 });
		await expect(self({ value: 20, baseRevision: 0 })).rejects.toMatchObject({
			...stale,
			details: { current: { value: 70, comment: '', revision: 1 } }
		});
		expect(await stored()).toEqual({ value: 70, comment: '', revision: 1 });
	});

	it('the one-statement path saves on the right base (revision + 1) and refuses a stale one, changing nothing', async () => {
		await self({ value: 70, baseRevision: 0 });
		// Tab B saves on top of revision 1 …
		expect(await self({ value: 80, comment: 'From tab B', baseRevision: 1 })).toEqual({
			revision: 2
		});
		// … then tab A, still on revision 1, saves: refused with B's version.
		await expect(self({ value: 30, baseRevision: 1 })).rejects.toMatchObject({
			...stale,
			details: { current: { value: 80, comment: 'From tab B', revision: 2 } }
		});
		expect(await stored()).toEqual({ value: 80, comment: 'From tab B', revision: 2 });
		// "Keep mine": resend on the server's revision.
		expect(await self({ value: 30, baseRevision: 2 })).toEqual({ revision: 3 });
		expect(await stored()).toEqual({ value: 30, comment: 'From tab B', revision: 3 });
	});

	it('the overall reflection has a revision and is checked the same way', async () => {
		const reflect = (text: string, baseRevision: number) =>
			saveSelfAssessment(db, learner, taskId, { kind: 'reflection', text, baseRevision });
		expect((await learnerAssessmentView(db, learner, taskId)).overallReflectionRevision).toBe(0);
		expect(await reflect('From tab B', 0)).toEqual({ revision: 1 });
		await expect(reflect('From tab A', 0)).rejects.toMatchObject({
			...stale,
			details: { current: { text: 'From tab B', revision: 1 } }
		});
		let view = await learnerAssessmentView(db, learner, taskId);
		expect([view.overallReflection, view.overallReflectionRevision]).toEqual(['From tab B', 1]);
		expect(await reflect('From tab A', 1)).toEqual({ revision: 2 });
		view = await learnerAssessmentView(db, learner, taskId);
		expect([view.overallReflection, view.overallReflectionRevision]).toEqual(['From tab A', 2]);
	});
});

describe('peer review saves check the revision they were based on', () => {
	it('refuses a stale save with the current version and saves on the right base', async () => {
		const reviewer = await sessionUser(db, 'student2');
		// Only submitted work is reviewed.
		await saveSelfAssessment(db, learner, taskId, { kind: 'criterion', criterionId, value: 50 });
		await submitSelfAssessment(db, learner, taskId);
		await addPeerPair(db, teacher, taskId, reviewer.id, learner.id);
		const { id: allocationId } = await db
			.selectFrom('peer_allocations')
			.select('id')
			.executeTakeFirstOrThrow();
		const review = (change: Record<string, unknown>) =>
			savePeerReview(db, reviewer, allocationId, { kind: 'criterion', criterionId, ...change });
		const stored = async () => {
			const { value, comment, revision } = (await peerReviewView(db, reviewer, allocationId))
				.criteria[0]!;
			return { value, comment, revision };
		};
		expect(await review({ value: 60, comment: 'Clear', baseRevision: 0 })).toEqual({
			revision: 1
		});
		await expect(review({ value: 10, baseRevision: 0 })).rejects.toMatchObject({
			...stale,
			details: { current: { value: 60, comment: 'Clear', revision: 1 } }
		});
		expect(await review({ value: 65, baseRevision: 1 })).toEqual({ revision: 2 });
		await expect(review({ comment: 'Old tab', baseRevision: 1 })).rejects.toMatchObject(stale);
		expect(await stored()).toEqual({ value: 65, comment: 'Clear', revision: 2 });
	});
});

describe('teacher marking saves check the revision they were based on', () => {
	const mark = (change: Record<string, unknown>) =>
		saveTeacherGrade(db, teacher, taskId, learner.id, {
			kind: 'criterion',
			criterionId,
			...change
		});
	const stored = async () => (await markingView(db, teacher, taskId, learner.id)).criteria[0]!;

	it('grades and comments: a stale save is refused with the current version, nothing changes', async () => {
		expect(await mark({ value: 50, comment: 'Good start', baseRevision: 0 })).toEqual({
			revision: 1
		});
		expect(await mark({ comment: 'From the laptop', baseRevision: 1 })).toEqual({ revision: 2 });
		await expect(mark({ comment: 'From the tablet', baseRevision: 1 })).rejects.toMatchObject({
			...stale,
			details: { current: { value: 50, comment: 'From the laptop', revision: 2 } }
		});
		await expect(mark({ value: 90, baseRevision: 0 })).rejects.toMatchObject(stale);
		expect((await stored()).teacher).toEqual({
			value: 50,
			comment: 'From the laptop',
			revision: 2
		});
		expect(await mark({ comment: 'From the tablet', baseRevision: 2 })).toEqual({ revision: 3 });
		expect((await stored()).teacher).toEqual({
			value: 50,
			comment: 'From the tablet',
			revision: 3
		});
	});

	it('the overall comment is checked the same way', async () => {
		const overall = (text: string, baseRevision: number) =>
			saveTeacherGrade(db, teacher, taskId, learner.id, { kind: 'overall', text, baseRevision });
		expect(await overall('From the laptop', 0)).toEqual({ revision: 1 });
		await expect(overall('From the tablet', 0)).rejects.toMatchObject({
			...stale,
			details: { current: { text: 'From the laptop', revision: 1 } }
		});
		let view = await markingView(db, teacher, taskId, learner.id);
		expect([view.overallComment, view.overallCommentRevision]).toEqual(['From the laptop', 1]);
		expect(await overall('From the tablet', 1)).toEqual({ revision: 2 });
		view = await markingView(db, teacher, taskId, learner.id);
		expect([view.overallComment, view.overallCommentRevision]).toEqual(['From the tablet', 2]);
	});
});
