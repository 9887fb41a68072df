import { requireRole } from '$lib/server/auth/guards';
import { getDb } from '$lib/server/db/connection';
import { requireClassTeacherOf, requireTaskToMark } from '$lib/server/auth/task-guards';
import { markingList, releaseGrades } from '$lib/server/assessment/marking';
import { actOn, idParam } from '$lib/server/http';
import { markingListQuery } from '$lib/schemas/assessment';
import { askToConfirm, isConfirmed } from '$lib/schemas/forms';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const teacher = requireRole(event, 'teacher', 'admin');
	const query = markingListQuery(event.url.searchParams);
	return markingList(getDb(), teacher, idParam(event.params.taskId, 'task'), query);
};

export const actions: Actions = {
	releaseAll: async (event) => {
		const teacher = requireRole(event, 'teacher', 'admin');
		const taskId = idParam(event.params.taskId, 'task');
		const form = await event.request.formData();
		return actOn(async () => {
			// Asked only of someone who may release: anyone else is refused first.
			requireClassTeacherOf(await requireTaskToMark(getDb(), teacher, taskId));
			if (!isConfirmed(form)) return askToConfirm();
			const { released, notReady } = await releaseGrades(getDb(), teacher, taskId, 'all');
			const rest = notReady
				? ` ${notReady} learner${notReady === 1 ? ' is' : 's are'} not fully graded yet and were left out.`
				: '';
			return {
				ok: true,
				message: `Released grades to ${released} learner${released === 1 ? '' : 's'}.${rest}`
			};
		});
	}
};
