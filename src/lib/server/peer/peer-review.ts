import { randomInt } from 'node:crypto';
import type { DB } from '../db/connection';
import type { SessionUser } from '../auth/sessions';
import { recordAudit } from '../audit';
import { renderMarkdown } from '../markdown';
import { requireAllocationToTeach, requireOwnAllocation, requireTaskToTeach, type TaskToTeach } from '../auth/task-guards';
import { assessmentCards, evidenceOf, nowIso, scaleBands, upsertJudgement } from '../assessment/shared';
import { allocateReviewers, peerConsensus, reviewerLabel, reviewerQuality, seededRandom } from '../../domain/peer-review';
import { teacherResult } from '../../domain/results';
import type { SelfSave } from '../../schemas/assessment';
import { Refusal } from '../errors';

/** Whether reviewers may work now: the teacher's window, in words for the reviewer. */
export function peerWindow(task: { peer_opens_at: string | null; peer_closes_at: string | null }, now = new Date()) {
	if (task.peer_opens_at && now < new Date(task.peer_opens_at)) return { open: false, reason: `Peer review opens on ${formatDay(task.peer_opens_at)}.` };
	if (task.peer_closes_at && now > new Date(task.peer_closes_at)) return { open: false, reason: `Peer review closed on ${formatDay(task.peer_closes_at)}.` };
	return { open: true, reason: task.peer_closes_at ? `Open until ${formatDay(task.peer_closes_at)}.` : 'Open.' };
}
const formatDay = (iso: string) => new Date(iso).toLocaleDateString('en-GB', { day: 'numeric', month: 'long', hour: '2-digit', minute: '2-digit' });

async function classLearners(db: DB, classId: number) {
	return db
		.selectFrom('enrolments')
		.innerJoin('users', 'users.id', 'enrolments.learner_id')
		.select(['users.id', 'users.given_name as givenName', 'users.family_name as familyName'])
		.where('enrolments.class_id', '=', classId)
		.where('users.active', '=', 1)
		.orderBy('users.family_name')
		.orderBy('users.given_name')
		.execute();
}

async function ensureSubmissions(db: DB, taskId: number, learnerIds: number[]): Promise<Map<number, number>> {
	const now = nowIso();
	for (const learnerId of learnerIds) {
		await db
			.insertInto('submissions')
			.values({ task_id: taskId, learner_id: learnerId, updated_at: now })
			.onConflict((oc) => oc.columns(['task_id', 'learner_id']).doNothing())
			.execute();
	}
	const rows = learnerIds.length
		? await db.selectFrom('submissions').select(['id', 'learner_id']).where('task_id', '=', taskId).where('learner_id', 'in', learnerIds).execute()
		: [];
	return new Map(rows.map((r) => [r.learner_id, r.id]));
}

/** Everything the teacher's peer page shows: who reviews whom (never hidden from the teacher), states, quality. */
export async function peerOverview(db: DB, teacher: SessionUser, taskId: number) {
	const task = await requireTaskToTeach(db, teacher, taskId);
	const [learners, allocations, bands, groups] = await Promise.all([
		classLearners(db, task.class_id),
		db
			.selectFrom('peer_allocations')
			.innerJoin('submissions', 'submissions.id', 'peer_allocations.submission_id')
			.select([
				'peer_allocations.id',
				'peer_allocations.reviewer_id as reviewerId',
				'submissions.learner_id as revieweeId',
				'peer_allocations.submission_id as submissionId',
				'peer_allocations.anonymous_label as label',
				'peer_allocations.state',
				'peer_allocations.excluded_reason as excludedReason',
				'peer_allocations.excluded_at as excludedAt'
			])
			.where('peer_allocations.task_id', '=', taskId)
			.orderBy('peer_allocations.id')
			.execute(),
		scaleBands(db, task.scale_id),
		db.selectFrom('task_groups').select(['id', 'name']).where('task_id', '=', taskId).execute()
	]);
	const name = new Map(learners.map((l) => [l.id, `${l.givenName} ${l.familyName}`]));
	const quality = await reviewerQualities(db, taskId, bands);
	return {
		task: {
			id: task.id,
			title: task.title,
			className: task.className,
			state: task.state,
			peerEnabled: task.peer_enabled === 1,
			perLearner: task.peer_reviewers_per_learner,
			allocation: task.peer_allocation,
			anonymous: task.peer_anonymous === 1,
			window: peerWindow(task),
			groupCount: groups.length
		},
		learners: learners.map((l) => ({ id: l.id, name: name.get(l.id)! })),
		allocations: allocations.map((a) => ({
			...a,
			reviewerName: name.get(a.reviewerId) ?? 'Former learner',
			revieweeName: name.get(a.revieweeId) ?? 'Former learner',
			excluded: a.excludedAt !== null
		})),
		quality: [...quality.entries()].map(([reviewerId, q]) => ({ reviewerId, reviewerName: name.get(reviewerId) ?? 'Former learner', ...q })),
		started: allocations.some((a) => a.state !== 'allocated')
	};
}

/**
 * Each reviewer's closeness to the teacher on the same work: their submitted, included peer values
 * against the teacher result for that learner and criterion (two queries for the whole task).
 */
export async function reviewerQualities(db: DB, taskId: number, bands: { minValue: number }[]) {
	const [peerRows, teacherRows, agreed] = await Promise.all([
		db
			.selectFrom('assessments')
			.innerJoin('submissions', 'submissions.id', 'assessments.submission_id')
			.innerJoin('peer_allocations', (join) =>
				join.onRef('peer_allocations.submission_id', '=', 'assessments.submission_id').onRef('peer_allocations.reviewer_id', '=', 'assessments.assessor_id')
			)
			.select(['assessments.assessor_id as reviewerId', 'assessments.submission_id as submissionId', 'assessments.criterion_id as criterionId', 'assessments.value'])
			.where('submissions.task_id', '=', taskId)
			.where('assessments.role', '=', 'peer')
			.where('peer_allocations.state', '=', 'submitted')
			.where('peer_allocations.excluded_at', 'is', null)
			.where('assessments.value', 'is not', null)
			.execute(),
		db
			.selectFrom('assessments')
			.innerJoin('submissions', 'submissions.id', 'assessments.submission_id')
			.select(['assessments.submission_id as submissionId', 'assessments.criterion_id as criterionId', 'assessments.value'])
			.where('submissions.task_id', '=', taskId)
			.where('assessments.role', '=', 'teacher')
			.execute(),
		db
			.selectFrom('agreed_grades')
			.innerJoin('submissions', 'submissions.id', 'agreed_grades.submission_id')
			.select(['agreed_grades.submission_id as submissionId', 'agreed_grades.criterion_id as criterionId', 'agreed_grades.value'])
			.where('submissions.task_id', '=', taskId)
			.execute()
	]);
	const teacherFor = (submissionId: number, criterionId: number) =>
		teacherResult(
			teacherRows.filter((t) => t.submissionId === submissionId && t.criterionId === criterionId).map((t) => t.value),
			agreed.find((a) => a.submissionId === submissionId && a.criterionId === criterionId)?.value ?? null
		)?.value ?? null;
	const byReviewer = new Map<number, { reviewer: number; teacher: number }[]>();
	for (const row of peerRows) {
		const teacher = teacherFor(row.submissionId, row.criterionId);
		if (teacher === null) continue;
		const list = byReviewer.get(row.reviewerId) ?? [];
		list.push({ reviewer: row.value!, teacher });
		byReviewer.set(row.reviewerId, list);
	}
	const result = new Map<number, NonNullable<ReturnType<typeof reviewerQuality>>>();
	for (const [reviewerId, pairs] of byReviewer) result.set(reviewerId, reviewerQuality(bands, pairs)!);
	return result;
}

async function requirePeerTask(db: DB, teacher: SessionUser, taskOrId: number | TaskToTeach) {
	const task = await requireTaskToTeach(db, teacher, taskOrId);
	if (task.peer_enabled !== 1) throw new Refusal('Peer assessment is off for this task. Turn it on in the task settings first.', 409);
	if (task.state !== 'published') throw new Refusal('Publish the task before allocating reviewers.', 409);
	return task;
}

/**
 * Allocate reviewers afresh: random within the class, or within the task's groups. Refused once any
 * review has started, so nobody's work in progress is thrown away; single pairs can still change.
 */
export async function allocatePeers(db: DB, teacher: SessionUser, taskOrId: number | TaskToTeach, seed = randomInt(2 ** 31)) {
	const task = await requirePeerTask(db, teacher, taskOrId);
	const taskId = task.id;
	if (task.peer_allocation === 'manual') throw new Refusal('This task allocates reviewers by hand: add pairs below.', 409);
	const started = await db.selectFrom('peer_allocations').select('id').where('task_id', '=', taskId).where('state', '!=', 'allocated').limit(1).executeTakeFirst();
	if (started) throw new Refusal('Reviews have started, so the allocation is kept. Add or remove single pairs instead.', 409);
	const learners = (await classLearners(db, task.class_id)).map((l) => l.id);
	let pools: number[][] = [learners];
	if (task.peer_allocation === 'groups') {
		const members = await db
			.selectFrom('task_group_members')
			.innerJoin('task_groups', 'task_groups.id', 'task_group_members.group_id')
			.select(['task_groups.id as groupId', 'task_group_members.learner_id as learnerId'])
			.where('task_groups.task_id', '=', taskId)
			.execute();
		if (members.length === 0) throw new Refusal('Make the groups first: this task allocates reviewers within groups.', 409);
		const byGroup = new Map<number, number[]>();
		for (const m of members) if (learners.includes(m.learnerId)) byGroup.set(m.groupId, [...(byGroup.get(m.groupId) ?? []), m.learnerId]);
		pools = [...byGroup.values()];
	}
	const { pairs, shortfalls } = allocateReviewers(pools, task.peer_reviewers_per_learner, seededRandom(seed));
	const submissions = await ensureSubmissions(db, taskId, [...new Set(pairs.map((p) => p.revieweeId))]);
	await db.transaction().execute(async (trx) => {
		await trx.deleteFrom('peer_allocations').where('task_id', '=', taskId).execute();
		const seen = new Map<number, number>();
		const now = nowIso();
		const rows = pairs.map((p) => {
			const index = seen.get(p.revieweeId) ?? 0;
			seen.set(p.revieweeId, index + 1);
			return { task_id: taskId, reviewer_id: p.reviewerId, submission_id: submissions.get(p.revieweeId)!, anonymous_label: reviewerLabel(index), created_at: now };
		});
		for (let i = 0; i < rows.length; i += 200) await trx.insertInto('peer_allocations').values(rows.slice(i, i + 200)).execute();
		await recordAudit(trx, { schoolId: teacher.schoolId, actorId: teacher.id, action: 'peer.allocate', entityType: 'task', entityId: String(taskId), after: { seed, pairs: pairs.length, mode: task.peer_allocation } });
	});
	return { pairs: pairs.length, shortfalls: shortfalls.length };
}

export async function addPeerPair(db: DB, teacher: SessionUser, taskOrId: number | TaskToTeach, reviewerId: number, revieweeId: number) {
	const task = await requirePeerTask(db, teacher, taskOrId);
	const taskId = task.id;
	if (reviewerId === revieweeId) throw new Refusal('A learner cannot review their own work.');
	const learners = new Set((await classLearners(db, task.class_id)).map((l) => l.id));
	if (!learners.has(reviewerId) || !learners.has(revieweeId)) throw new Refusal('Both learners must be in this class.', 404);
	const submissions = await ensureSubmissions(db, taskId, [revieweeId]);
	const submissionId = submissions.get(revieweeId)!;
	const existing = await db.selectFrom('peer_allocations').select(['reviewer_id']).where('submission_id', '=', submissionId).execute();
	if (existing.some((e) => e.reviewer_id === reviewerId)) throw new Refusal('That learner already reviews this work.', 409);
	await db.transaction().execute(async (trx) => {
		await trx
			.insertInto('peer_allocations')
			.values({ task_id: taskId, reviewer_id: reviewerId, submission_id: submissionId, anonymous_label: reviewerLabel(existing.length), created_at: nowIso() })
			.execute();
		await recordAudit(trx, { schoolId: teacher.schoolId, actorId: teacher.id, action: 'peer.add_pair', entityType: 'task', entityId: String(taskId), after: { reviewerId, revieweeId } });
	});
}

export async function removePeerPair(db: DB, teacher: SessionUser, taskOrId: number | TaskToTeach, allocationId: number) {
	const allocation = await requireAllocationToTeach(db, teacher, taskOrId, allocationId);
	if (allocation.state !== 'allocated') throw new Refusal('This review has started; exclude it instead, with a reason.', 409);
	await db.transaction().execute(async (trx) => {
		await trx.deleteFrom('peer_allocations').where('id', '=', allocationId).execute();
		await recordAudit(trx, { schoolId: teacher.schoolId, actorId: teacher.id, action: 'peer.remove_pair', entityType: 'peer_allocation', entityId: String(allocationId) });
	});
}

/** Leave a review out of the consensus (or bring it back); the reason is kept and shown. */
export async function setReviewExcluded(db: DB, teacher: SessionUser, taskOrId: number | TaskToTeach, allocationId: number, excluded: boolean, reason: string) {
	const allocation = await requireAllocationToTeach(db, teacher, taskOrId, allocationId);
	if (excluded && !reason.trim()) throw new Refusal('Say why this review is excluded (the learner’s record keeps the reason).');
	await db.transaction().execute(async (trx) => {
		await trx
			.updateTable('peer_allocations')
			.set(excluded ? { excluded_at: nowIso(), excluded_by: teacher.id, excluded_reason: reason.trim() } : { excluded_at: null, excluded_by: null, excluded_reason: null })
			.where('id', '=', allocationId)
			.execute();
		await recordAudit(trx, {
			schoolId: teacher.schoolId,
			actorId: teacher.id,
			action: excluded ? 'peer.exclude' : 'peer.include',
			entityType: 'peer_allocation',
			entityId: String(allocationId),
			before: { excluded: allocation.excluded_at !== null },
			after: { excluded },
			reason: reason.trim()
		});
	});
}

// ── the reviewer's side ───────────────────────────────────────────────────────

/** A learner's reviews to do, across their classes; the work is named by task and number, never by person. */
export async function myReviews(db: DB, learner: SessionUser) {
	const rows = await db
		.selectFrom('peer_allocations')
		.innerJoin('tasks', 'tasks.id', 'peer_allocations.task_id')
		.innerJoin('classes', 'classes.id', 'tasks.class_id')
		.select([
			'peer_allocations.id',
			'peer_allocations.state',
			'tasks.id as taskId',
			'tasks.title as taskTitle',
			'tasks.scale_id as scaleId',
			'tasks.peer_opens_at',
			'tasks.peer_closes_at',
			'classes.name as className'
		])
		.where('peer_allocations.reviewer_id', '=', learner.id)
		.where('tasks.state', '=', 'published')
		.where('tasks.peer_enabled', '=', 1)
		.orderBy('tasks.id')
		.orderBy('peer_allocations.id')
		.execute();
	const numbering = new Map<number, number>();
	const qualities = new Map<number, Awaited<ReturnType<typeof reviewerQualities>>>();
	for (const taskId of new Set(rows.map((r) => r.taskId))) {
		const scaleId = rows.find((r) => r.taskId === taskId)!.scaleId;
		qualities.set(taskId, await reviewerQualities(db, taskId, await scaleBands(db, scaleId)));
	}
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
			quality: qualities.get(r.taskId)?.get(learner.id) ?? null
		};
	});
}

/**
 * What a reviewer sees: the brief, the criteria and the reviewee's evidence. Not their name, not
 * their self-assessment or reflections, not the teacher's grades.
 */
export async function peerReviewView(db: DB, learner: SessionUser, allocationId: number) {
	const allocation = await requireOwnAllocation(db, learner, allocationId);
	const [cards, evidence, mine] = await Promise.all([
		assessmentCards(db, allocation.taskId, allocation.scale_id),
		evidenceOf(db, allocation.submissionId),
		db
			.selectFrom('assessments')
			.select(['criterion_id as criterionId', 'value', 'comment'])
			.where('submission_id', '=', allocation.submissionId)
			.where('assessor_id', '=', learner.id)
			.where('role', '=', 'peer')
			.execute()
	]);
	return {
		review: { id: allocation.id, state: allocation.state, window: peerWindow(allocation) },
		task: { title: allocation.title, className: allocation.className, briefHtml: renderMarkdown(allocation.brief_markdown) },
		bands: cards.bands,
		evidence: evidence.map(({ createdAt: _, ...e }) => e),
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
				comment: own?.comment ?? ''
			};
		})
	};
}

export async function savePeerReview(db: DB, learner: SessionUser, allocationId: number, change: SelfSave) {
	const allocation = await requireOwnAllocation(db, learner, allocationId);
	if (change.kind !== 'criterion') throw new Refusal('A peer review saves one criterion at a time.');
	if (allocation.state === 'submitted') throw new Refusal('You have submitted this review, so it is locked.', 409);
	const window = peerWindow(allocation);
	if (!window.open) throw new Refusal(window.reason, 409);
	const inTask = await db.selectFrom('task_criteria').select('id').where('task_id', '=', allocation.taskId).where('criterion_id', '=', change.criterionId).executeTakeFirst();
	if (!inTask) throw new Refusal('That criterion is not part of this task.');
	return db.transaction().execute(async (trx) => {
		const revision = await upsertJudgement(trx, { submissionId: allocation.submissionId, criterionId: change.criterionId, assessorId: learner.id, role: 'peer', value: change.value, comment: change.comment });
		if (allocation.state === 'allocated') await trx.updateTable('peer_allocations').set({ state: 'in_progress' }).where('id', '=', allocationId).execute();
		return { revision };
	});
}

export async function submitPeerReview(db: DB, learner: SessionUser, allocationId: number) {
	const allocation = await requireOwnAllocation(db, learner, allocationId);
	if (allocation.state === 'submitted') throw new Refusal('You have already submitted this review.', 409);
	const window = peerWindow(allocation);
	if (!window.open) throw new Refusal(window.reason, 409);
	const [criteria, placed] = await Promise.all([
		db.selectFrom('task_criteria').select('criterion_id').where('task_id', '=', allocation.taskId).execute(),
		db
			.selectFrom('assessments')
			.select('criterion_id')
			.where('submission_id', '=', allocation.submissionId)
			.where('assessor_id', '=', learner.id)
			.where('role', '=', 'peer')
			.where('value', 'is not', null)
			.execute()
	]);
	const missing = criteria.filter((c) => !placed.some((p) => p.criterion_id === c.criterion_id)).length;
	if (missing) throw new Refusal(`Place your slider on every criterion before submitting (${missing} still to do).`);
	await db.transaction().execute(async (trx) => {
		const now = nowIso();
		await trx.updateTable('peer_allocations').set({ state: 'submitted', submitted_at: now }).where('id', '=', allocationId).execute();
		await trx.updateTable('assessments').set({ submitted_at: now }).where('submission_id', '=', allocation.submissionId).where('assessor_id', '=', learner.id).where('role', '=', 'peer').execute();
		await recordAudit(trx, { schoolId: learner.schoolId, actorId: learner.id, action: 'peer.submit', entityType: 'peer_allocation', entityId: String(allocationId) });
	});
}

/**
 * Peer judgements of one learner's work, per criterion: the consensus with its working, and each
 * review labelled as the reviewee may see it ("Reviewer A"). `withNames` is for teachers only.
 */
export async function peerResultsFor(db: DB, submissionId: number | null, bands: { minValue: number }[], withNames = false) {
	if (submissionId === null) return new Map<number, ReturnType<typeof summarise>>();
	const rows = await db
		.selectFrom('peer_allocations')
		.innerJoin('users', 'users.id', 'peer_allocations.reviewer_id')
		.leftJoin('assessments', (join) =>
			join
				.onRef('assessments.submission_id', '=', 'peer_allocations.submission_id')
				.onRef('assessments.assessor_id', '=', 'peer_allocations.reviewer_id')
				.on('assessments.role', '=', 'peer')
		)
		.select([
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
		.where('peer_allocations.submission_id', '=', submissionId)
		.orderBy('peer_allocations.anonymous_label')
		.execute();
	const allocations = [...new Map(rows.map((r) => [r.allocationId, r])).values()];
	const criterionIds = [...new Set(rows.map((r) => r.criterionId).filter((id): id is number => id !== null))];
	function summarise(criterionId: number) {
		const reviews = allocations.map((a) => {
			const row = rows.find((r) => r.allocationId === a.allocationId && r.criterionId === criterionId);
			return {
				label: a.label,
				reviewer: withNames ? `${a.givenName} ${a.familyName}` : null,
				value: row?.value ?? null,
				comment: a.state === 'submitted' && !a.excludedAt ? (row?.comment ?? '') : '',
				submitted: a.state === 'submitted',
				excluded: a.excludedAt !== null,
				excludedReason: a.excludedReason
			};
		});
		return { consensus: peerConsensus(bands, reviews), reviews };
	}
	return new Map(criterionIds.map((id) => [id, summarise(id)]));
}
