import type { DB } from '../db/connection';
import { peerConsensus, reviewerQuality } from '../../domain/peer-review';
import { teacherResult } from '../../domain/results';
import { displayName } from '../../domain/names';
import { gradesVisibleToLearnerSql } from '../assessment/grade-visibility';

/**
 * Each reviewer's closeness to the teacher on the same work, per task: their submitted, included
 * peer values against the teacher result for that learner and criterion (three queries for any
 * number of tasks). Keyed by task, then by reviewer.
 */
export async function reviewerQualities(
	db: DB,
	tasks: { taskId: number; bands: { minValue: number }[] }[],
	/**
	 * Teachers see quality on all graded work; learners only on work whose grades its learner may
	 * see (released, and not held back for their self-assessment), or a reviewer's figures would
	 * give away a classmate's grade before that classmate sees it.
	 */
	{ includeUnreleased = false }: { includeUnreleased?: boolean } = {}
) {
	const result = new Map<number, Map<number, NonNullable<ReturnType<typeof reviewerQuality>>>>();
	if (tasks.length === 0) return result;
	const taskIds = tasks.map((t) => t.taskId);
	const [peerRows, teacherRows, agreed] = await Promise.all([
		db
			.selectFrom('assessments')
			.innerJoin('submissions', 'submissions.id', 'assessments.submission_id')
			.innerJoin('peer_allocations', (join) =>
				join
					.onRef('peer_allocations.submission_id', '=', 'assessments.submission_id')
					.onRef('peer_allocations.reviewer_id', '=', 'assessments.assessor_id')
			)
			.select([
				'submissions.task_id as taskId',
				'assessments.assessor_id as reviewerId',
				'assessments.submission_id as submissionId',
				'assessments.criterion_id as criterionId',
				'assessments.value'
			])
			.where('submissions.task_id', 'in', taskIds)
			.where('assessments.role', '=', 'peer')
			// A review of work not submitted (never handed in, or reopened) counts nowhere.
			.where('submissions.self_state', '=', 'submitted')
			.where('peer_allocations.state', '=', 'submitted')
			.where('peer_allocations.excluded_at', 'is', null)
			.where('assessments.value', 'is not', null)
			.execute(),
		db
			.selectFrom('assessments')
			.innerJoin('submissions', 'submissions.id', 'assessments.submission_id')
			.innerJoin('tasks', 'tasks.id', 'submissions.task_id')
			.select([
				'assessments.submission_id as submissionId',
				'assessments.criterion_id as criterionId',
				'assessments.value'
			])
			.where('submissions.task_id', 'in', taskIds)
			.where('assessments.role', '=', 'teacher')
			.$if(!includeUnreleased, (qb) => qb.where(gradesVisibleToLearnerSql()))
			.execute(),
		db
			.selectFrom('agreed_grades')
			.innerJoin('submissions', 'submissions.id', 'agreed_grades.submission_id')
			.innerJoin('tasks', 'tasks.id', 'submissions.task_id')
			.select([
				'agreed_grades.submission_id as submissionId',
				'agreed_grades.criterion_id as criterionId',
				'agreed_grades.value'
			])
			.where('submissions.task_id', 'in', taskIds)
			.$if(!includeUnreleased, (qb) => qb.where(gradesVisibleToLearnerSql()))
			.execute()
	]);
	const key = (submissionId: number, criterionId: number) => `${submissionId}:${criterionId}`;
	const teacherValues = new Map<string, (number | null)[]>();
	for (const t of teacherRows)
		teacherValues.set(key(t.submissionId, t.criterionId), [
			...(teacherValues.get(key(t.submissionId, t.criterionId)) ?? []),
			t.value
		]);
	const agreedValue = new Map<string, number | null>();
	for (const a of agreed)
		if (!agreedValue.has(key(a.submissionId, a.criterionId)))
			agreedValue.set(key(a.submissionId, a.criterionId), a.value);
	const teacherFor = (submissionId: number, criterionId: number) =>
		teacherResult(
			teacherValues.get(key(submissionId, criterionId)) ?? [],
			agreedValue.get(key(submissionId, criterionId)) ?? null
		)?.value ?? null;
	const pairsByTask = new Map<number, Map<number, { reviewer: number; teacher: number }[]>>();
	for (const row of peerRows) {
		const teacher = teacherFor(row.submissionId, row.criterionId);
		if (teacher === null) continue;
		const byReviewer =
			pairsByTask.get(row.taskId) ?? new Map<number, { reviewer: number; teacher: number }[]>();
		byReviewer.set(row.reviewerId, [
			...(byReviewer.get(row.reviewerId) ?? []),
			{ reviewer: row.value!, teacher }
		]);
		pairsByTask.set(row.taskId, byReviewer);
	}
	for (const { taskId, bands } of tasks) {
		const byReviewer = new Map<number, NonNullable<ReturnType<typeof reviewerQuality>>>();
		for (const [reviewerId, pairs] of pairsByTask.get(taskId) ?? [])
			byReviewer.set(reviewerId, reviewerQuality(bands, pairs)!);
		result.set(taskId, byReviewer);
	}
	return result;
}

/**
 * Peer judgements of one learner's work, per criterion: the consensus with its working, and each
 * review labelled as the reviewee may see it ("Reviewer A"). `withNames` is for teachers only.
 */
export async function peerResultsFor(
	db: DB,
	submissionId: number | null,
	bands: { minValue: number }[],
	withNames = false
) {
	if (submissionId === null) return new Map<number, PeerResult>();
	return (
		(await peerResultsOf(db, [{ submissionId, bands }], withNames)).get(submissionId) ??
		new Map<number, PeerResult>()
	);
}

export type PeerResult = ReturnType<typeof summarise>;

/** `peerResultsFor` for several pieces of work at once (one query), keyed by submission. */
export async function peerResultsOf(
	db: DB,
	submissions: { submissionId: number; bands: { minValue: number }[] }[],
	withNames = false
) {
	const out = new Map<number, Map<number, PeerResult>>();
	if (submissions.length === 0) return out;
	const rows = await peerRowsOf(
		db,
		submissions.map((s) => s.submissionId)
	);
	for (const { submissionId, bands } of submissions) {
		const own = rows.filter((r) => r.submissionId === submissionId);
		const workSubmitted = own[0]?.selfState === 'submitted';
		const criterionIds = [
			...new Set(own.map((r) => r.criterionId).filter((id): id is number => id !== null))
		];
		out.set(
			submissionId,
			new Map(criterionIds.map((id) => [id, summarise(own, id, bands, withNames, workSubmitted)]))
		);
	}
	return out;
}

function peerRowsOf(db: DB, submissionIds: number[]) {
	return db
		.selectFrom('peer_allocations')
		.innerJoin('submissions', 'submissions.id', 'peer_allocations.submission_id')
		.innerJoin('users', 'users.id', 'peer_allocations.reviewer_id')
		.leftJoin('assessments', (join) =>
			join
				.onRef('assessments.submission_id', '=', 'peer_allocations.submission_id')
				.onRef('assessments.assessor_id', '=', 'peer_allocations.reviewer_id')
				.on('assessments.role', '=', 'peer')
		)
		.select([
			'peer_allocations.submission_id as submissionId',
			'submissions.self_state as selfState',
			'peer_allocations.id as allocationId',
			'peer_allocations.anonymous_label as label',
			'peer_allocations.state',
			'peer_allocations.excluded_at as excludedAt',
			'peer_allocations.excluded_reason as excludedReason',
			'users.given_name as givenName',
			'users.family_name as familyName',
			'assessments.criterion_id as criterionId',
			'assessments.value',
			'assessments.comment'
		])
		.where('peer_allocations.submission_id', 'in', submissionIds)
		.orderBy('peer_allocations.submission_id')
		.orderBy('peer_allocations.anonymous_label')
		.execute();
}
type PeerRow = Awaited<ReturnType<typeof peerRowsOf>>[number];

function summarise(
	rows: PeerRow[],
	criterionId: number,
	bands: { minValue: number }[],
	withNames: boolean,
	/** the reviewed work is submitted now: reviews of work not handed in, or reopened, do not count */
	workSubmitted: boolean
) {
	const allocations = [...new Map(rows.map((r) => [r.allocationId, r])).values()];
	const reviews = allocations.map((a) => {
		const row = rows.find(
			(r) => r.allocationId === a.allocationId && r.criterionId === criterionId
		);
		return {
			label: a.label,
			reviewer: withNames ? displayName(a) : null,
			value: row?.value ?? null,
			// Words are shown only from reviews that count (the reviewee, and the report, see them).
			comment:
				workSubmitted && a.state === 'submitted' && !a.excludedAt ? (row?.comment ?? '') : '',
			submitted: a.state === 'submitted',
			excluded: a.excludedAt !== null,
			excludedReason: a.excludedReason
		};
	});
	return { consensus: peerConsensus(bands, reviews, workSubmitted), workSubmitted, reviews };
}
