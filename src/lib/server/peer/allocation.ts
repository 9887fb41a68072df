import { randomInt } from 'node:crypto';
import type { DB } from '../db/connection';
import type { SessionUser } from '../auth/sessions';
import { recordAudit } from '../audit';
import {
	requireAllocationToTeach,
	requireTaskToTeach,
	type TaskToLearn,
	type TaskToTeach
} from '../auth/task-guards';
import { nowIso } from '../clock';
import { scaleBands } from '../scales/scales';
import {
	allocateReviewers,
	freeReviewerLabels,
	lateSubmissionPairs,
	peerWindow,
	seededRandom,
	type Allocation
} from '../../domain/peer-review';
import { displayName } from '../../domain/names';
import { reviewerQualities } from './results';
import { Refusal } from '../errors';
import { effectiveDates, extensionJoin } from '../tasks/effective-dates';

// The teacher's side of peer review: who reviews whom, and which reviews count.

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

/**
 * The class's learners whose work on the task is submitted, with their submission: the only work
 * reviewers are given (work not handed in, or reopened by the teacher, has nothing to review yet).
 */
async function submittedWork(db: DB, task: { id: number; class_id: number }) {
	const rows = await db
		.selectFrom('submissions')
		.innerJoin('enrolments', (join) =>
			join
				.onRef('enrolments.learner_id', '=', 'submissions.learner_id')
				.on('enrolments.class_id', '=', task.class_id)
		)
		.innerJoin('users', 'users.id', 'submissions.learner_id')
		.select(['submissions.id', 'submissions.learner_id'])
		.where('submissions.task_id', '=', task.id)
		.where('submissions.self_state', '=', 'submitted')
		.where('users.active', '=', 1)
		.execute();
	return new Map(rows.map((r) => [r.learner_id, r.id]));
}

async function groupPools(db: DB, taskId: number) {
	const members = await db
		.selectFrom('task_group_members')
		.innerJoin('task_groups', 'task_groups.id', 'task_group_members.group_id')
		.select(['task_groups.id as groupId', 'task_group_members.learner_id as learnerId'])
		.where('task_groups.task_id', '=', taskId)
		.execute();
	const byGroup = new Map<number, number[]>();
	for (const m of members) byGroup.set(m.groupId, [...(byGroup.get(m.groupId) ?? []), m.learnerId]);
	return [...byGroup.values()];
}

/**
 * Everything the teacher's peer page shows: who reviews whom (never hidden from the teacher),
 * states, quality.
 */
export async function peerOverview(db: DB, teacher: SessionUser, taskId: number) {
	const task = await requireTaskToTeach(db, teacher, taskId);
	const [learners, submitted, allocations, bands, groups] = await Promise.all([
		classLearners(db, task.class_id),
		submittedWork(db, task),
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
				'peer_allocations.excluded_at as excludedAt',
				'submissions.self_state as workState'
			])
			.where('peer_allocations.task_id', '=', taskId)
			.orderBy('peer_allocations.id')
			.execute(),
		scaleBands(db, task.scale_id),
		db.selectFrom('task_groups').select(['id', 'name']).where('task_id', '=', taskId).execute()
	]);
	const name = new Map(learners.map((l) => [l.id, displayName(l)]));
	const missed = await missedDueDate(db, task, learners, submitted);
	const quality = (
		await reviewerQualities(db, [{ taskId, bands }], { includeUnreleased: true })
	).get(taskId)!;
	return {
		task: {
			id: task.id,
			title: task.title,
			className: task.className,
			state: task.state,
			peerEnabled: task.peer_enabled === 1,
			perLearner: task.peer_reviewers_per_learner,
			allocation: task.peer_allocation,
			/** allocated automatically at least once: later submitters are given reviewers */
			allocated: task.peer_allocated_at !== null,
			anonymous: task.peer_anonymous === 1,
			window: peerWindow(task),
			groupCount: groups.length
		},
		learners: learners.map((l) => ({
			id: l.id,
			name: name.get(l.id)!,
			submitted: submitted.has(l.id)
		})),
		/**
		 * learners whose work is submitted; those reviewers wait for (given reviewers on submit), whose
		 * own due date (an extension's, else the class's) has not passed; and those past it
		 */
		submittedCount: submitted.size,
		waitingCount: learners.length - submitted.size - missed,
		missedCount: missed,
		allocations: allocations.map(({ workState, ...a }) => ({
			...a,
			reviewerName: name.get(a.reviewerId) ?? 'Former learner',
			revieweeName: name.get(a.revieweeId) ?? 'Former learner',
			excluded: a.excludedAt !== null,
			/** reopened (or never handed in): the review stays, and counts once the work is submitted */
			workSubmitted: workState === 'submitted'
		})),
		quality: [...quality.entries()].map(([reviewerId, q]) => ({
			reviewerId,
			reviewerName: name.get(reviewerId) ?? 'Former learner',
			...q
		})),
		started: allocations.some((a) => a.state !== 'allocated')
	};
}

/**
 * How many of the class's learners have not submitted and are past their own due date. A learner
 * with an extension who has not submitted is still to submit until their date passes.
 */
async function missedDueDate(
	db: DB,
	task: { id: number; class_id: number },
	learners: { id: number }[],
	submitted: ReadonlyMap<number, number>
) {
	const rows = await db
		.selectFrom('enrolments')
		.innerJoin('tasks', (join) => join.on('tasks.id', '=', task.id))
		.leftJoin('task_extensions', extensionJoin('enrolments.learner_id'))
		.select(['enrolments.learner_id as id', effectiveDates.dueAt.as('dueAt')])
		.where('enrolments.class_id', '=', task.class_id)
		.execute();
	const inClass = new Set(learners.map((l) => l.id));
	const now = Date.now();
	return rows.filter(
		(r) =>
			inClass.has(r.id) && !submitted.has(r.id) && r.dueAt !== null && Date.parse(r.dueAt) < now
	).length;
}

async function requirePeerTask(db: DB, teacher: SessionUser, taskOrId: number | TaskToTeach) {
	const task = await requireTaskToTeach(db, teacher, taskOrId);
	if (task.peer_enabled !== 1)
		throw new Refusal(
			'Peer assessment is off for this task. Turn it on in the task settings first.',
			409
		);
	if (task.state !== 'published')
		throw new Refusal('Publish the task before allocating reviewers.', 409);
	return task;
}

/**
 * Allocate reviewers afresh: random within the class, or within the task's groups. Refused once any
 * review has started, so nobody's work in progress is thrown away; single pairs can still change.
 */
export async function allocatePeers(
	db: DB,
	teacher: SessionUser,
	taskOrId: number | TaskToTeach,
	seed = randomInt(2 ** 31)
) {
	const task = await requirePeerTask(db, teacher, taskOrId);
	const taskId = task.id;
	if (task.peer_allocation === 'manual')
		throw new Refusal('This task allocates reviewers by hand: add pairs below.', 409);
	// Read and written in one transaction, so a learner submitting meanwhile is either in this
	// circle or, seeing the allocation made, topped up as a late submitter (never missed), and no
	// review can start between the check below and the delete.
	return db.transaction().execute(async (trx) => {
		const started = await trx
			.selectFrom('peer_allocations')
			.select('id')
			.where('task_id', '=', taskId)
			.where('state', '!=', 'allocated')
			.limit(1)
			.executeTakeFirst();
		if (started)
			throw new Refusal(
				'Reviews have started, so the allocation is kept. Add or remove single pairs instead.',
				409
			);
		const [learners, submitted, groups] = await Promise.all([
			classLearners(trx, task.class_id),
			submittedWork(trx, task),
			task.peer_allocation === 'groups' ? groupPools(trx, taskId) : null
		]);
		if (groups?.length === 0)
			throw new Refusal('Make the groups first: this task allocates reviewers within groups.', 409);
		// Only submitted work is reviewed, and only those who submitted review (as in a circle, each
		// does as many reviews as they get); the others join as they submit.
		const pools = (groups ?? [learners.map((l) => l.id)])
			.map((pool) => pool.filter((id) => submitted.has(id)))
			.filter((pool) => pool.length > 0);
		const { pairs, shortfalls } = allocateReviewers(
			pools,
			task.peer_reviewers_per_learner,
			seededRandom(seed)
		);
		await trx.deleteFrom('peer_allocations').where('task_id', '=', taskId).execute();
		const now = nowIso();
		await insertPairs(trx, taskId, pairs, submitted, new Map(), now);
		await trx
			.updateTable('tasks')
			.set({ peer_allocated_at: now })
			.where('id', '=', taskId)
			.execute();
		const works = new Set(pools.flat()).size;
		const waiting = learners.length - submitted.size;
		await recordAudit(trx, {
			schoolId: teacher.schoolId,
			actorId: teacher.id,
			action: 'peer.allocate',
			entityType: 'task',
			entityId: String(taskId),
			after: { seed, pairs: pairs.length, works, waiting, mode: task.peer_allocation }
		});
		return { pairs: pairs.length, works, waiting, shortfalls: shortfalls.length };
	});
}

/**
 * Insert reviewer pairs, each labelled with the first label its work does not use yet
 * (`usedLabels`, by reviewee, is updated).
 */
async function insertPairs(
	trx: DB,
	taskId: number,
	pairs: readonly Allocation[],
	submissionOf: ReadonlyMap<number, number>,
	usedLabels: Map<number, string[]>,
	now: string
) {
	const rows = pairs.map((p) => {
		const used = usedLabels.get(p.revieweeId) ?? [];
		const [label] = freeReviewerLabels(used, 1);
		usedLabels.set(p.revieweeId, [...used, label!]);
		return {
			task_id: taskId,
			reviewer_id: p.reviewerId,
			submission_id: submissionOf.get(p.revieweeId)!,
			anonymous_label: label!,
			created_at: now
		};
	});
	for (let i = 0; i < rows.length; i += 200)
		await trx
			.insertInto('peer_allocations')
			.values(rows.slice(i, i + 200))
			.execute();
}

/**
 * A learner has just submitted (called inside their submit's transaction). If the teacher has
 * already allocated reviewers automatically, their work gets the task's number of reviewers from
 * the learners doing the fewest reviews, and they take on reviews of work still short of
 * reviewers (`lateSubmissionPairs`). Nothing for tasks allocated by hand (the teacher adds pairs),
 * before the first allocation (it will include them) or after the peer window has closed.
 * Returns the pairs added.
 */
export async function allocateLateSubmission(
	trx: DB,
	task: Pick<
		TaskToLearn,
		| 'id'
		| 'class_id'
		| 'peer_enabled'
		| 'peer_allocation'
		| 'peer_reviewers_per_learner'
		| 'peer_closes_at'
	>,
	learner: Pick<SessionUser, 'id' | 'schoolId'>,
	seed = randomInt(2 ** 31)
): Promise<Allocation[]> {
	if (task.peer_enabled !== 1 || task.peer_allocation === 'manual') return [];
	if (task.peer_closes_at && new Date(nowIso()) > new Date(task.peer_closes_at)) return [];
	// Read inside the transaction: the allocation may have been made since the task was guarded.
	const { peer_allocated_at } = await trx
		.selectFrom('tasks')
		.select('peer_allocated_at')
		.where('id', '=', task.id)
		.executeTakeFirstOrThrow();
	if (peer_allocated_at === null) return [];
	const [submitted, groups, existing] = await Promise.all([
		submittedWork(trx, task),
		task.peer_allocation === 'groups' ? groupPools(trx, task.id) : null,
		trx
			.selectFrom('peer_allocations')
			.innerJoin('submissions', 'submissions.id', 'peer_allocations.submission_id')
			.select([
				'peer_allocations.reviewer_id as reviewerId',
				'submissions.learner_id as revieweeId',
				'peer_allocations.anonymous_label as label'
			])
			.where('peer_allocations.task_id', '=', task.id)
			.execute()
	]);
	if (!submitted.has(learner.id)) return [];
	// The learner's pool: the class, or the members of their own group(s) (none if in no group).
	const pool = (groups ?? [[...submitted.keys()]])
		.filter((g) => g.includes(learner.id))
		.flat()
		.filter((id) => submitted.has(id));
	const usedLabels = new Map<number, string[]>();
	for (const e of existing)
		usedLabels.set(e.revieweeId, [...(usedLabels.get(e.revieweeId) ?? []), e.label]);
	const pairs = lateSubmissionPairs(
		learner.id,
		pool,
		existing,
		task.peer_reviewers_per_learner,
		seededRandom(seed)
	);
	if (pairs.length === 0) return pairs;
	await insertPairs(trx, task.id, pairs, submitted, usedLabels, nowIso());
	await recordAudit(trx, {
		schoolId: learner.schoolId,
		actorId: learner.id,
		action: 'peer.allocate_late',
		entityType: 'task',
		entityId: String(task.id),
		after: { seed, learnerId: learner.id, pairs }
	});
	return pairs;
}

export async function addPeerPair(
	db: DB,
	teacher: SessionUser,
	taskOrId: number | TaskToTeach,
	reviewerId: number,
	revieweeId: number
) {
	const task = await requirePeerTask(db, teacher, taskOrId);
	const taskId = task.id;
	if (reviewerId === revieweeId) throw new Refusal('A learner cannot review their own work.');
	const learners = new Set((await classLearners(db, task.class_id)).map((l) => l.id));
	if (!learners.has(reviewerId) || !learners.has(revieweeId))
		throw new Refusal('Both learners must be in this class.', 404);
	const submissionId = (await submittedWork(db, task)).get(revieweeId);
	if (submissionId === undefined)
		throw new Refusal(
			'That learner has not submitted this task yet, so there is no work to review. Add the pair once they submit.',
			409
		);
	const existing = await db
		.selectFrom('peer_allocations')
		.select(['reviewer_id', 'anonymous_label'])
		.where('submission_id', '=', submissionId)
		.execute();
	if (existing.some((e) => e.reviewer_id === reviewerId))
		throw new Refusal('That learner already reviews this work.', 409);
	await db.transaction().execute(async (trx) => {
		await insertPairs(
			trx,
			taskId,
			[{ reviewerId, revieweeId }],
			new Map([[revieweeId, submissionId]]),
			new Map([[revieweeId, existing.map((e) => e.anonymous_label)]]),
			nowIso()
		);
		await recordAudit(trx, {
			schoolId: teacher.schoolId,
			actorId: teacher.id,
			action: 'peer.add_pair',
			entityType: 'task',
			entityId: String(taskId),
			after: { reviewerId, revieweeId }
		});
	});
}

export async function removePeerPair(
	db: DB,
	teacher: SessionUser,
	taskOrId: number | TaskToTeach,
	allocationId: number
) {
	const allocation = await requireAllocationToTeach(db, teacher, taskOrId, allocationId);
	if (allocation.state !== 'allocated')
		throw new Refusal('This review has started; exclude it instead, with a reason.', 409);
	await db.transaction().execute(async (trx) => {
		await trx.deleteFrom('peer_allocations').where('id', '=', allocationId).execute();
		await recordAudit(trx, {
			schoolId: teacher.schoolId,
			actorId: teacher.id,
			action: 'peer.remove_pair',
			entityType: 'peer_allocation',
			entityId: String(allocationId)
		});
	});
}

/** Leave a review out of the consensus (or bring it back); the reason is kept and shown. */
export async function setReviewExcluded(
	db: DB,
	teacher: SessionUser,
	taskOrId: number | TaskToTeach,
	allocationId: number,
	excluded: boolean,
	reason: string
) {
	const allocation = await requireAllocationToTeach(db, teacher, taskOrId, allocationId);
	if (excluded && !reason.trim())
		throw new Refusal('Say why this review is excluded (the learner’s record keeps the reason).');
	await db.transaction().execute(async (trx) => {
		await trx
			.updateTable('peer_allocations')
			.set(
				excluded
					? { excluded_at: nowIso(), excluded_by: teacher.id, excluded_reason: reason.trim() }
					: { excluded_at: null, excluded_by: null, excluded_reason: null }
			)
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
