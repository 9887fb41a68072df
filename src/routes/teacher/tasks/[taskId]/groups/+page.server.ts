import { z } from 'zod';
import { requireRole } from '$lib/server/auth/guards';
import { requireTaskToTeach } from '$lib/server/auth/task-guards';
import { getDb } from '$lib/server/db/connection';
import { createGroup, deleteGroup, groupsOverview } from '$lib/server/peer/groups';
import { actOn, idParam } from '$lib/server/http';
import { idSchema } from '$lib/schemas/people';
import type { Actions, PageServerLoad, RequestEvent } from './$types';

export const load: PageServerLoad = async (event) => {
	const teacher = requireRole(event, 'teacher', 'admin');
	return groupsOverview(getDb(), teacher, idParam(event.params.taskId, 'task'));
};

/**
 * Guard first (teacher of this task's class), then read the form; the services are handed the
 * checked task.
 */
async function teacherOfTask(event: RequestEvent) {
	const teacher = requireRole(event, 'teacher', 'admin');
	const task = await requireTaskToTeach(getDb(), teacher, idParam(event.params.taskId, 'task'));
	return { teacher, task, form: await event.request.formData() };
}

const groupSchema = z.object({
	name: z
		.string()
		.trim()
		.min(1, 'Name the group.')
		.max(80, 'Keep the group name under 80 characters.'),
	learnerIds: z.array(idSchema).max(40)
});

export const actions: Actions = {
	create: async (event) => {
		const { teacher, task, form } = await teacherOfTask(event);
		return actOn(async () => {
			const { name, learnerIds } = groupSchema.parse({
				name: form.get('name') ?? '',
				learnerIds: form.getAll('learnerIds')
			});
			await createGroup(getDb(), teacher, task, name, learnerIds);
			return { ok: true, message: `Group “${name}” created.` };
		});
	},
	delete: async (event) => {
		const { teacher, task, form } = await teacherOfTask(event);
		return actOn(async () => {
			await deleteGroup(getDb(), teacher, task, idSchema.parse(form.get('groupId')));
			return { ok: true, message: 'Group removed.' };
		});
	}
};
