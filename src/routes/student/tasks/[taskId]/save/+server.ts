import { requireRole } from '$lib/server/auth/guards';
import { getDb } from '$lib/server/db/connection';
import { saveSelfAssessment } from '$lib/server/assessment/self-assessment';
import { answerJson, idParam, readJson } from '$lib/server/http';
import { selfSaveSchema } from '$lib/schemas/assessment';
import type { RequestHandler } from './$types';

/** Autosave of the learner's own slider, reflection or overall reflection. */
export const PUT: RequestHandler = async (event) => {
	const learner = requireRole(event, 'student');
	const taskId = idParam(event.params.taskId, 'task');
	const change = await readJson(event.request, selfSaveSchema);
	return answerJson(() => saveSelfAssessment(getDb(), learner, taskId, change));
};
