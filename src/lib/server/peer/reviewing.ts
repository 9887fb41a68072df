import type { DB } from '../db/connection';
import type { SessionUser } from '../auth/sessions';
import { recordAudit } from '../audit';
import { renderMarkdown } from '../markdown';
import { REVIEW_SET_ASIDE, requireOwnAllocation } from '../auth/task-guards';
import { nowIso } from '../clock';
import { scaleBandsOf } from '../scales/scales';
import { assessmentCards } from '../assessment/cards';
import { evidenceForReviewer, evidenceOf } from '../assessment/evidence';
import { refuseStaleJudgement, upsertJudgement } from '../assessment/judgements';
import { peerWindow } from '../../domain/peer-review';
import type { SelfSave } from '../../schemas/assessment';
import { reviewerQualities } from './results';
import { Refusal } from '../errors';
import { effectiveDates, extensionJoin } from '../tasks/effective-dates';

// The reviewer's side of peer review: the reviews a learner was given, and doing them.

/**
 * A learner's reviews to do, across their classes; the work is named by task and number, never by
 * person.
 */
export async function myReviews(db: DB, learner: SessionUser) {
	const rows = await db
		.selectFrom('peer_allocations')
		.innerJoin('tasks', 'tasks.id', 'peer_allocations.task_id')
		.innerJoin('classes', 'classes.id', 'tasks.class_id')
		// Reviews in a class the learner has left are no longer theirs to see.
		.innerJoin('enrolments', (join) =>
			join
				.onRef('enrolments.class_id', '=', 'tasks.class_id')
				.onRef('enrolments.learner_id', '=', 'peer_allocations.reviewer_id')
		)
		.leftJoin('task_extensions', extensionJoin('peer_allocations.reviewer_id'))
		.select([
			'peer_allocations.id',
			'peer_allocations.state',
			'peer_allocations.excluded_at as excludedAt',
			'tasks.id as taskId',
			'tasks.title as taskTitle',
			'tasks.scale_id as scaleId',
			// The reviewer's own window: an extension's, else the class's.
			effectiveDates.peerOpensAt.as('peer_opens_at'),
			effectiveDates.peerClosesAt.as('peer_closes_at'),
			'classes.name as className'
		])
		.where('peer_allocations.reviewer_id', '=', learner.id)
		.where('tasks.state', '=', 'published')
		.where('tasks.peer_enabled', '=', 1)
		.orderBy('tasks.id')
		.orderBy('peer_allocations.id')
		.execute();
	const numbering = new Map<number, number>();
	const tasks = [...new Map(rows.map((r) => [r.taskId, r.scaleId])).entries()];
	const bands = await scaleBandsOf(
		db,
		tasks.map(([, scaleId]) => scaleId)
	);
	const qualities = await reviewerQualities(
		db,
		tasks.map(([taskId, scaleId]) => ({ taskId, bands: bands.get(scaleId) ?? [] }))
	);
	return rows.map((r) => {
		const n = (numbering.get(r.taskId) ?? 0) + 1;
		numbering.set(r.taskId, n);
		return {
			id: r.id,
			state: r.state,
			taskId: r.taskId,
			taskTitle: r.taskTitle,
			className: r.className,
			workLabel: `Piece of work ${n}`,
			window: peerWindow(r),
			setAside: r.excludedAt !== null,
			quality: qualities.get(r.taskId)?.get(learner.id) ?? null
		};
	});
}

/**
 * What a reviewer sees: the brief, the criteria and the reviewee's evidence. Not their name, not
 * their self-assessment or reflections, not the teacher's grades.
 */
export async function peerReviewView(db: DB, learner: SessionUser, allocationId: number) {
	const allocation = await requireOwnAllocation(db, learner, allocationId, 'view');
	const [cards, evidence, mine] = await Promise.all([
		assessmentCards(db, allocation.taskId, allocation.scale_id),
		evidenceOf(db, allocation.submissionId),
		db
			.selectFrom('assessments')
			.select(['criterion_id as criterionId', 'value', 'comment', 'revision'])
			.where('submission_id', '=', allocation.submissionId)
			.where('assessor_id', '=', learner.id)
			.where('role', '=', 'peer')
			.execute()
	]);
	return {
		review: {
			id: allocation.id,
			state: allocation.state,
			window: peerWindow(allocation),
			setAside: allocation.excludedAt === null ? null : REVIEW_SET_ASIDE
		},
		task: {
			title: allocation.title,
			className: allocation.className,
			briefHtml: renderMarkdown(allocation.brief_markdown)
		},
		bands: cards.bands,
		evidence: evidenceForReviewer(evidence),
		criteria: cards.criteria.map((c) => {
			const own = mine.find((m) => m.criterionId === c.criterionId);
			return {
				criterionId: c.criterionId,
				code: c.code,
				title: c.title,
				description: c.description,
				colour: c.colour,
				categoryTitle: c.categoryTitle,
				descriptors: c.descriptors,
				value: own?.value ?? null,
				comment: own?.comment ?? '',
				revision: own?.revision ?? 0
			};
		})
	};
}

/**
 * One autosaved criterion of a review; a change based on a stale revision (another tab or device
 * saved since) is refused with 409 and the current version.
 */
export async function savePeerReview(
	db: DB,
	learner: SessionUser,
	allocationId: number,
	change: SelfSave
) {
	const allocation = await requireOwnAllocation(db, learner, allocationId, 'change');
	if (change.kind !== 'criterion')
		throw new Refusal('A peer review saves one criterion at a time.');
	if (allocation.state === 'submitted')
		throw new Refusal('You have submitted this review, so it is locked.', 409);
	const window = peerWindow(allocation);
	if (!window.open) throw new Refusal(window.reason, 409);
	const inTask = await db
		.selectFrom('task_criteria')
		.select('id')
		.where('task_id', '=', allocation.taskId)
		.where('criterion_id', '=', change.criterionId)
		.executeTakeFirst();
	if (!inTask) throw new Refusal('That criterion is not part of this task.');
	return db.transaction().execute(async (trx) => {
		const key = {
			submissionId: allocation.submissionId,
			criterionId: change.criterionId,
			assessorId: learner.id,
			role: 'peer' as const
		};
		const revision = await upsertJudgement(trx, {
			...key,
			value: change.value,
			comment: change.comment,
			baseRevision: change.baseRevision
		});
		if (revision === null) return refuseStaleJudgement(trx, key);
		if (allocation.state === 'allocated')
			await trx
				.updateTable('peer_allocations')
				.set({ state: 'in_progress' })
				.where('id', '=', allocationId)
				.execute();
		return { revision };
	});
}

export async function submitPeerReview(db: DB, learner: SessionUser, allocationId: number) {
	const allocation = await requireOwnAllocation(db, learner, allocationId, 'change');
	if (allocation.state === 'submitted')
		throw new Refusal('You have already submitted this review.', 409);
	const window = peerWindow(allocation);
	if (!window.open) throw new Refusal(window.reason, 409);
	const [criteria, placed] = await Promise.all([
		db
			.selectFrom('task_criteria')
			.select('criterion_id')
			.where('task_id', '=', allocation.taskId)
			.execute(),
		db
			.selectFrom('assessments')
			.select('criterion_id')
			.where('submission_id', '=', allocation.submissionId)
			.where('assessor_id', '=', learner.id)
			.where('role', '=', 'peer')
			.where('value', 'is not', null)
			.execute()
	]);
	const missing = criteria.filter(
		(c) => !placed.some((p) => p.criterion_id === c.criterion_id)
	).length;
	if (missing)
		throw new Refusal(
			`Place your slider on every criterion before submitting (${missing} still to do).`
		);
	await db.transaction().execute(async (trx) => {
		const now = nowIso();
		await trx
			.updateTable('peer_allocations')
			.set({ state: 'submitted', submitted_at: now })
			.where('id', '=', allocationId)
			.execute();
		await trx
			.updateTable('assessments')
			.set({ submitted_at: now })
			.where('submission_id', '=', allocation.submissionId)
			.where('assessor_id', '=', learner.id)
			.where('role', '=', 'peer')
			.execute();
		await recordAudit(trx, {
			schoolId: learner.schoolId,
			actorId: learner.id,
			action: 'peer.submit',
			entityType: 'peer_allocation',
			entityId: String(allocationId)
		});
	});
}
