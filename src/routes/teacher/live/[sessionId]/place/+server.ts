import { requireRole } from '$lib/server/auth/guards';
import { getDb } from '$lib/server/db/connection';
import { setLiveState } from '$lib/server/live/live';
import { answerJson, idParam, readJson } from '$lib/server/http';
import { livePlacementSchema } from '$lib/schemas/assessment';
import type { RequestHandler } from './$types';

/**
 * The teacher's own placement, autosaved as they move their slider (no button to forget), and
 * hidden from the class until they reveal it.
 */
export const PUT: RequestHandler = async (event) => {
	const teacher = requireRole(event, 'teacher', 'admin');
	const sessionId = idParam(event.params.sessionId, 'session');
	const { value } = await readJson(event.request, livePlacementSchema);
	return answerJson(() => setLiveState(getDb(), teacher, sessionId, { teacherValue: value }));
};
