import { requireRole } from '$lib/server/auth/guards';
import { getDb } from '$lib/server/db/connection';
import { learnerLiveSnapshot, requireLiveSession } from '$lib/server/live/live';
import { eventStream } from '$lib/server/live/hub';
import { idParam, orHttpError } from '$lib/server/http';
import type { RequestHandler } from './$types';

/**
 * Server-sent events for a learner: when the teacher reveals or closes. No one else's placement.
 */
export const GET: RequestHandler = async (event) => {
	const learner = requireRole(event, 'student');
	const sessionId = idParam(event.params.sessionId, 'session');
	const db = getDb();
	await orHttpError(() => requireLiveSession(db, learner, sessionId, 'learn'));
	return eventStream(
		sessionId,
		event.request.signal,
		() => learnerLiveSnapshot(db, sessionId),
		event.url.searchParams.has('once')
	);
};
