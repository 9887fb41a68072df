import { requireRole } from '$lib/server/auth/guards';
import { getDb } from '$lib/server/db/connection';
import { liveSessionForTeacher, liveSnapshot } from '$lib/server/live/live';
import { eventStream } from '$lib/server/live/hub';
import { idParam, orHttpError } from '$lib/server/http';
import type { RequestHandler } from './$types';

/** Server-sent events for the projector: the anonymous distribution after every placement. */
export const GET: RequestHandler = async (event) => {
	const teacher = requireRole(event, 'teacher', 'admin');
	const sessionId = idParam(event.params.sessionId, 'session');
	const db = getDb();
	return orHttpError(async () => {
		const { bands } = await liveSessionForTeacher(db, teacher, sessionId);
		return eventStream(
			sessionId,
			event.request.signal,
			() => liveSnapshot(db, sessionId, bands),
			event.url.searchParams.has('once')
		);
	});
};
