import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DB } from '../../src/lib/server/db/connection';
import type { SessionUser } from '../../src/lib/server/auth/sessions';
import {
	learnerAssessmentView,
	saveSelfAssessment,
	submitSelfAssessment
} from '../../src/lib/server/assessment/self-assessment';
import {
	markingView,
	releaseGrades,
	reopenSelfAssessment,
	saveTeacherGrade
} from '../../src/lib/server/assessment/marking';
import {
	addPeerPair,
	allocatePeers,
	peerOverview,
	setReviewExcluded
} from '../../src/lib/server/peer/allocation';
import {
	myReviews,
	peerReviewView,
	savePeerReview,
	submitPeerReview
} from '../../src/lib/server/peer/reviewing';
import {
	createGroup,
	groupsOverview,
	saveContributionRatings
} from '../../src/lib/server/peer/groups';
import { moderationMatrix, recordAgreedGrade } from '../../src/lib/server/moderation/moderation';
import {
	placeLive,
	setLiveState,
	startLiveSession,
	liveSnapshot,
	learnerLiveSnapshot,
	liveSessionForLearner
} from '../../src/lib/server/live/live';
import { learnerProfile } from '../../src/lib/server/profiles/profiles';
import { unenrolLearner } from '../../src/lib/server/classes/classes';
import { demoDatabase, publishedTask, sessionUser } from './helpers';

let db: DB;
let schoolId: number;
let teacher: SessionUser;
let taskId: number;
let criteria: { criterionId: number }[];

beforeEach(async () => {
	({ db, schoolId } = await demoDatabase());
	teacher = await sessionUser(db, 'teacher');
	({ taskId, criteria } = await publishedTask(db, schoolId, teacher, ['C1.1', 'R3.2'], {
		peerEnabled: 'on',
		peerReviewersPerLearner: '2',
		peerAllocation: 'random'
	}));
});
afterEach(async () => db.destroy());

/** A learner places every slider and hands the work in. */
async function handIn(username: string, value = 50) {
	const learner = await sessionUser(db, username);
	for (const c of criteria)
		await saveSelfAssessment(db, learner, taskId, {
			kind: 'criterion',
			criterionId: c.criterionId,
			value
		});
	await submitSelfAssessment(db, learner, taskId);
	return learner;
}

/** Who reviews whom on the task, by learner id. */
async function pairs() {
	return db
		.selectFrom('peer_allocations')
		.innerJoin('submissions', 'submissions.id', 'peer_allocations.submission_id')
		.select(['peer_allocations.reviewer_id as reviewerId', 'submissions.learner_id as revieweeId'])
		.where('peer_allocations.task_id', '=', taskId)
		.orderBy('peer_allocations.id')
		.execute();
}

describe('peer review on the server', () => {
	it('allocates only submitted work, among those who submitted, and keeps the allocation once reviews start', async () => {
		const submitted = await Promise.all(['student1', 'student2', 'student3'].map(handIn));
		// Started but not handed in: no work to review yet.
		const started = await sessionUser(db, 'student4');
		await saveSelfAssessment(db, started, taskId, {
			kind: 'criterion',
			criterionId: criteria[0]!.criterionId,
			value: 40
		});
		expect(await allocatePeers(db, teacher, taskId, 7)).toEqual({
			pairs: 6,
			works: 3,
			waiting: 12,
			shortfalls: 0
		});
		const ids = submitted.map((l) => l.id);
		const rows = await pairs();
		const counts = new Map<number, number>();
		for (const r of rows) {
			expect(r.reviewerId).not.toBe(r.revieweeId);
			expect(ids).toContain(r.revieweeId);
			expect(ids).toContain(r.reviewerId);
			counts.set(r.revieweeId, (counts.get(r.revieweeId) ?? 0) + 1);
		}
		expect([...counts.values()]).toEqual([2, 2, 2]);
		// The teacher's page says how much was allocated and how much waits.
		const overview = await peerOverview(db, teacher, taskId);
		expect(overview).toMatchObject({ submittedCount: 3, waitingCount: 12 });
		expect(
			overview.learners
				.filter((l) => l.submitted)
				.map((l) => l.id)
				.sort()
		).toEqual([...ids].sort());
		// Nobody who has not submitted is asked to review, or reviewed.
		expect(await myReviews(db, started)).toEqual([]);

		const first = await db
			.selectFrom('peer_allocations')
			.select(['id', 'reviewer_id'])
			.orderBy('id')
			.executeTakeFirstOrThrow();
		const reviewer = { ...(await sessionUser(db, 'student1')), id: first.reviewer_id };
		await savePeerReview(db, reviewer, first.id, {
			kind: 'criterion',
			criterionId: criteria[0]!.criterionId,
			value: 50
		});
		await expect(allocatePeers(db, teacher, taskId, 8)).rejects.toMatchObject({ status: 409 });
	});

	it('a learner who submits after the allocation gets reviewers from those doing the fewest reviews', async () => {
		await Promise.all(['student1', 'student2', 'student3'].map(handIn));
		expect(await allocatePeers(db, teacher, taskId, 11)).toMatchObject({ pairs: 6 });
		for (const late of ['student4', 'student5', 'student6', 'student7']) {
			const before = await pairs();
			const load = (id: number) => before.filter((p) => p.reviewerId === id).length;
			const learner = await handIn(late);
			const added = (await pairs()).slice(before.length);
			const reviewers = added.filter((p) => p.revieweeId === learner.id).map((p) => p.reviewerId);
			expect(reviewers, `${late}'s reviewers`).toHaveLength(2);
			expect(reviewers).not.toContain(learner.id);
			expect(new Set(reviewers).size).toBe(2);
			// Chosen from the least loaded of those who had submitted: nobody passed over did fewer.
			const others = [...new Set(before.flatMap((p) => [p.reviewerId, p.revieweeId]))];
			const passedOver = others.filter((id) => !reviewers.includes(id));
			for (const chosen of reviewers)
				for (const other of passedOver) expect(load(chosen)).toBeLessThanOrEqual(load(other));
			// Everyone else's work already had its two reviewers: the late submitter owes none yet.
			expect(added.filter((p) => p.reviewerId === learner.id)).toEqual([]);
		}
		const all = await pairs();
		expect(new Set(all.map((p) => `${p.reviewerId}>${p.revieweeId}`)).size).toBe(all.length);
		// 14 reviews over 7 learners: nobody does more than one beyond the two everyone would do in
		// a circle (the last to submit is first in line for the next late work).
		expect(all).toHaveLength(14);
		const learners = [...new Set(all.map((p) => p.revieweeId))];
		const loads = learners.map((id) => all.filter((p) => p.reviewerId === id).length);
		expect(learners).toHaveLength(7);
		expect(Math.max(...loads)).toBeLessThanOrEqual(3);
		expect(
			await db
				.selectFrom('audit_log')
				.select('action')
				.where('action', '=', 'peer.allocate_late')
				.execute()
		).toHaveLength(4);
	});

	it('work submitted while too few had submitted fills up as others arrive; none before an allocation or by hand', async () => {
		// Alone when the teacher allocates: no reviewers possible.
		const alone = await handIn('student1');
		expect(await allocatePeers(db, teacher, taskId, 3)).toEqual({
			pairs: 0,
			works: 1,
			waiting: 14,
			shortfalls: 1
		});
		const second = await handIn('student2');
		const third = await handIn('student3');
		const reviewersOf = async (id: number) =>
			(await pairs()).filter((p) => p.revieweeId === id).map((p) => p.reviewerId);
		expect((await reviewersOf(alone.id)).sort()).toEqual([second.id, third.id].sort());
		expect(await reviewersOf(second.id)).toHaveLength(2);
		expect(await reviewersOf(third.id)).toHaveLength(2);
		// Once the peer window has closed, nobody could do the reviews: none are added.
		await db
			.updateTable('tasks')
			.set({ peer_closes_at: '2020-01-01T00:00:00.000Z' })
			.where('id', '=', taskId)
			.execute();
		const closed = await handIn('student4');
		expect(await reviewersOf(closed.id)).toEqual([]);

		// Before any allocation nothing is added (the allocation will include them) …
		const { taskId: fresh } = await publishedTask(db, schoolId, teacher, ['C1.1'], {
			peerEnabled: 'on',
			peerAllocation: 'random'
		});
		const other = await sessionUser(db, 'student9');
		const [c] = await db
			.selectFrom('task_criteria')
			.select('criterion_id')
			.where('task_id', '=', fresh)
			.execute();
		await saveSelfAssessment(db, other, fresh, {
			kind: 'criterion',
			criterionId: c!.criterion_id,
			value: 50
		});
		await submitSelfAssessment(db, other, fresh);
		const freshPairs = () =>
			db.selectFrom('peer_allocations').select('id').where('task_id', '=', fresh).execute();
		expect(await freshPairs()).toEqual([]);
		// … nor on a task allocated by hand (the teacher adds the pairs).
		await db
			.updateTable('tasks')
			.set({ peer_allocation: 'manual', peer_allocated_at: '2026-01-01T00:00:00.000Z' })
			.where('id', '=', fresh)
			.execute();
		const byHand = await sessionUser(db, 'student10');
		await saveSelfAssessment(db, byHand, fresh, {
			kind: 'criterion',
			criterionId: c!.criterion_id,
			value: 50
		});
		await submitSelfAssessment(db, byHand, fresh);
		expect(await freshPairs()).toEqual([]);
	});

	it('the teacher adds pairs by hand only for submitted work, never a learner for their own', async () => {
		const [a, b] = [await sessionUser(db, 'student2'), await sessionUser(db, 'student3')];
		await expect(addPeerPair(db, teacher, taskId, a.id, b.id)).rejects.toMatchObject({
			status: 409,
			message: expect.stringMatching(/not submitted/)
		});
		await handIn('student3');
		await expect(addPeerPair(db, teacher, taskId, b.id, b.id)).rejects.toMatchObject({
			status: 400
		});
		await addPeerPair(db, teacher, taskId, a.id, b.id);
		await expect(addPeerPair(db, teacher, taskId, a.id, b.id)).rejects.toMatchObject({
			status: 409
		});
		expect(await pairs()).toEqual([{ reviewerId: a.id, revieweeId: b.id }]);
	});

	it('a reviewee gets an anonymous consensus after release; an excluded review stops counting', async () => {
		const reviewee = await handIn('student1');
		const [a, b] = [await sessionUser(db, 'student2'), await sessionUser(db, 'student3')];
		await addPeerPair(db, teacher, taskId, a.id, reviewee.id);
		await addPeerPair(db, teacher, taskId, b.id, reviewee.id);
		const [allocA, allocB] = await db
			.selectFrom('peer_allocations')
			.select('id')
			.orderBy('id')
			.execute();
		await expect(
			savePeerReview(db, await sessionUser(db, 'student4'), allocA!.id, {
				kind: 'criterion',
				criterionId: criteria[0]!.criterionId,
				value: 1
			})
		).rejects.toMatchObject({ status: 404 });
		const view = await peerReviewView(db, a, allocA!.id);
		expect(JSON.stringify(view)).not.toContain(reviewee.familyName);
		for (const [who, alloc, values] of [
			[a, allocA!, [70, 50]],
			[b, allocB!, [30, 50]]
		] as const) {
			for (const [i, c] of criteria.entries())
				await savePeerReview(db, who, alloc.id, {
					kind: 'criterion',
					criterionId: c.criterionId,
					value: values[i]!,
					comment: `from ${who.username}`
				});
			await submitPeerReview(db, who, alloc.id);
		}
		for (const c of criteria)
			await saveTeacherGrade(db, teacher, taskId, reviewee.id, {
				kind: 'criterion',
				criterionId: c.criterionId,
				value: 55
			});
		await releaseGrades(db, teacher, taskId, reviewee.id);
		let mine = await learnerAssessmentView(db, reviewee, taskId);
		expect(mine.criteria[0]!.peers).toMatchObject({
			consensus: { median: 50, counted: 2, excluded: 0 },
			comments: [
				{ label: 'Reviewer A', comment: 'from student2' },
				{ label: 'Reviewer B', comment: 'from student3' }
			]
		});
		expect(JSON.stringify(mine)).not.toContain(a.familyName);

		await expect(setReviewExcluded(db, teacher, taskId, allocB!.id, true, ' ')).rejects.toThrow(
			/Say why/
		);
		await setReviewExcluded(db, teacher, taskId, allocB!.id, true, 'Did not read the work');
		mine = await learnerAssessmentView(db, reviewee, taskId);
		expect(mine.criteria[0]!.peers).toMatchObject({
			consensus: { median: 70, counted: 1, excluded: 1 },
			comments: [{ label: 'Reviewer A' }]
		});
		// The moderation matrix shows what each median rests on (issue 13 item 16).
		const cellOf = async (learnerId: number) =>
			(await moderationMatrix(db, teacher, taskId)).rows
				.find((r) => r.learnerId === learnerId)!
				.cells.find((c) => c.criterionId === criteria[0]!.criterionId)!;
		expect(await cellOf(reviewee.id)).toMatchObject({
			peer: 70,
			peerCounted: 1,
			peerExcluded: 1,
			peerMissing: 0,
			peerRange: { min: 70, max: 70 }
		});
		await setReviewExcluded(db, teacher, taskId, allocA!.id, true, 'Also set aside');
		expect(await cellOf(reviewee.id)).toMatchObject({
			peer: null,
			peerCounted: 0,
			peerExcluded: null,
			peerRange: null
		});
	});
});

describe('a review of work that is not submitted counts nowhere (issue 13)', () => {
	/** student1's work, reviewed by student2 (20, 30) and student3 (80, 90), marked 60 by the teacher. */
	async function reviewedWork() {
		const reviewee = await handIn('student1');
		const reviewers = [await handIn('student2'), await handIn('student3')];
		for (const [i, reviewer] of reviewers.entries()) {
			await addPeerPair(db, teacher, taskId, reviewer.id, reviewee.id);
			const { id } = await db
				.selectFrom('peer_allocations')
				.select('id')
				.where('reviewer_id', '=', reviewer.id)
				.executeTakeFirstOrThrow();
			for (const [j, c] of criteria.entries())
				await savePeerReview(db, reviewer, id, {
					kind: 'criterion',
					criterionId: c.criterionId,
					value: [
						[20, 30],
						[80, 90]
					][i]![j]!,
					comment: `peer words ${i}`
				});
			await submitPeerReview(db, reviewer, id);
		}
		for (const c of criteria)
			await saveTeacherGrade(db, teacher, taskId, reviewee.id, {
				kind: 'criterion',
				criterionId: c.criterionId,
				value: 60
			});
		return reviewee;
	}
	async function whatCounts(revieweeId: number) {
		const marking = await markingView(db, teacher, taskId, revieweeId);
		const matrix = await moderationMatrix(db, teacher, taskId);
		const overview = await peerOverview(db, teacher, taskId);
		return {
			marking: marking.criteria[0]!.peers?.consensus ?? null,
			comments: marking.criteria[0]!.peers?.reviews.map((r) => r.comment) ?? [],
			matrix: matrix.rows.find((r) => r.learnerId === revieweeId)!.cells[0]!.peer,
			quality: overview.quality.length,
			counted: overview.allocations.map((a) => a.workSubmitted)
		};
	}

	it('a reopened piece keeps its reviews, which stop counting until it is submitted again', async () => {
		const reviewee = await reviewedWork();
		expect(await whatCounts(reviewee.id)).toMatchObject({
			marking: { median: 50, counted: 2 },
			comments: ['peer words 0', 'peer words 1'],
			matrix: 50,
			quality: 2,
			counted: [true, true]
		});

		await reopenSelfAssessment(db, teacher, taskId, reviewee.id);
		expect(await whatCounts(reviewee.id)).toEqual({
			marking: null,
			comments: ['', ''],
			matrix: null,
			quality: 0,
			counted: [false, false]
		});
		// The reviews are kept, not deleted.
		expect(await pairs()).toHaveLength(2);

		await submitSelfAssessment(db, reviewee, taskId);
		expect(await whatCounts(reviewee.id)).toMatchObject({
			marking: { median: 50, counted: 2 },
			matrix: 50,
			quality: 2
		});
	});

	it('a review of work never handed in (allocated before this rule) is not counted', async () => {
		const reviewee = await reviewedWork();
		// As the old allocation left it: reviewed while the work was never submitted.
		await db
			.updateTable('submissions')
			.set({ self_state: 'in_progress', self_submitted_at: null })
			.where('learner_id', '=', reviewee.id)
			.where('task_id', '=', taskId)
			.execute();
		await releaseGrades(db, teacher, taskId, reviewee.id);
		await db.updateTable('tasks').set({ self_required_before_release: 0 }).execute();
		expect((await learnerAssessmentView(db, reviewee, taskId)).criteria[0]!.peers).toBeNull();
		expect(await whatCounts(reviewee.id)).toMatchObject({
			marking: null,
			matrix: null,
			quality: 0
		});
		const reviewer = await sessionUser(db, 'student2');
		expect((await learnerProfile(db, reviewer, reviewer.id)).peerReviewing).toEqual([]);
	});
});

describe('a review whose reviewer left the class or was set aside (found by the red-team pass)', () => {
	async function oneReview() {
		const [reviewer, reviewee] = [
			await sessionUser(db, 'student2'),
			await sessionUser(db, 'student1')
		];
		await handIn('student1');
		await addPeerPair(db, teacher, taskId, reviewer.id, reviewee.id);
		const { id } = await db.selectFrom('peer_allocations').select('id').executeTakeFirstOrThrow();
		return { reviewer, id };
	}
	const change = () => ({
		kind: 'criterion' as const,
		criterionId: criteria[0]!.criterionId,
		value: 40
	});

	it('a reviewer unenrolled from the class can no longer read, save or submit it', async () => {
		const { reviewer, id } = await oneReview();
		await savePeerReview(db, reviewer, id, change());
		const { class_id } = await db
			.selectFrom('tasks')
			.select('class_id')
			.where('id', '=', taskId)
			.executeTakeFirstOrThrow();
		await unenrolLearner(db, schoolId, teacher.id, class_id, reviewer.id);
		await expect(peerReviewView(db, reviewer, id)).rejects.toMatchObject({ status: 404 });
		await expect(savePeerReview(db, reviewer, id, change())).rejects.toMatchObject({ status: 404 });
		await expect(submitPeerReview(db, reviewer, id)).rejects.toMatchObject({ status: 404 });
		expect(await myReviews(db, reviewer)).toEqual([]);
	});

	it('a review the teacher set aside stays readable, locked, and cannot be saved or submitted', async () => {
		const { reviewer, id } = await oneReview();
		await setReviewExcluded(db, teacher, taskId, id, true, 'Unkind comments');
		const view = await peerReviewView(db, reviewer, id);
		expect(view.review.setAside).toMatch(/set this review aside/);
		expect(JSON.stringify(view)).not.toContain('Unkind comments');
		await expect(savePeerReview(db, reviewer, id, change())).rejects.toMatchObject({ status: 409 });
		await expect(submitPeerReview(db, reviewer, id)).rejects.toMatchObject({ status: 409 });
		expect(await myReviews(db, reviewer)).toMatchObject([{ id, setAside: true }]);
		const saved = await db
			.selectFrom('assessments')
			.select('id')
			.where('role', '=', 'peer')
			.execute();
		expect(saved).toEqual([]);
	});
});

describe('groups, moderation and live sessions on the server', () => {
	it('rates contribution only as a complete set for one’s own group', async () => {
		const [s1, s2, s3] = [
			await sessionUser(db, 'student1'),
			await sessionUser(db, 'student2'),
			await sessionUser(db, 'student3')
		];
		// Team ratings belong to group work only (found by the red-team pass).
		await createGroup(db, teacher, taskId, 'Not a group task', [s1.id, s2.id]);
		await expect(
			saveContributionRatings(db, s1, taskId, [
				{ rateeId: s1.id, rating: 3 },
				{ rateeId: s2.id, rating: 3 }
			])
		).rejects.toMatchObject({ status: 409 });
		({ taskId } = await publishedTask(db, schoolId, teacher, ['C1.1'], { groupTask: 'on' }));
		await createGroup(db, teacher, taskId, 'Team A', [s1.id, s2.id, s3.id]);
		await expect(
			createGroup(db, teacher, taskId, 'Team B', [s1.id, (await sessionUser(db, 'student4')).id])
		).rejects.toMatchObject({ status: 409 });
		// A repeated learner id cannot make a group of one (found by the red-team pass).
		await expect(
			createGroup(db, teacher, taskId, 'Solo', [
				(await sessionUser(db, 'student5')).id,
				(await sessionUser(db, 'student5')).id
			])
		).rejects.toThrow(/at least two/);
		await expect(
			saveContributionRatings(db, s1, taskId, [{ rateeId: s1.id, rating: 3 }])
		).rejects.toThrow(/Rate every member/);
		// A repeated member cannot stand in for one left unrated (found by the red-team pass).
		await expect(
			saveContributionRatings(db, s1, taskId, [
				{ rateeId: s1.id, rating: 3 },
				{ rateeId: s2.id, rating: 5 },
				{ rateeId: s1.id, rating: 1 }
			])
		).rejects.toThrow(/Rate every member/);
		await saveContributionRatings(db, s1, taskId, [
			{ rateeId: s1.id, rating: 3 },
			{ rateeId: s2.id, rating: 3 },
			{ rateeId: s3.id, rating: 3 }
		]);
		const overview = await groupsOverview(db, teacher, taskId);
		expect(overview.groups[0]!.contribution.submitters).toBe(1);
		expect(overview.groups[0]!.contribution.members.map((m) => m.webpa)).toEqual([1, 1, 1]);
	});

	it('takes the task’s penalty for not rating off the silent members’ WebPA scores', async () => {
		const [s1, s2, s3] = [
			await sessionUser(db, 'student1'),
			await sessionUser(db, 'student2'),
			await sessionUser(db, 'student3')
		];
		const { taskId: penalised } = await publishedTask(db, schoolId, teacher, ['C1.1'], {
			groupTask: 'on',
			nonSubmitterPenaltyPercent: '25'
		});
		await createGroup(db, teacher, penalised, 'Team A', [s1.id, s2.id, s3.id]);
		await saveContributionRatings(db, s1, penalised, [
			{ rateeId: s1.id, rating: 3 },
			{ rateeId: s2.id, rating: 3 },
			{ rateeId: s3.id, rating: 3 }
		]);
		const overview = await groupsOverview(db, teacher, penalised);
		expect(overview.task.nonSubmitterPenaltyPercent).toBe(25);
		const byId = new Map(overview.groups[0]!.contribution.members.map((m) => [m.memberId, m]));
		// student1 rated: 1. The two silent members: 1 × (1 − 25 ÷ 100) = 0.75.
		expect(byId.get(s1.id)).toMatchObject({ webpa: 1, penalised: false });
		expect(byId.get(s2.id)).toMatchObject({ webpaBeforePenalty: 1, webpa: 0.75, penalised: true });
		expect(byId.get(s3.id)).toMatchObject({ webpa: 0.75, penalised: true });
		// The setting is the task's, changed with the other settings and read back for the form.
		const row = await db
			.selectFrom('tasks')
			.select('non_submitter_penalty_percent')
			.where('id', '=', penalised)
			.executeTakeFirstOrThrow();
		expect(row.non_submitter_penalty_percent).toBe(25);
	});

	it('an agreed grade becomes the result, and is audited', async () => {
		const learner = await sessionUser(db, 'student1');
		await saveTeacherGrade(db, teacher, taskId, learner.id, {
			kind: 'criterion',
			criterionId: criteria[0]!.criterionId,
			value: 30
		});
		await recordAgreedGrade(
			db,
			teacher,
			taskId,
			learner.id,
			criteria[0]!.criterionId,
			70,
			'Second marking'
		);
		const matrix = await moderationMatrix(db, teacher, taskId);
		const cell = matrix.rows.find((r) => r.learnerId === learner.id)!.cells[0]!;
		expect(cell).toMatchObject({ teacher: 70, teacherSource: 'agreed', teacherBand: 'Secure' });
		const audit = await db
			.selectFrom('audit_log')
			.select(['action', 'before_json', 'after_json'])
			.where('action', '=', 'agreed.record')
			.executeTakeFirstOrThrow();
		expect(JSON.parse(audit.after_json!)).toMatchObject({ value: 70, note: 'Second marking' });
		const outsider = await sessionUser(db, 'teacher2');
		await expect(
			recordAgreedGrade(db, outsider, taskId, learner.id, criteria[0]!.criterionId, 10, 'x')
		).rejects.toMatchObject({ status: 403 });
	});

	it('live placements count anonymously and close on reveal', async () => {
		const id = await startLiveSession(db, teacher, {
			classId: 1,
			taskId,
			criterionId: criteria[0]!.criterionId,
			exemplarTitle: 'Exemplar',
			exemplarBody: ''
		});
		await placeLive(db, await sessionUser(db, 'student1'), id, 85);
		await placeLive(db, await sessionUser(db, 'student2'), id, 45);
		await placeLive(db, await sessionUser(db, 'student2'), id, 50);
		await expect(placeLive(db, await sessionUser(db, 'student16'), id, 50)).rejects.toMatchObject({
			status: 403
		});
		const bands = [0, 20, 40, 60, 80].map((minValue) => ({ minValue }));
		expect(await liveSnapshot(db, id, bands)).toEqual({
			state: 'open',
			placed: 2,
			// Two placed and nobody has the page open: joined counts who placed or is watching now.
			joined: 2,
			counts: [0, 0, 1, 0, 1],
			teacherValue: null
		});
		await expect(setLiveState(db, teacher, id, { state: 'revealed' })).rejects.toThrow(
			/Place your own/
		);
		await setLiveState(db, teacher, id, { teacherValue: 65 });
		expect((await liveSnapshot(db, id, bands)).teacherValue).toBeNull();
		await setLiveState(db, teacher, id, { state: 'revealed' });
		expect((await liveSnapshot(db, id, bands)).teacherValue).toBe(65);
		await expect(placeLive(db, await sessionUser(db, 'student3'), id, 50)).rejects.toMatchObject({
			status: 409
		});
	});

	it('closing a live session without a reveal keeps the teacher’s placement hidden (found by the red-team pass)', async () => {
		const id = await startLiveSession(db, teacher, {
			classId: 1,
			taskId,
			criterionId: criteria[0]!.criterionId,
			exemplarTitle: 'Exemplar',
			exemplarBody: ''
		});
		const learner = await sessionUser(db, 'student1');
		await placeLive(db, learner, id, 40);
		await setLiveState(db, teacher, id, { teacherValue: 77 });
		await setLiveState(db, teacher, id, { state: 'closed' });
		const bands = [0, 20, 40, 60, 80].map((minValue) => ({ minValue }));
		expect(await liveSnapshot(db, id, bands)).toMatchObject({
			state: 'closed',
			teacherValue: null
		});
		expect(await learnerLiveSnapshot(db, id)).toEqual({ state: 'closed', teacherValue: null });
		expect(await liveSessionForLearner(db, learner, id)).toMatchObject({
			teacherValue: null,
			gap: null
		});
		const profile = await learnerProfile(db, teacher, learner.id);
		expect(profile.liveSessions.filter((l) => l.sessionId === id)).toEqual([]);
		await expect(placeLive(db, learner, id, 50)).rejects.toThrow(/closed/);
	});
});

describe('a second marker (found by the red-team pass)', () => {
	it('marks and moderates, but releasing grades and reopening work stay with the class’s teacher', async () => {
		const learner = await sessionUser(db, 'student1');
		const second = await sessionUser(db, 'teacher2');
		const { addMarker } = await import('../../src/lib/server/moderation/moderation');
		const { reopenSelfAssessment, markingList } =
			await import('../../src/lib/server/assessment/marking');
		await addMarker(db, teacher, taskId, second.id);
		for (const c of criteria) {
			await saveSelfAssessment(db, learner, taskId, {
				kind: 'criterion',
				criterionId: c.criterionId,
				value: 50
			});
			await saveTeacherGrade(db, second, taskId, learner.id, {
				kind: 'criterion',
				criterionId: c.criterionId,
				value: 60
			});
		}
		await submitSelfAssessment(db, learner, taskId);
		expect((await markingList(db, second, taskId)).task.mayRelease).toBe(false);
		await expect(releaseGrades(db, second, taskId, learner.id)).rejects.toMatchObject({
			status: 403
		});
		await expect(releaseGrades(db, second, taskId, 'all')).rejects.toMatchObject({ status: 403 });
		await expect(reopenSelfAssessment(db, second, taskId, learner.id)).rejects.toMatchObject({
			status: 403
		});
		const released = await db
			.selectFrom('submissions')
			.select('released_at')
			.where('learner_id', '=', learner.id)
			.executeTakeFirstOrThrow();
		expect(released.released_at).toBeNull();
		expect((await markingList(db, teacher, taskId)).task.mayRelease).toBe(true);
		await reopenSelfAssessment(db, teacher, taskId, learner.id);
	});

	it('finds the tasks they were added to on their home page, and no one else’s', async () => {
		const second = await sessionUser(db, 'teacher2');
		const { addMarker, tasksToSecondMark } =
			await import('../../src/lib/server/moderation/moderation');
		expect(await tasksToSecondMark(db, second)).toEqual([]);
		await addMarker(db, teacher, taskId, second.id);
		expect((await tasksToSecondMark(db, second)).map((t) => t.id)).toEqual([taskId]);
		// The class's own teacher is not second-marking their own task.
		expect(await tasksToSecondMark(db, teacher)).toEqual([]);
	});
});

describe('concurrent edits', () => {
	it('two teachers grading the same criterion keep both grades; two agreed grades are both in the audit log', async () => {
		const learner = await sessionUser(db, 'student1');
		const second = await sessionUser(db, 'teacher2');
		const { addMarker } = await import('../../src/lib/server/moderation/moderation');
		await addMarker(db, teacher, taskId, second.id);
		const criterionId = criteria[0]!.criterionId;
		await Promise.all([
			saveTeacherGrade(db, teacher, taskId, learner.id, {
				kind: 'criterion',
				criterionId,
				value: 40
			}),
			saveTeacherGrade(db, second, taskId, learner.id, {
				kind: 'criterion',
				criterionId,
				value: 80
			})
		]);
		const grades = await db
			.selectFrom('assessments')
			.select(['assessor_id', 'value'])
			.where('role', '=', 'teacher')
			.where('criterion_id', '=', criterionId)
			.orderBy('assessor_id')
			.execute();
		expect(grades).toEqual([
			{ assessor_id: teacher.id, value: 40 },
			{ assessor_id: second.id, value: 80 }
		]);
		await Promise.all([
			recordAgreedGrade(db, teacher, taskId, learner.id, criterionId, 60, 'First view'),
			recordAgreedGrade(db, second, taskId, learner.id, criterionId, 70, 'Second view')
		]);
		const trail = await db
			.selectFrom('audit_log')
			.select(['actor_id', 'after_json'])
			.where('action', '=', 'agreed.record')
			.orderBy('id')
			.execute();
		expect(
			trail.map((t) => [t.actor_id, JSON.parse(t.after_json!).value]).sort((a, b) => a[0] - b[0])
		).toEqual([
			[teacher.id, 60],
			[second.id, 70]
		]);
	});
});
