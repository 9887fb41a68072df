import { requireRole } from '$lib/server/auth/guards';
import { getDb } from '$lib/server/db/connection';
import { teacherLiveStream } from '$lib/server/live/streams';
import { idParam, orHttpError } from '$lib/server/http';
import type { RequestHandler } from './$types';

/** Server-sent events for the projector: the anonymous distribution after every placement. */
export const GET: RequestHandler = async (event) => {
	const teacher = requireRole(event, 'teacher', 'admin');
	const sessionId = idParam(event.params.sessionId, 'session');
	return orHttpError(() =>
		teacherLiveStream(getDb(), teacher, sessionId, {
			authSessionId: event.locals.session!.id,
			signal: event.request.signal,
			once: event.url.searchParams.has('once')
		})
	);
};
