import { requireRole } from '$lib/server/auth/guards';
import { getDb } from '$lib/server/db/connection';
import { savePeerReview } from '$lib/server/peer/reviewing';
import { answerJson, idParam, readJson } from '$lib/server/http';
import { selfSaveSchema } from '$lib/schemas/assessment';
import type { RequestHandler } from './$types';

/** Autosave of one criterion of a peer review. */
export const PUT: RequestHandler = async (event) => {
	const learner = requireRole(event, 'student');
	const allocationId = idParam(event.params.allocationId, 'review');
	const change = await readJson(event.request, selfSaveSchema);
	return answerJson(() => savePeerReview(getDb(), learner, allocationId, change));
};
