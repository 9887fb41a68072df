import { z } from 'zod';
import { requireRole } from '$lib/server/auth/guards';
import { requireTaskToMark } from '$lib/server/auth/task-guards';
import { getDb } from '$lib/server/db/connection';
import { Refusal } from '$lib/server/errors';
import { moderationDetail, recordAgreedGrade } from '$lib/server/moderation/moderation';
import { actOn, idParam, orHttpError } from '$lib/server/http';
import { idSchema } from '$lib/schemas/people';
import { sliderFormValueSchema } from '$lib/schemas/assessment';
import { formFields } from '$lib/schemas/forms';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const teacher = requireRole(event, 'teacher', 'admin');
	return orHttpError(() =>
		moderationDetail(
			getDb(),
			teacher,
			idParam(event.params.taskId, 'task'),
			idParam(event.params.learnerId, 'learner')
		)
	);
};

const agreedSchema = z.object({
	criterionId: idSchema,
	value: z.union([z.literal('').transform(() => null), sliderFormValueSchema]),
	note: z.string().trim().max(1000, 'Keep the note under 1,000 characters.').default('')
});

export const actions: Actions = {
	agree: async (event) => {
		const teacher = requireRole(event, 'teacher', 'admin');
		const task = await requireTaskToMark(getDb(), teacher, idParam(event.params.taskId, 'task'));
		const learnerId = idParam(event.params.learnerId, 'learner');
		const fields = formFields(await event.request.formData());
		return actOn(async () => {
			const { criterionId, value, note } = agreedSchema.parse(fields);
			if (value !== null && !note)
				throw new Refusal(
					'Add a short note on how the grade was agreed (it is kept in the audit log).'
				);
			await recordAgreedGrade(getDb(), teacher, task, learnerId, criterionId, value, note);
			return {
				ok: true,
				message:
					value === null
						? 'Agreed grade cleared: the markers’ grades stand again.'
						: 'Agreed grade recorded: it is now the learner’s result.'
			};
		});
	}
};
