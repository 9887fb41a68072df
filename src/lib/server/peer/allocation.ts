import { randomInt } from 'node:crypto';
import type { DB } from '../db/connection';
import type { SessionUser } from '../auth/sessions';
import { recordAudit } from '../audit';
import {
	requireAllocationToTeach,
	requireTaskToTeach,
	type TaskToTeach
} from '../auth/task-guards';
import { nowIso } from '../clock';
import { scaleBands } from '../scales/scales';
import {
	allocateReviewers,
	peerWindow,
	reviewerLabel,
	seededRandom
} from '../../domain/peer-review';
import { displayName } from '../../domain/names';
import { reviewerQualities } from './results';
import { Refusal } from '../errors';

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

async function ensureSubmissions(
	db: DB,
	taskId: number,
	learnerIds: number[]
): Promise<Map<number, number>> {
	if (learnerIds.length === 0) return new Map();
	const now = nowIso();
	await db
		.insertInto('submissions')
		.values(
			learnerIds.map((learnerId) => ({ task_id: taskId, learner_id: learnerId, updated_at: now }))
		)
		.onConflict((oc) => oc.columns(['task_id', 'learner_id']).doNothing())
		.execute();
	const rows = await db
		.selectFrom('submissions')
		.select(['id', 'learner_id'])
		.where('task_id', '=', taskId)
		.where('learner_id', 'in', learnerIds)
		.execute();
	return new Map(rows.map((r) => [r.learner_id, r.id]));
}

/**
 * Everything the teacher's peer page shows: who reviews whom (never hidden from the teacher),
 * states, quality.
 */
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
	const name = new Map(learners.map((l) => [l.id, displayName(l)]));
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
		quality: [...quality.entries()].map(([reviewerId, q]) => ({
			reviewerId,
			reviewerName: name.get(reviewerId) ?? 'Former learner',
			...q
		})),
		started: allocations.some((a) => a.state !== 'allocated')
	};
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
	const started = await db
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
	const learners = (await classLearners(db, task.class_id)).map((l) => l.id);
	let pools: number[][] = [learners];
	if (task.peer_allocation === 'groups') {
		const members = await db
			.selectFrom('task_group_members')
			.innerJoin('task_groups', 'task_groups.id', 'task_group_members.group_id')
			.select(['task_groups.id as groupId', 'task_group_members.learner_id as learnerId'])
			.where('task_groups.task_id', '=', taskId)
			.execute();
		if (members.length === 0)
			throw new Refusal('Make the groups first: this task allocates reviewers within groups.', 409);
		const byGroup = new Map<number, number[]>();
		for (const m of members)
			if (learners.includes(m.learnerId))
				byGroup.set(m.groupId, [...(byGroup.get(m.groupId) ?? []), m.learnerId]);
		pools = [...byGroup.values()];
	}
	const { pairs, shortfalls } = allocateReviewers(
		pools,
		task.peer_reviewers_per_learner,
		seededRandom(seed)
	);
	const submissions = await ensureSubmissions(db, taskId, [
		...new Set(pairs.map((p) => p.revieweeId))
	]);
	await db.transaction().execute(async (trx) => {
		await trx.deleteFrom('peer_allocations').where('task_id', '=', taskId).execute();
		const seen = new Map<number, number>();
		const now = nowIso();
		const rows = pairs.map((p) => {
			const index = seen.get(p.revieweeId) ?? 0;
			seen.set(p.revieweeId, index + 1);
			return {
				task_id: taskId,
				reviewer_id: p.reviewerId,
				submission_id: submissions.get(p.revieweeId)!,
				anonymous_label: reviewerLabel(index),
				created_at: now
			};
		});
		for (let i = 0; i < rows.length; i += 200)
			await trx
				.insertInto('peer_allocations')
				.values(rows.slice(i, i + 200))
				.execute();
		await recordAudit(trx, {
			schoolId: teacher.schoolId,
			actorId: teacher.id,
			action: 'peer.allocate',
			entityType: 'task',
			entityId: String(taskId),
			after: { seed, pairs: pairs.length, mode: task.peer_allocation }
		});
	});
	return { pairs: pairs.length, shortfalls: shortfalls.length };
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
	const submissions = await ensureSubmissions(db, taskId, [revieweeId]);
	const submissionId = submissions.get(revieweeId)!;
	const existing = await db
		.selectFrom('peer_allocations')
		.select(['reviewer_id'])
		.where('submission_id', '=', submissionId)
		.execute();
	if (existing.some((e) => e.reviewer_id === reviewerId))
		throw new Refusal('That learner already reviews this work.', 409);
	await db.transaction().execute(async (trx) => {
		await trx
			.insertInto('peer_allocations')
			.values({
				task_id: taskId,
				reviewer_id: reviewerId,
				submission_id: submissionId,
				anonymous_label: reviewerLabel(existing.length),
				created_at: nowIso()
			})
			.execute();
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
