import { error } from '@sveltejs/kit';
import { requireRole } from '$lib/server/auth/guards';
import { getDb } from '$lib/server/db/connection';
import { descriptorsFor, requireTaskToLearn, taskCriteria } from '$lib/server/tasks/tasks';
import { listScales } from '$lib/server/scales/scales';
import { renderMarkdown } from '$lib/server/markdown';
import { idSchema } from '$lib/schemas/people';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const learner = requireRole(event, 'student');
	const taskId = idSchema.safeParse(event.params.taskId);
	if (!taskId.success) error(404, 'That task does not exist.');
	const db = getDb();
	const task = await requireTaskToLearn(db, learner, taskId.data);
	const criteria = await taskCriteria(db, task.id);
	const [descriptors, scales] = await Promise.all([descriptorsFor(db, criteria.map((c) => c.criterionId)), listScales(db, learner.schoolId)]);
	const bands = scales.find((s) => s.id === task.scale_id)?.bands ?? [];
	return {
		task: { id: task.id, title: task.title, className: task.className, dueAt: task.due_at, briefHtml: renderMarkdown(task.brief_markdown) },
		// Learners see band names and descriptors, never the numbers behind the slider.
		criteria: criteria.map((c) => ({
			code: c.code,
			title: c.title,
			description: c.description,
			colour: c.colour ?? '#4f5661',
			categoryTitle: `${c.categoryCode} ${c.categoryTitle}`,
			bands: bands.map((b, i) => ({ label: b.label, descriptor: descriptors.get(c.criterionId)?.[i] ?? '' }))
		}))
	};
};
