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
	reopenSelfAssessment,
	releaseGrades,
	saveTeacherGrade
} from '../../src/lib/server/assessment/marking';
import { gradesVisibleToLearnerSql } from '../../src/lib/server/assessment/grade-visibility';
import { addPeerPair, peerOverview } from '../../src/lib/server/peer/allocation';
import { myReviews, savePeerReview, submitPeerReview } from '../../src/lib/server/peer/reviewing';
import { learnerProfile } from '../../src/lib/server/profiles/profiles';
import { releasedResults } from '../../src/lib/server/profiles/results';
import { learnerReport } from '../../src/lib/server/reports/learner-report';
import { schoolFusionReport } from '../../src/lib/server/reports/school-report';
import { createBadge } from '../../src/lib/server/badges/badges';
import { badgeWorkbench, issueBadge } from '../../src/lib/server/badges/awards';
import { fusionSkills } from '../../src/lib/server/frameworks/frameworks';
import { gradesVisibleToLearner } from '../../src/lib/domain/results';
import { SELF_STATES } from '../../src/lib/domain/states';
import { demoDatabase, publishedTask, sessionUser } from './helpers';

// Found by the red-team pass: on a task that holds grades back until the learner has submitted
// their self-assessment, the task page held them back, but the profile, the learning report (HTML
// and PDF), badge proposals and a classmate's reviewer-quality figures all showed them as soon as
// they were released.

let db: DB;
let schoolId: number;
let teacher: SessionUser;
let admin: SessionUser;
let learner: SessionUser;
let reviewer: SessionUser;
let taskId: number;
let criterionId: number;
let badgeId: number;

const HELD_COMMENT = 'held-back-teacher-comment';
const HELD_OVERALL = 'held-back-overall-comment';

beforeEach(async () => {
	({ db, schoolId } = await demoDatabase());
	[teacher, admin, learner, reviewer] = [
		await sessionUser(db, 'teacher'),
		await sessionUser(db, 'admin'),
		await sessionUser(db, 'student1'),
		await sessionUser(db, 'student2')
	];
	// publishedTask turns selfRequiredBeforeRelease on, as the task form does by default.
	const task = await publishedTask(db, schoolId, teacher, ['C1.1'], {
		peerEnabled: 'on',
		peerAllocation: 'manual'
	});
	taskId = task.taskId;
	criterionId = task.criteria[0]!.criterionId;
	const oral = (await fusionSkills(db)).find((s) => s.code === 'FS-01')!.id;
	badgeId = await createBadge(db, admin, {
		name: 'Confident presenter',
		description: 'Presents work clearly to an audience.',
		criteriaNarrative: 'Be judged Secure or above by your teacher when presenting.',
		layer: 'demonstrate',
		rule: { kind: 'skill', target: oral, minBand: 3, minTasks: 1 },
		alignmentItemIds: [oral]
	});

	// The learner hands in; a classmate reviews the work, and is far from the teacher.
	await saveSelfAssessment(db, learner, taskId, { kind: 'criterion', criterionId, value: 60 });
	await submitSelfAssessment(db, learner, taskId);
	await addPeerPair(db, teacher, taskId, reviewer.id, learner.id);
	const allocation = await db.selectFrom('peer_allocations').select('id').executeTakeFirstOrThrow();
	await savePeerReview(db, reviewer, allocation.id, { kind: 'criterion', criterionId, value: 20 });
	await submitPeerReview(db, reviewer, allocation.id);

	// The teacher reopens it, so it is not submitted; the teacher grades and releases.
	await reopenSelfAssessment(db, teacher, taskId, learner.id);
	await saveTeacherGrade(db, teacher, taskId, learner.id, {
		kind: 'criterion',
		criterionId,
		value: 95,
		comment: HELD_COMMENT
	});
	await saveTeacherGrade(db, teacher, taskId, learner.id, { kind: 'overall', text: HELD_OVERALL });
	await releaseGrades(db, teacher, taskId, learner.id);
});
afterEach(async () => db.destroy());

async function whatTheLearnerIsShown() {
	const profile = await learnerProfile(db, learner, learner.id);
	const report = await learnerReport(db, learner, learner.id);
	const reviewerProfile = await learnerProfile(db, reviewer, reviewer.id);
	const reviews = await myReviews(db, reviewer);
	const bench = await badgeWorkbench(db, teacher);
	return {
		profileResults: profile.resultCount,
		profileInputs: profile.skills.flatMap((s) => s.inputs),
		reportTasks: report.tasks.map((t) => t.title),
		reportText: JSON.stringify(report),
		reviewerQuality: reviews.find((r) => r.taskId === taskId)?.quality ?? null,
		reviewerCalibration: reviewerProfile.peerReviewing.filter((p) => p.taskId === taskId),
		proposed: bench.proposals.some((p) => p.learnerId === learner.id && p.badgeId === badgeId),
		// what badge rules read
		schoolResults: (
			(await releasedResults(db, { schoolId, learnerId: learner.id })).get(learner.id) ?? []
		).length,
		schoolReportEvidence: (await schoolFusionReport(db, schoolId)).rows
			.filter((r) => r.learnerId === learner.id)
			.reduce((n, r) => n + r.evidenceCount, 0)
	};
}

describe('grades held back until the learner submits their self-assessment', () => {
	it('are held back everywhere the task page holds them back, and shown once the learner submits', async () => {
		const page = await learnerAssessmentView(db, learner, taskId);
		expect(page.gradesWaitingForSelf).toBe(true);
		expect(page.criteria[0]!.teacher).toBeNull();

		const held = await whatTheLearnerIsShown();
		expect(held.profileResults).toBe(0);
		expect(held.profileInputs).toEqual([]);
		expect(held.reportTasks).toEqual([]);
		expect(held.reportText).not.toContain(HELD_COMMENT);
		expect(held.reportText).not.toContain(HELD_OVERALL);
		expect(held.reviewerQuality).toBeNull();
		expect(held.reviewerCalibration).toEqual([]);
		expect(held.proposed).toBe(false);
		expect(held.schoolResults).toBe(0);
		expect(held.schoolReportEvidence).toBe(0);
		await expect(issueBadge(db, teacher, badgeId, learner.id, 'https://x.example')).rejects.toThrow(
			/does not meet the badge’s rule yet/
		);

		// Teachers' own screens still see the grade.
		const marking = await markingView(db, teacher, taskId, learner.id);
		expect(marking.criteria[0]!.teacher.value).toBe(95);
		// A review of work that is not submitted counts nowhere, the teacher's own figures included
		// (issue 13); it counts again once the work is handed in.
		expect((await peerOverview(db, teacher, taskId)).quality).toEqual([]);

		await submitSelfAssessment(db, learner, taskId);
		expect((await peerOverview(db, teacher, taskId)).quality.map((q) => q.reviewerId)).toEqual([
			reviewer.id
		]);
		const shown = await whatTheLearnerIsShown();
		expect(shown.profileResults).toBe(1);
		expect(shown.profileInputs.length).toBeGreaterThan(0);
		expect(shown.reportTasks).toEqual(['Pitch']);
		expect(shown.reportText).toContain(HELD_COMMENT);
		expect(shown.reportText).toContain(HELD_OVERALL);
		expect(shown.reviewerQuality).not.toBeNull();
		expect(shown.reviewerCalibration).toHaveLength(1);
		expect(shown.proposed).toBe(true);
		expect(shown.schoolResults).toBe(1);
		expect(shown.schoolReportEvidence).toBeGreaterThan(0);
	});

	it('the SQL condition agrees with gradesVisibleToLearner in every case', async () => {
		const submission = await db
			.selectFrom('submissions')
			.select('id')
			.where('task_id', '=', taskId)
			.where('learner_id', '=', learner.id)
			.executeTakeFirstOrThrow();
		for (const required of [0, 1] as const)
			for (const selfState of SELF_STATES)
				for (const releasedAt of [null, '2026-11-30T10:00:00.000Z']) {
					await db
						.updateTable('tasks')
						.set({ self_required_before_release: required })
						.where('id', '=', taskId)
						.execute();
					await db
						.updateTable('submissions')
						.set({ self_state: selfState, released_at: releasedAt })
						.where('id', '=', submission.id)
						.execute();
					const row = await db
						.selectFrom('submissions')
						.innerJoin('tasks', 'tasks.id', 'submissions.task_id')
						.select((eb) => eb.and([gradesVisibleToLearnerSql()]).as('visible'))
						.where('submissions.id', '=', submission.id)
						.executeTakeFirstOrThrow();
					const expected = gradesVisibleToLearner({
						releasedAt,
						selfSubmitted: selfState === 'submitted',
						selfRequiredBeforeRelease: required === 1
					});
					expect(Boolean(row.visible), `${required} ${selfState} ${releasedAt}`).toBe(expected);
				}
	});
});
