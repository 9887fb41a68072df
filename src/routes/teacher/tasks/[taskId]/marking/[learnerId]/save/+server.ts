import { requireRole } from '$lib/server/auth/guards';
import { getDb } from '$lib/server/db/connection';
import { saveTeacherGrade } from '$lib/server/assessment/marking';
import { answerJson, idParam, readJson } from '$lib/server/http';
import { teacherSaveSchema } from '$lib/schemas/assessment';
import type { RequestHandler } from './$types';

/** Autosave of a teacher's slider, comment or overall comment for one learner. */
export const PUT: RequestHandler = async (event) => {
	const teacher = requireRole(event, 'teacher', 'admin');
	const taskId = idParam(event.params.taskId, 'task');
	const learnerId = idParam(event.params.learnerId, 'learner');
	const change = await readJson(event.request, teacherSaveSchema);
	return answerJson(() => saveTeacherGrade(getDb(), teacher, taskId, learnerId, change));
};
