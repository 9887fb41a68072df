import { requireRole } from '$lib/server/auth/guards';
import { requireTaskToTeach } from '$lib/server/auth/task-guards';
import { getDb } from '$lib/server/db/connection';
import { grantExtensions, removeExtensions, taskDeadlines } from '$lib/server/tasks/extensions';
import { setReminderSettings } from '$lib/server/tasks/reminders';
import { actOn, idParam } from '$lib/server/http';
import {
	extensionSchema,
	reminderSettingsSchema,
	removeExtensionSchema
} from '$lib/schemas/reminders';
import type { Actions, PageServerLoad, RequestEvent } from './$types';

export const load: PageServerLoad = async (event) => {
	const teacher = requireRole(event, 'teacher', 'admin');
	const { task, learners, toRemind, lastRemindedAt } = await taskDeadlines(
		getDb(),
		teacher,
		idParam(event.params.taskId, 'task')
	);
	return {
		task: {
			id: task.id,
			title: task.title,
			state: task.state,
			className: task.className,
			dueAt: task.due_at || null,
			peerEnabled: task.peer_enabled === 1,
			peerOpensAt: task.peer_opens_at || null,
			peerClosesAt: task.peer_closes_at || null,
			reminders: {
				beforeDue: task.remind_before_due === 1,
				peerOpens: task.remind_peer_opens === 1,
				beforePeerCloses: task.remind_before_peer_closes === 1
			}
		},
		learners,
		toRemind,
		lastRemindedAt
	};
};

/** Guard first (a teacher of this task's class), then read the form. */
async function teacherOfTask(event: RequestEvent) {
	const teacher = requireRole(event, 'teacher', 'admin');
	const task = await requireTaskToTeach(getDb(), teacher, idParam(event.params.taskId, 'task'));
	return { teacher, task, form: await event.request.formData() };
}

const learners = (count: number) => `${count} learner${count === 1 ? '' : 's'}`;

export const actions: Actions = {
	grant: async (event) => {
		const { teacher, task, form } = await teacherOfTask(event);
		return actOn(async () => {
			const grant = extensionSchema.parse({
				learnerIds: form.getAll('learnerIds'),
				dueAt: form.get('dueAt') ?? '',
				peerOpensAt: form.get('peerOpensAt') ?? '',
				peerClosesAt: form.get('peerClosesAt') ?? '',
				reason: form.get('reason') ?? ''
			});
			const count = await grantExtensions(getDb(), teacher, task, grant);
			return { ok: true, message: `Extension saved for ${learners(count)}; they have been told.` };
		});
	},
	remove: async (event) => {
		const { teacher, task, form } = await teacherOfTask(event);
		return actOn(async () => {
			const { learnerIds } = removeExtensionSchema.parse({ learnerIds: form.getAll('learnerIds') });
			const count = await removeExtensions(getDb(), teacher, task, learnerIds);
			return {
				ok: true,
				message: count
					? `Extension removed for ${learners(count)}: the class’s dates apply again.`
					: 'None of those learners had an extension.'
			};
		});
	},
	reminders: async (event) => {
		const { teacher, task, form } = await teacherOfTask(event);
		return actOn(async () => {
			await setReminderSettings(
				getDb(),
				teacher,
				task,
				reminderSettingsSchema.parse(Object.fromEntries(form))
			);
			return { ok: true, message: 'Automatic reminders saved.' };
		});
	}
};
