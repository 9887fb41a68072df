import type { DB } from '../db/connection';
import type { SessionUser } from '../auth/sessions';
import { recordAudit } from '../audit';
import {
	requireTaskToLearn,
	requireTaskToTeach,
	type TaskToLearn,
	type TaskToTeach
} from '../auth/task-guards';
import { nowIso } from '../clock';
import { groupContribution } from '../../domain/group-contribution';
import { Refusal } from '../errors';
import { displayName } from '../../domain/names';

export const CONTRIBUTION_LEVELS = [
	{ value: 1, label: 'Much less than a fair share' },
	{ value: 2, label: 'Less than a fair share' },
	{ value: 3, label: 'A fair share' },
	{ value: 4, label: 'More than a fair share' },
	{ value: 5, label: 'Much more than a fair share' }
] as const;

async function groupsWithMembers(db: DB, taskId: number) {
	const rows = await db
		.selectFrom('task_groups')
		.leftJoin('task_group_members', 'task_group_members.group_id', 'task_groups.id')
		.leftJoin('users', 'users.id', 'task_group_members.learner_id')
		.select([
			'task_groups.id',
			'task_groups.name',
			'users.id as learnerId',
			'users.given_name as givenName',
			'users.family_name as familyName'
		])
		.where('task_groups.task_id', '=', taskId)
		.orderBy('task_groups.name')
		.orderBy('users.family_name')
		.execute();
	const groups = new Map<
		number,
		{ id: number; name: string; members: { id: number; name: string }[] }
	>();
	for (const r of rows) {
		const group = groups.get(r.id) ?? { id: r.id, name: r.name, members: [] };
		const name = displayName(r);
		if (r.learnerId !== null && name !== null) group.members.push({ id: r.learnerId, name });
		groups.set(r.id, group);
	}
	return [...groups.values()];
}

/**
 * The teacher's view: groups, who is in none, and each group's contribution figures with their
 * inputs.
 */
export async function groupsOverview(db: DB, teacher: SessionUser, taskId: number) {
	const task = await requireTaskToTeach(db, teacher, taskId);
	const [groups, learners, ratings] = await Promise.all([
		groupsWithMembers(db, taskId),
		db
			.selectFrom('enrolments')
			.innerJoin('users', 'users.id', 'enrolments.learner_id')
			.select(['users.id', 'users.given_name as givenName', 'users.family_name as familyName'])
			.where('enrolments.class_id', '=', task.class_id)
			.where('users.active', '=', 1)
			.orderBy('users.family_name')
			.execute(),
		db
			.selectFrom('contribution_ratings')
			.select(['group_id as groupId', 'rater_id as raterId', 'ratee_id as rateeId', 'rating'])
			.where('task_id', '=', taskId)
			.execute()
	]);
	const grouped = new Set(groups.flatMap((g) => g.members.map((m) => m.id)));
	return {
		task: {
			id: task.id,
			title: task.title,
			groupTask: task.group_task === 1,
			state: task.state,
			nonSubmitterPenaltyPercent: task.non_submitter_penalty_percent
		},
		ungrouped: learners
			.filter((l) => !grouped.has(l.id))
			.map((l) => ({ id: l.id, name: displayName(l) })),
		groups: groups.map((g) => {
			const own = ratings.filter((r) => r.groupId === g.id);
			return {
				...g,
				ratings: own,
				contribution: groupContribution(
					g.members.map((m) => m.id),
					own,
					task.non_submitter_penalty_percent
				)
			};
		})
	};
}

export async function createGroup(
	db: DB,
	teacher: SessionUser,
	taskOrId: number | TaskToTeach,
	name: string,
	learnerIds: number[]
) {
	const task = await requireTaskToTeach(db, teacher, taskOrId);
	const taskId = task.id;
	// Distinct learners: a repeated id must not make a group of one.
	const members = [...new Set(learnerIds)];
	if (members.length < 2) throw new Refusal('A group needs at least two different learners.');
	const inClass = await db
		.selectFrom('enrolments')
		.select('learner_id')
		.where('class_id', '=', task.class_id)
		.where('learner_id', 'in', members)
		.execute();
	if (inClass.length !== members.length)
		throw new Refusal('Every member must be a learner in this class.', 404);
	const taken = await db
		.selectFrom('task_group_members')
		.innerJoin('task_groups', 'task_groups.id', 'task_group_members.group_id')
		.select('task_group_members.learner_id')
		.where('task_groups.task_id', '=', taskId)
		.where('task_group_members.learner_id', 'in', members)
		.execute();
	if (taken.length)
		throw new Refusal('Some of those learners are already in a group for this task.', 409);
	await db.transaction().execute(async (trx) => {
		const { id } = await trx
			.insertInto('task_groups')
			.values({ task_id: taskId, name })
			.returning('id')
			.executeTakeFirstOrThrow();
		await trx
			.insertInto('task_group_members')
			.values(members.map((learner_id) => ({ group_id: id, learner_id })))
			.execute();
		await recordAudit(trx, {
			schoolId: teacher.schoolId,
			actorId: teacher.id,
			action: 'group.create',
			entityType: 'task',
			entityId: String(taskId),
			after: { name, learnerIds: members }
		});
	});
}

export async function deleteGroup(
	db: DB,
	teacher: SessionUser,
	taskOrId: number | TaskToTeach,
	groupId: number
) {
	const { id: taskId } = await requireTaskToTeach(db, teacher, taskOrId);
	const group = await db
		.selectFrom('task_groups')
		.select(['id', 'name'])
		.where('id', '=', groupId)
		.where('task_id', '=', taskId)
		.executeTakeFirst();
	if (!group) throw new Refusal('That group is not part of this task.', 404);
	await db.transaction().execute(async (trx) => {
		await trx.deleteFrom('task_groups').where('id', '=', groupId).execute();
		await recordAudit(trx, {
			schoolId: teacher.schoolId,
			actorId: teacher.id,
			action: 'group.delete',
			entityType: 'task',
			entityId: String(taskId),
			before: { name: group.name }
		});
	});
}

/** A learner's own group on a task (members know each other) and the ratings they have given. */
export async function myGroup(db: DB, learner: SessionUser, taskId: number) {
	const groups = await groupsWithMembers(db, taskId);
	const group = groups.find((g) => g.members.some((m) => m.id === learner.id));
	if (!group) return null;
	const given = await db
		.selectFrom('contribution_ratings')
		.select(['ratee_id as rateeId', 'rating'])
		.where('task_id', '=', taskId)
		.where('rater_id', '=', learner.id)
		.execute();
	return {
		id: group.id,
		name: group.name,
		members: group.members,
		given: Object.fromEntries(given.map((g) => [g.rateeId, g.rating]))
	};
}

export async function saveContributionRatings(
	db: DB,
	learner: SessionUser,
	taskOrId: number | TaskToLearn,
	ratings: { rateeId: number; rating: number }[]
) {
	const task = await requireTaskToLearn(db, learner, taskOrId);
	if (task.group_task !== 1)
		throw new Refusal('This task is not group work, so there are no team ratings to give.', 409);
	const group = await myGroup(db, learner, task.id);
	if (!group) throw new Refusal('You are not in a group for this task.', 404);
	const memberIds = new Set(group.members.map((m) => m.id));
	// Each member exactly once: a repeated field must not stand in for a teammate left unrated.
	const rated = new Set(ratings.map((r) => r.rateeId));
	if (
		ratings.length !== memberIds.size ||
		rated.size !== ratings.length ||
		!ratings.every((r) => memberIds.has(r.rateeId))
	) {
		throw new Refusal('Rate every member of your group, yourself included.');
	}
	await db.transaction().execute(async (trx) => {
		const now = nowIso();
		await trx
			.insertInto('contribution_ratings')
			.values(
				ratings.map((r) => ({
					task_id: task.id,
					group_id: group.id,
					rater_id: learner.id,
					ratee_id: r.rateeId,
					rating: r.rating,
					submitted_at: now,
					updated_at: now
				}))
			)
			.onConflict((oc) =>
				oc.columns(['task_id', 'rater_id', 'ratee_id']).doUpdateSet((eb) => ({
					rating: eb.ref('excluded.rating'),
					submitted_at: now,
					updated_at: now
				}))
			)
			.execute();
	});
}
