import type { DB } from '../db/connection';
import type { SessionUser } from '../auth/sessions';
import { requireTaskToTeach, type TaskToTeach } from '../auth/task-guards';
import { recordAudit } from '../audit';
import { Refusal } from '../errors';
import { notify } from '../notifications/notify';
import { displayName } from '../../domain/names';
import { lateness } from '../../domain/task-status';
import type { ExtensionGrant } from '../../schemas/reminders';
import { effectiveDates, extensionJoin } from './effective-dates';
import { nonSubmitters, scheduleTaskReminders } from './reminders';

/**
 * Per-learner extensions (issue 15): a learner's own due date and/or peer window on one task. A
 * grant sets the learner's dates to exactly those given (an empty one is the class's), so
 * "change" is granting again; removing puts them back on the class's dates. Each grant or removal
 * is audited, moves the learner's automatic reminders (`scheduleTaskReminders`, in the same
 * transaction) and, for a grant, tells the learner in the notification centre.
 */

/** Every learner of the task's class with their own dates, submission and lateness: one query. */
export async function taskDeadlines(
	db: DB,
	teacher: SessionUser,
	taskOrId: number | TaskToTeach,
	now = new Date()
) {
	const task = await requireTaskToTeach(db, teacher, taskOrId);
	const [rows, toRemind, lastReminder] = await Promise.all([
		db
			.selectFrom('enrolments')
			.innerJoin('users', 'users.id', 'enrolments.learner_id')
			.innerJoin('tasks', (join) => join.on('tasks.id', '=', task.id))
			.leftJoin('task_extensions', extensionJoin('enrolments.learner_id'))
			.leftJoin('users as granter', 'granter.id', 'task_extensions.granted_by')
			.leftJoin('submissions', (join) =>
				join
					.onRef('submissions.learner_id', '=', 'users.id')
					.onRef('submissions.task_id', '=', 'tasks.id')
			)
			.select([
				'users.id',
				'users.given_name as givenName',
				'users.family_name as familyName',
				'submissions.self_state as selfState',
				'submissions.self_submitted_at as submittedAt',
				effectiveDates.dueAt.as('dueAt'),
				effectiveDates.peerOpensAt.as('peerOpensAt'),
				effectiveDates.peerClosesAt.as('peerClosesAt'),
				'task_extensions.due_at as extendedDueAt',
				'task_extensions.peer_opens_at as extendedPeerOpensAt',
				'task_extensions.peer_closes_at as extendedPeerClosesAt',
				'task_extensions.reason',
				'task_extensions.granted_at as grantedAt',
				'granter.given_name as granterGivenName',
				'granter.family_name as granterFamilyName'
			])
			.where('enrolments.class_id', '=', task.class_id)
			.where('users.active', '=', 1)
			.orderBy('users.family_name')
			.orderBy('users.given_name')
			.execute(),
		nonSubmitters(db, task, now),
		db
			.selectFrom('audit_log')
			.select('created_at')
			.where('action', '=', 'task.remind')
			.where('entity_type', '=', 'task')
			.where('entity_id', '=', String(task.id))
			.orderBy('created_at', 'desc')
			.limit(1)
			.executeTakeFirst()
	]);
	return {
		task,
		toRemind: toRemind.length,
		lastRemindedAt: lastReminder?.created_at ?? null,
		learners: rows.map((r) => {
			const submittedAt = r.selfState === 'submitted' ? r.submittedAt : null;
			return {
				id: r.id,
				name: displayName(r),
				submitted: submittedAt !== null,
				dueAt: r.dueAt,
				peerOpensAt: r.peerOpensAt,
				peerClosesAt: r.peerClosesAt,
				lateness: lateness(r.dueAt, submittedAt, now),
				extension: r.grantedAt
					? {
							dueAt: r.extendedDueAt,
							peerOpensAt: r.extendedPeerOpensAt,
							peerClosesAt: r.extendedPeerClosesAt,
							reason: r.reason ?? '',
							grantedAt: r.grantedAt,
							grantedBy:
								r.granterGivenName !== null
									? displayName({ givenName: r.granterGivenName, familyName: r.granterFamilyName! })
									: 'a former teacher'
						}
					: null
			};
		})
	};
}

async function requireLearnersOfClass(db: DB, classId: number, learnerIds: number[]) {
	const ids = [...new Set(learnerIds)];
	const found = await db
		.selectFrom('enrolments')
		.select('learner_id')
		.where('class_id', '=', classId)
		.where('learner_id', 'in', ids)
		.execute();
	if (found.length !== ids.length)
		throw new Refusal('Some of those learners are not in this task’s class.', 404);
	return ids;
}

/** Grants (or changes) an extension for each chosen learner; returns how many. */
export async function grantExtensions(
	db: DB,
	teacher: SessionUser,
	taskOrId: number | TaskToTeach,
	grant: ExtensionGrant,
	now = new Date()
): Promise<number> {
	const task = await requireTaskToTeach(db, teacher, taskOrId);
	if (task.state === 'archived') throw new Refusal('This task is archived.', 409);
	const ids = await requireLearnersOfClass(db, task.class_id, grant.learnerIds);
	// The window the learner ends up with must still open before it closes.
	const opens = grant.peerOpensAt ?? task.peer_opens_at;
	const closes = grant.peerClosesAt ?? task.peer_closes_at;
	if (opens && closes && opens >= closes)
		throw new Refusal(
			'With this date the learner’s peer window would close before it opens: give both dates.'
		);
	const grantedAt = now.toISOString();
	await db.transaction().execute(async (trx) => {
		const dates = {
			due_at: grant.dueAt,
			peer_opens_at: grant.peerOpensAt,
			peer_closes_at: grant.peerClosesAt,
			reason: grant.reason,
			granted_by: teacher.id,
			granted_at: grantedAt
		};
		await trx
			.insertInto('task_extensions')
			.values(ids.map((learnerId) => ({ task_id: task.id, learner_id: learnerId, ...dates })))
			.onConflict((oc) => oc.columns(['task_id', 'learner_id']).doUpdateSet(dates))
			.execute();
		await recordAudit(trx, {
			schoolId: teacher.schoolId,
			actorId: teacher.id,
			action: 'task.extension_grant',
			entityType: 'task',
			entityId: String(task.id),
			after: {
				learnerIds: ids,
				dueAt: grant.dueAt,
				peerOpensAt: grant.peerOpensAt,
				peerClosesAt: grant.peerClosesAt
			},
			reason: grant.reason
		});
		await notify(
			trx,
			{
				userIds: ids,
				kind: 'extension_granted',
				params: {
					taskId: task.id,
					taskTitle: task.title,
					at: (grant.dueAt ?? grant.peerClosesAt ?? grant.peerOpensAt)!
				},
				link: `/student/tasks/${task.id}`,
				dedupeKey: `extension_granted:task:${task.id}:${grantedAt}`
			},
			now
		);
		await scheduleTaskReminders(trx, task.id, now);
	});
	return ids.length;
}

/** Puts the chosen learners back on the class's dates; returns how many had an extension. */
export async function removeExtensions(
	db: DB,
	teacher: SessionUser,
	taskOrId: number | TaskToTeach,
	learnerIds: number[],
	now = new Date()
): Promise<number> {
	const task = await requireTaskToTeach(db, teacher, taskOrId);
	const ids = await requireLearnersOfClass(db, task.class_id, learnerIds);
	return db.transaction().execute(async (trx) => {
		const removed = await trx
			.deleteFrom('task_extensions')
			.where('task_id', '=', task.id)
			.where('learner_id', 'in', ids)
			.returning(['learner_id', 'due_at', 'peer_opens_at', 'peer_closes_at'])
			.execute();
		if (removed.length === 0) return 0;
		await recordAudit(trx, {
			schoolId: teacher.schoolId,
			actorId: teacher.id,
			action: 'task.extension_remove',
			entityType: 'task',
			entityId: String(task.id),
			before: removed
		});
		await scheduleTaskReminders(trx, task.id, now);
		return removed.length;
	});
}
