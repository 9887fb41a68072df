import type { DB } from '../db/connection';
import type { SessionUser } from '../auth/sessions';
import { learnerProfile } from '../profiles/profiles';
import { peerResultsOf } from '../peer/results';
import { bandFor } from '../../domain/scales';
import { teacherResult } from '../../domain/results';
import { nowIso } from '../clock';
import { gradesVisibleToLearnerSql } from '../assessment/grade-visibility';

/**
 * Everything in a learner's learning report: the profile, and per released task each criterion with
 * self, peer consensus and teacher bands, comments and reflections (peers anonymised), and badges.
 * A task whose grades are held back until the learner submits their self-assessment is left out
 * until they do, as on the task page.
 */
export async function learnerReport(db: DB, user: SessionUser, learnerId: number) {
	const profile = await learnerProfile(db, user, learnerId);
	const submissions = await db
		.selectFrom('submissions')
		.innerJoin('tasks', 'tasks.id', 'submissions.task_id')
		.innerJoin('classes', 'classes.id', 'tasks.class_id')
		.select([
			'submissions.id',
			'tasks.id as taskId',
			'tasks.title',
			'tasks.scale_id as scaleId',
			'classes.name as className',
			'submissions.released_at as releasedAt',
			'submissions.overall_reflection as overallReflection',
			'submissions.teacher_overall_comment as overallComment'
		])
		.where('submissions.learner_id', '=', learnerId)
		.where('classes.school_id', '=', user.schoolId)
		.where(gradesVisibleToLearnerSql())
		.orderBy('submissions.released_at')
		.execute();
	const submissionIds = submissions.map((s) => s.id);
	const [criteria, assessments, agreed, bands, badges] = await Promise.all([
		submissions.length
			? db
					.selectFrom('task_criteria')
					.innerJoin('criteria', 'criteria.id', 'task_criteria.criterion_id')
					.select([
						'task_criteria.task_id as taskId',
						'criteria.id as criterionId',
						'criteria.code',
						'criteria.title'
					])
					.where(
						'task_criteria.task_id',
						'in',
						submissions.map((s) => s.taskId)
					)
					.orderBy('task_criteria.position')
					.execute()
			: [],
		submissionIds.length
			? db
					.selectFrom('assessments')
					.select([
						'submission_id as submissionId',
						'criterion_id as criterionId',
						'role',
						'value',
						'comment'
					])
					.where('submission_id', 'in', submissionIds)
					.where('role', 'in', ['self', 'teacher'])
					.execute()
			: [],
		submissionIds.length
			? db
					.selectFrom('agreed_grades')
					.select(['submission_id as submissionId', 'criterion_id as criterionId', 'value'])
					.where('submission_id', 'in', submissionIds)
					.execute()
			: [],
		db
			.selectFrom('grade_bands')
			.select(['scale_id as scaleId', 'label', 'min_value as minValue'])
			.orderBy('position')
			.execute(),
		earnedBadges(db, learnerId)
	]);
	const scaleOf = (s: { scaleId: number }) => bands.filter((b) => b.scaleId === s.scaleId);
	const peerResults = await peerResultsOf(
		db,
		submissions.map((s) => ({ submissionId: s.id, bands: scaleOf(s) }))
	);
	const tasks = [];
	for (const s of submissions) {
		const scale = scaleOf(s);
		const band = (v: number | null | undefined) => (v == null ? '—' : bandFor(scale, v).label);
		const peers = peerResults.get(s.id)!;
		tasks.push({
			taskId: s.taskId,
			title: s.title,
			className: s.className,
			releasedAt: s.releasedAt!,
			overallReflection: s.overallReflection,
			overallComment: s.overallComment,
			criteria: criteria
				.filter((c) => c.taskId === s.taskId)
				.map((c) => {
					const mine = assessments.filter(
						(a) => a.submissionId === s.id && a.criterionId === c.criterionId
					);
					const self = mine.find((a) => a.role === 'self');
					const teacher = teacherResult(
						mine.filter((a) => a.role === 'teacher').map((a) => a.value),
						agreed.find((a) => a.submissionId === s.id && a.criterionId === c.criterionId)?.value ??
							null
					);
					const peer = peers.get(c.criterionId);
					return {
						code: c.code,
						title: c.title,
						self: band(self?.value),
						peer: band(peer?.consensus?.median),
						teacher: band(teacher?.value),
						agreed: teacher?.source === 'agreed',
						reflection: self?.comment ?? '',
						teacherComments: mine
							.filter((a) => a.role === 'teacher' && a.comment)
							.map((a) => a.comment),
						peerComments: (peer?.reviews ?? [])
							.filter((r) => r.comment)
							.map((r) => ({ label: r.label, comment: r.comment }))
					};
				})
		});
	}
	return { profile, tasks, badges, generatedAt: nowIso() };
}

export type LearnerReport = Awaited<ReturnType<typeof learnerReport>>;

/** Badges issued (not revoked) to a learner, with their public verification addresses. */
export async function earnedBadges(db: DB, learnerId: number) {
	return db
		.selectFrom('badge_awards')
		.innerJoin('badges', 'badges.id', 'badge_awards.badge_id')
		.select([
			'badge_awards.identifier',
			'badges.name',
			'badges.layer',
			'badge_awards.issued_at as issuedAt'
		])
		.where('badge_awards.learner_id', '=', learnerId)
		.where('badge_awards.state', '=', 'issued')
		.where('badge_awards.revoked_at', 'is', null)
		.orderBy('badge_awards.issued_at')
		.execute();
}
