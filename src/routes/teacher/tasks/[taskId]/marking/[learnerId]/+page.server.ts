import { requireRole } from '$lib/server/auth/guards';
import { requireClassTeacherOf, requireTaskToMark } from '$lib/server/auth/task-guards';
import { getDb } from '$lib/server/db/connection';
import {
	gradeHistory,
	holdGrades,
	markingView,
	releaseGrades,
	reopenSelfAssessment
} from '$lib/server/assessment/marking';
import { addToCommentBank, removeFromCommentBank } from '$lib/server/assessment/comment-bank';
import { actOn, idParam, orHttpError } from '$lib/server/http';
import { commentBankSchema, markingListQuery } from '$lib/schemas/assessment';
import { idSchema } from '$lib/schemas/people';
import { askToConfirm, formFields, isConfirmed } from '$lib/schemas/forms';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const teacher = requireRole(event, 'teacher', 'admin');
	const taskId = idParam(event.params.taskId, 'task');
	const learnerId = idParam(event.params.learnerId, 'learner');
	const db = getDb();
	return orHttpError(async () => {
		const task = await requireTaskToMark(db, teacher, taskId);
		const [view, history] = await Promise.all([
			markingView(db, teacher, task, learnerId, markingListQuery(event.url.searchParams)),
			gradeHistory(db, teacher, task, learnerId)
		]);
		return { ...view, history, mayRelease: task.teachesClass };
	});
};

export const actions: Actions = {
	release: async (event) => {
		const teacher = requireRole(event, 'teacher', 'admin');
		const taskId = idParam(event.params.taskId, 'task');
		const learnerId = idParam(event.params.learnerId, 'learner');
		const form = await event.request.formData();
		return actOn(async () => {
			// Asked only of someone who may release: anyone else is refused first.
			requireClassTeacherOf(await requireTaskToMark(getDb(), teacher, taskId));
			if (!isConfirmed(form)) return askToConfirm();
			await releaseGrades(getDb(), teacher, taskId, learnerId);
			return {
				ok: true,
				message: 'Released: the learner can now compare your assessment with their own.'
			};
		});
	},
	unrelease: async (event) => {
		const teacher = requireRole(event, 'teacher', 'admin');
		const taskId = idParam(event.params.taskId, 'task');
		const learnerId = idParam(event.params.learnerId, 'learner');
		const form = await event.request.formData();
		return actOn(async () => {
			requireClassTeacherOf(await requireTaskToMark(getDb(), teacher, taskId));
			if (!isConfirmed(form)) return askToConfirm();
			await holdGrades(getDb(), teacher, taskId, learnerId);
			return {
				ok: true,
				message:
					'Held back: the learner no longer sees these grades. Release them again when they are ready.'
			};
		});
	},
	reopen: async (event) => {
		const teacher = requireRole(event, 'teacher', 'admin');
		const taskId = idParam(event.params.taskId, 'task');
		const learnerId = idParam(event.params.learnerId, 'learner');
		return actOn(async () => {
			await reopenSelfAssessment(getDb(), teacher, taskId, learnerId);
			return {
				ok: true,
				message: 'Reopened: the learner can change their self-assessment and submit it again.'
			};
		});
	},
	bankAdd: async (event) => {
		const teacher = requireRole(event, 'teacher', 'admin');
		await requireTaskToMark(getDb(), teacher, idParam(event.params.taskId, 'task'));
		const form = await event.request.formData();
		return actOn(async () => {
			await addToCommentBank(getDb(), teacher, commentBankSchema.parse(formFields(form)));
			return { ok: true, message: 'Saved to your comment bank.' };
		});
	},
	bankRemove: async (event) => {
		const teacher = requireRole(event, 'teacher', 'admin');
		await requireTaskToMark(getDb(), teacher, idParam(event.params.taskId, 'task'));
		const form = await event.request.formData();
		return actOn(async () => {
			await removeFromCommentBank(getDb(), teacher, idSchema.parse(form.get('commentId')));
			return { ok: true, message: 'Removed from your comment bank.' };
		});
	}
};
