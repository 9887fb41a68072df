import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DB } from '../../src/lib/server/db/connection';
import type { SessionUser } from '../../src/lib/server/auth/sessions';
import {
	learnerAssessmentView,
	saveSelfAssessment,
	submitSelfAssessment,
	withdrawSelfAssessment
} from '../../src/lib/server/assessment/self-assessment';
import {
	gradeHistory,
	holdGrades,
	markingList,
	markingView,
	releaseGrades,
	saveTeacherGrade
} from '../../src/lib/server/assessment/marking';
import { addMarker, recordAgreedGrade } from '../../src/lib/server/moderation/moderation';
import { allocatePeers, peerOverview } from '../../src/lib/server/peer/allocation';
import { savePeerReview, submitPeerReview } from '../../src/lib/server/peer/reviewing';
import { createBadge } from '../../src/lib/server/badges/badges';
import {
	badgeWorkbench,
	issueBadge,
	issueBadgeToProposed
} from '../../src/lib/server/badges/awards';
import { capriTree } from '../../src/lib/server/frameworks/frameworks';
import { releasedResults } from '../../src/lib/server/profiles/results';
import { askToConfirm, isConfirmed } from '../../src/lib/schemas/forms';
import { demoDatabase, publishedTask, sessionUser } from './helpers';

// Issue 13 item 9: what can be undone, by whom, until when, and what is written down.

const ORIGIN = 'https://skills.school.example';
let db: DB;
let schoolId: number;
let teacher: SessionUser;
let learner: SessionUser;
let taskId: number;
let criteria: { criterionId: number }[];

beforeEach(async () => {
	({ db, schoolId } = await demoDatabase());
	teacher = await sessionUser(db, 'teacher');
	learner = await sessionUser(db, 'student1');
	({ taskId, criteria } = await publishedTask(db, schoolId, teacher, ['C1.1', 'R3.2'], {
		peerEnabled: 'on',
		peerReviewersPerLearner: '2',
		peerAllocation: 'random'
	}));
});
afterEach(async () => db.destroy());

async function handIn(who: SessionUser, value = 60) {
	for (const c of criteria)
		await saveSelfAssessment(db, who, taskId, {
			kind: 'criterion',
			criterionId: c.criterionId,
			value
		});
	await submitSelfAssessment(db, who, taskId);
}

async function gradeAll(marker: SessionUser, who: SessionUser, value = 70) {
	for (const c of criteria)
		await saveTeacherGrade(db, marker, taskId, who.id, {
			kind: 'criterion',
			criterionId: c.criterionId,
			value
		});
}

const auditOf = (action: string) =>
	db.selectFrom('audit_log').selectAll().where('action', '=', action).execute();

describe('confirming once', () => {
	it('an action is done only when its form carries the confirmation', () => {
		const form = new FormData();
		expect(isConfirmed(form)).toBe(false);
		form.set('confirmed', 'no');
		expect(isConfirmed(form)).toBe(false);
		form.set('confirmed', 'yes');
		expect(isConfirmed(form)).toBe(true);
		expect(askToConfirm()).toEqual({ confirm: true });
	});
});

describe('taking back a submission', () => {
	it('is allowed until marking starts: back to in progress, editable, recorded, and submittable again', async () => {
		await handIn(learner);
		expect((await learnerAssessmentView(db, learner, taskId)).mayWithdraw).toBe(true);
		await withdrawSelfAssessment(db, learner, taskId);
		const view = await learnerAssessmentView(db, learner, taskId);
		expect(view.selfState).toBe('in_progress');
		expect(view.mayWithdraw).toBe(false);
		// The judgements are kept and can be changed again.
		expect(view.criteria[0]!.self.value).toBe(60);
		await saveSelfAssessment(db, learner, taskId, {
			kind: 'criterion',
			criterionId: criteria[0]!.criterionId,
			value: 40
		});
		const [entry] = await auditOf('self.withdraw');
		expect(entry).toMatchObject({ actor_id: learner.id, entity_type: 'submission' });
		await submitSelfAssessment(db, learner, taskId);
		expect((await learnerAssessmentView(db, learner, taskId)).selfState).toBe('submitted');
		// The teacher's history of this learner's work shows it.
		const history = await gradeHistory(db, teacher, taskId, learner.id);
		expect(history.map((h) => h.action)).toEqual(['self.submit', 'self.withdraw', 'self.submit']);
	});

	it('is refused once the class’s teacher has placed a grade, and changes nothing', async () => {
		await handIn(learner);
		await saveTeacherGrade(db, teacher, taskId, learner.id, {
			kind: 'criterion',
			criterionId: criteria[0]!.criterionId,
			value: 55
		});
		expect((await learnerAssessmentView(db, learner, taskId)).mayWithdraw).toBe(false);
		await expect(withdrawSelfAssessment(db, learner, taskId)).rejects.toMatchObject({
			status: 409,
			message: expect.stringMatching(/started marking/)
		});
		expect((await learnerAssessmentView(db, learner, taskId)).selfState).toBe('submitted');
		expect(await auditOf('self.withdraw')).toEqual([]);
	});

	it('is refused once a second marker has graded or commented, or an agreed grade is recorded', async () => {
		const secondMarker = await sessionUser(db, 'teacher2');
		await addMarker(db, teacher, taskId, secondMarker.id);
		await handIn(learner);
		await saveTeacherGrade(db, secondMarker, taskId, learner.id, {
			kind: 'criterion',
			criterionId: criteria[1]!.criterionId,
			comment: 'Started reading this.'
		});
		await expect(withdrawSelfAssessment(db, learner, taskId)).rejects.toMatchObject({
			status: 409
		});

		const other = await sessionUser(db, 'student2');
		await handIn(other);
		await recordAgreedGrade(db, teacher, taskId, other.id, criteria[0]!.criterionId, 50, '');
		await expect(withdrawSelfAssessment(db, other, taskId)).rejects.toMatchObject({
			status: 409
		});
	});

	it('is refused for work not submitted, and for anyone but the learner of the class', async () => {
		await expect(withdrawSelfAssessment(db, learner, taskId)).rejects.toMatchObject({
			status: 409,
			message: expect.stringMatching(/nothing to take back/)
		});
		await handIn(learner);
		// Another class's learner cannot reach the task at all.
		const outsider = await sessionUser(db, 'student16');
		await expect(withdrawSelfAssessment(db, outsider, taskId)).rejects.toMatchObject({
			status: 404
		});
		// A classmate has no submission of theirs to take back (and cannot touch student1's).
		const classmate = await sessionUser(db, 'student2');
		await expect(withdrawSelfAssessment(db, classmate, taskId)).rejects.toMatchObject({
			status: 409
		});
		expect((await learnerAssessmentView(db, learner, taskId)).selfState).toBe('submitted');
	});

	it('follows the teacher’s reopen for peer review: its reviews count nowhere until it is back, and no pair is added or lost', async () => {
		const [a, b, c] = [
			learner,
			await sessionUser(db, 'student2'),
			await sessionUser(db, 'student3')
		];
		for (const who of [a, b, c]) await handIn(who);
		await allocatePeers(db, teacher, taskId, 5);
		const before = (await peerOverview(db, teacher, taskId)).allocations.map((x) => x.id);
		const reviewOfA = (await peerOverview(db, teacher, taskId)).allocations.find(
			(x) => x.revieweeId === a.id
		)!;
		const reviewer = [b, c].find((r) => r.id === reviewOfA.reviewerId)!;
		for (const cr of criteria)
			await savePeerReview(db, reviewer, reviewOfA.id, {
				kind: 'criterion',
				criterionId: cr.criterionId,
				value: 80
			});
		await submitPeerReview(db, reviewer, reviewOfA.id);
		const counted = async () =>
			(await markingView(db, teacher, taskId, a.id)).criteria[0]!.peers!.consensus?.counted ?? 0;
		expect(await counted()).toBe(1);

		await withdrawSelfAssessment(db, a, taskId);
		expect(await counted()).toBe(0);
		const withdrawn = await peerOverview(db, teacher, taskId);
		expect(withdrawn.allocations.map((x) => x.id)).toEqual(before);
		expect(withdrawn.allocations.find((x) => x.id === reviewOfA.id)!.workSubmitted).toBe(false);

		await submitSelfAssessment(db, a, taskId);
		expect(await counted()).toBe(1);
		// Handing in again gives no extra reviewers: the pairs are exactly the ones allocated.
		expect((await peerOverview(db, teacher, taskId)).allocations.map((x) => x.id)).toEqual(before);
	});
});

describe('holding released grades back again', () => {
	beforeEach(async () => {
		await handIn(learner);
		await gradeAll(teacher, learner);
		await releaseGrades(db, teacher, taskId, learner.id);
	});

	it('the class’s teacher holds them: the learner no longer sees them, it is recorded, and they can be released again', async () => {
		expect((await learnerAssessmentView(db, learner, taskId)).released).not.toBeNull();
		await holdGrades(db, teacher, taskId, learner.id);
		const view = await learnerAssessmentView(db, learner, taskId);
		expect(view.released).toBeNull();
		expect(view.criteria.every((c) => c.teacher === null)).toBe(true);
		expect((await releasedResults(db, { schoolId, learnerId: learner.id })).get(learner.id)).toBe(
			undefined
		);
		const [entry] = await auditOf('grades.unrelease');
		expect(entry).toMatchObject({ actor_id: teacher.id, entity_type: 'submission' });
		expect(JSON.parse(entry!.before_json!)).toHaveProperty('releasedAt');
		expect(
			(await markingList(db, teacher, taskId)).learners.find((l) => l.id === learner.id)
		).toMatchObject({ released: false, readyToRelease: true });
		expect((await gradeHistory(db, teacher, taskId, learner.id))[0]!.action).toBe(
			'grades.unrelease'
		);
		await releaseGrades(db, teacher, taskId, learner.id);
		expect((await learnerAssessmentView(db, learner, taskId)).released).not.toBeNull();
	});

	it('is refused to a second marker, a teacher of another class, and when nothing is released', async () => {
		// teacher2 teaches class 2: first a stranger to this task, then its second marker.
		const teacher2 = await sessionUser(db, 'teacher2');
		await expect(holdGrades(db, teacher2, taskId, learner.id)).rejects.toMatchObject({
			status: 403
		});
		await addMarker(db, teacher, taskId, teacher2.id);
		await expect(holdGrades(db, teacher2, taskId, learner.id)).rejects.toMatchObject({
			status: 403,
			message: expect.stringMatching(/Only the class’s teacher/)
		});
		await expect(holdGrades(db, learner, taskId, learner.id)).rejects.toBeTruthy();
		expect((await learnerAssessmentView(db, learner, taskId)).released).not.toBeNull();
		expect(await auditOf('grades.unrelease')).toEqual([]);

		const notReleased = await sessionUser(db, 'student2');
		await expect(holdGrades(db, teacher, taskId, notReleased.id)).rejects.toMatchObject({
			status: 409
		});
	});

	it('leaves badges already issued from those grades issued, and stops proposing new ones', async () => {
		const capri = (await capriTree(db)).find((c) => c.code === 'C')!.id;
		const admin = await sessionUser(db, 'admin');
		const rule = { kind: 'capri' as const, target: 'C', minBand: 0, minTasks: 1 };
		const badgeInput = (name: string) => ({
			name,
			description: 'Speaks up.',
			criteriaNarrative: 'Any band on a communication criterion.',
			layer: 'engage' as const,
			rule,
			alignmentItemIds: [capri]
		});
		const issued = await createBadge(db, admin, badgeInput('Speaker'));
		const later = await createBadge(db, admin, badgeInput('Second speaker'));
		const identifier = await issueBadge(db, teacher, issued, learner.id, ORIGIN);
		const proposedLater = async () =>
			(await badgeWorkbench(db, teacher)).proposals.some(
				(p) => p.badgeId === later && p.learnerId === learner.id
			);
		expect(await proposedLater()).toBe(true);

		await holdGrades(db, teacher, taskId, learner.id);
		const bench = await badgeWorkbench(db, teacher);
		expect(bench.issued.find((a) => a.identifier === identifier)).toMatchObject({
			state: 'issued'
		});
		expect(await proposedLater()).toBe(false);
	});
});

describe('issuing a badge to several learners at once', () => {
	it('issues to the confirmed learners the rules still propose, and counts the rest', async () => {
		const others = [await sessionUser(db, 'student2'), await sessionUser(db, 'student3')];
		for (const who of [learner, ...others]) {
			await handIn(who);
			await gradeAll(teacher, who);
			await releaseGrades(db, teacher, taskId, who.id);
		}
		const admin = await sessionUser(db, 'admin');
		const badgeId = await createBadge(db, admin, {
			name: 'Team speaker',
			description: 'Speaks up.',
			criteriaNarrative: 'Any band on a communication criterion.',
			layer: 'engage',
			rule: { kind: 'capri', target: 'C', minBand: 0, minTasks: 1 },
			alignmentItemIds: [(await capriTree(db)).find((c) => c.code === 'C')!.id]
		});
		await issueBadge(db, teacher, badgeId, others[1]!.id, ORIGIN);
		const notInClass = await sessionUser(db, 'student16');
		expect(
			await issueBadgeToProposed(
				db,
				teacher,
				badgeId,
				[learner.id, others[0]!.id, others[1]!.id, notInClass.id],
				ORIGIN
			)
		).toEqual({ issued: 2, leftOut: 2 });
		const holders = (await badgeWorkbench(db, teacher)).issued
			.filter((a) => a.badgeId === badgeId && a.state === 'issued')
			.map((a) => a.learnerId)
			.sort();
		expect(holders).toEqual([learner.id, others[0]!.id, others[1]!.id].sort());
		expect((await auditOf('badge.issue')).length).toBe(3);
		await expect(
			issueBadgeToProposed(db, teacher, badgeId, [learner.id], ORIGIN)
		).rejects.toMatchObject({ status: 409 });
	});
});
