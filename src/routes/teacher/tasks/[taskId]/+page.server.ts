import { fail } from '@sveltejs/kit';
import { z } from 'zod';
import { requireRole } from '$lib/server/auth/guards';
import { requireTaskToTeach, type TaskToTeach } from '$lib/server/auth/task-guards';
import { getDb } from '$lib/server/db/connection';
import { bankFilters, listBank } from '$lib/server/criteria/criteria';
import { listScales } from '$lib/server/scales/scales';
import { setTaskState, updateTaskSettings } from '$lib/server/tasks/tasks';
import {
	addTaskCriterion,
	moveTaskCriterion,
	removeTaskCriterion,
	setTaskCriterionWeight,
	taskCriteria,
	taskSkillSummary
} from '$lib/server/tasks/task-criteria';
import { renderMarkdown } from '$lib/server/markdown';
import { nonSubmitters, remindNonSubmitters } from '$lib/server/tasks/reminders';
import { remindSchema } from '$lib/schemas/reminders';
import { actOn, idParam } from '$lib/server/http';
import { idSchema } from '$lib/schemas/people';
import { taskCriterionRef, taskSettingsSchema, weightSchema } from '$lib/schemas/tasks';
import { fieldErrors, formFields } from '$lib/schemas/forms';
import type { SessionUser } from '$lib/server/auth/sessions';
import type { Actions, PageServerLoad, RequestEvent } from './$types';

const bankFilterSchema = z.object({
	capri: z.enum(['C', 'A', 'P', 'R', 'I']).optional().catch(undefined),
	skill: idSchema.optional().catch(undefined),
	q: z.string().trim().max(100).optional().catch(undefined)
});

export const load: PageServerLoad = async (event) => {
	const teacher = requireRole(event, 'teacher', 'admin');
	const db = getDb();
	const task = await requireTaskToTeach(db, teacher, idParam(event.params.taskId, 'task'));
	const filter = bankFilterSchema.parse(Object.fromEntries(event.url.searchParams));
	const [criteria, bank, filters, scales, summary, toRemind] = await Promise.all([
		taskCriteria(db, task.id),
		listBank(db, teacher.schoolId, {
			capri: filter.capri,
			fusionItemId: filter.skill,
			search: filter.q
		}),
		bankFilters(db),
		listScales(db, teacher.schoolId),
		taskSkillSummary(db, teacher.schoolId, task.id),
		task.state === 'published' ? nonSubmitters(db, task, new Date()) : []
	]);
	const chosenLineages = new Set(criteria.map((c) => c.lineageId));
	const onScale = bank.filter((c) => c.scaleId === task.scale_id);
	return {
		task: {
			id: task.id,
			title: task.title,
			state: task.state,
			classId: task.class_id,
			className: task.className,
			briefHtml: renderMarkdown(task.brief_markdown),
			settings: {
				title: task.title,
				brief: task.brief_markdown,
				dueAt: task.due_at,
				scaleId: task.scale_id,
				selfRequiredBeforeRelease: task.self_required_before_release,
				selfMarkerVisibility: task.self_marker_visibility,
				peerEnabled: task.peer_enabled,
				peerReviewersPerLearner: task.peer_reviewers_per_learner,
				peerAllocation: task.peer_allocation,
				peerAnonymous: task.peer_anonymous,
				peerOpensAt: task.peer_opens_at,
				peerClosesAt: task.peer_closes_at,
				groupTask: task.group_task,
				nonSubmitterPenaltyPercent: task.non_submitter_penalty_percent
			}
		},
		criteria,
		bank: onScale.map((c) => ({ ...c, inTask: chosenLineages.has(c.lineageId) })),
		hiddenOtherScale: bank.length - onScale.length,
		filters,
		filter: {
			capri: filter.capri ?? '',
			skill: filter.skill ? String(filter.skill) : '',
			q: filter.q ?? ''
		},
		scales,
		summary,
		/** learners "Remind those who have not submitted" would tell now */
		toRemind: toRemind.length,
		created: event.url.searchParams.has('created')
	};
};

/** Runs a task change; a refusal or an invalid field becomes a message on the page. */
async function change(
	event: RequestEvent,
	work: (teacher: SessionUser, task: TaskToTeach, form: FormData) => Promise<string>
) {
	const teacher = requireRole(event, 'teacher', 'admin');
	// Guard before reading the form: someone else's task is refused, not told a field is missing.
	const task = await requireTaskToTeach(getDb(), teacher, idParam(event.params.taskId, 'task'));
	const form = await event.request.formData();
	return actOn(async () => ({ ok: true, message: await work(teacher, task, form) }));
}

export const actions: Actions = {
	settings: async (event) => {
		const teacher = requireRole(event, 'teacher', 'admin');
		const taskId = idParam(event.params.taskId, 'task');
		const fields = formFields(await event.request.formData());
		const parsed = taskSettingsSchema.safeParse(fields);
		if (!parsed.success) return fail(400, { settingsValues: fields, ...fieldErrors(parsed.error) });
		return actOn(
			async () => {
				await updateTaskSettings(getDb(), teacher, taskId, parsed.data);
				return { ok: true, message: 'Task settings saved.' };
			},
			() => ({ settingsValues: fields, errors: {} as Record<string, string> })
		);
	},
	add: (event) =>
		change(event, async (teacher, task, form) => {
			const criterionId = idSchema.parse(form.get('criterionId'));
			await addTaskCriterion(getDb(), teacher, task, criterionId);
			return 'Criterion added.';
		}),
	remove: (event) =>
		change(event, async (teacher, task, form) => {
			const { taskCriterionId } = taskCriterionRef.parse(Object.fromEntries(form));
			await removeTaskCriterion(getDb(), teacher, task, taskCriterionId);
			return 'Criterion removed.';
		}),
	move: (event) =>
		change(event, async (teacher, task, form) => {
			const { taskCriterionId, direction } = taskCriterionRef
				.extend({ direction: z.enum(['up', 'down']) })
				.parse(Object.fromEntries(form));
			await moveTaskCriterion(getDb(), teacher, task, taskCriterionId, direction);
			return `Criterion moved ${direction}.`;
		}),
	weight: (event) =>
		change(event, async (teacher, task, form) => {
			const { taskCriterionId, weight } = taskCriterionRef
				.extend({ weight: weightSchema })
				.parse(Object.fromEntries(form));
			await setTaskCriterionWeight(getDb(), teacher, task, taskCriterionId, weight);
			return 'Weight saved.';
		}),
	remind: (event) =>
		change(event, async (teacher, task, form) => {
			const { message } = remindSchema.parse({ message: form.get('message') ?? '' });
			const count = await remindNonSubmitters(getDb(), teacher, task, message);
			return `Reminded ${count} learner${count === 1 ? '' : 's'} who ${count === 1 ? 'has' : 'have'} not submitted.`;
		}),
	publish: (event) =>
		change(event, async (teacher, task) => {
			await setTaskState(getDb(), teacher, task, 'published');
			return 'Published: learners in the class can now see this task.';
		}),
	unpublish: (event) =>
		change(event, async (teacher, task) => {
			await setTaskState(getDb(), teacher, task, 'draft');
			return 'Back to draft: learners no longer see this task.';
		}),
	archive: (event) =>
		change(event, async (teacher, task) => {
			await setTaskState(getDb(), teacher, task, 'archived');
			return 'Archived.';
		})
};
