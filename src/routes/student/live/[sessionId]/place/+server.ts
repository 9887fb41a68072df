import { requireRole } from '$lib/server/auth/guards';
import { getDb } from '$lib/server/db/connection';
import { placeLive } from '$lib/server/live/live';
import { answerJson, idParam, readJson } from '$lib/server/http';
import { livePlacementSchema } from '$lib/schemas/assessment';
import type { RequestHandler } from './$types';

/** A learner's placement on the live exemplar (autosaved as they move the slider). */
export const PUT: RequestHandler = async (event) => {
	const learner = requireRole(event, 'student');
	const sessionId = idParam(event.params.sessionId, 'session');
	const { value } = await readJson(event.request, livePlacementSchema);
	return answerJson(() => placeLive(getDb(), learner, sessionId, value));
};
