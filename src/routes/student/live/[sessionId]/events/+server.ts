import { requireRole } from '$lib/server/auth/guards';
import { getDb } from '$lib/server/db/connection';
import { learnerLiveStream } from '$lib/server/live/streams';
import { idParam, orHttpError } from '$lib/server/http';
import type { RequestHandler } from './$types';

/**
 * Server-sent events for a learner: when the teacher reveals or closes. No one else's placement.
 */
export const GET: RequestHandler = async (event) => {
	const learner = requireRole(event, 'student');
	const sessionId = idParam(event.params.sessionId, 'session');
	return orHttpError(() =>
		learnerLiveStream(getDb(), learner, sessionId, {
			authSessionId: event.locals.session!.id,
			signal: event.request.signal,
			once: event.url.searchParams.has('once')
		})
	);
};
