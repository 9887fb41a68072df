import type { DB } from '../db/connection';
import { validateSessionId, whenSignInsMayChange, type SessionUser } from '../auth/sessions';
import { hasRole } from '../auth/guards';
import { eventStream, recheckOpenStreams } from './hub';
import {
	learnerLiveSnapshot,
	liveSessionForTeacher,
	liveSnapshot,
	requireLiveSession
} from './live';

/**
 * The live event streams of a projector and of a learner. A stream outlives the request that
 * checked its viewer, so it checks again: on every send and heartbeat, and shortly after any
 * sign-out, password change, deactivation or role change on this server.
 */

/** Auth writes are seen as they are about to run; give the write time to commit before re-reading. */
const RECHECK_DELAY_MS = 150;
const watched = new WeakSet<DB>();

function watchSignIns(db: DB) {
	if (watched.has(db)) return;
	watched.add(db);
	let pending: ReturnType<typeof setTimeout> | null = null;
	whenSignInsMayChange(db, () => {
		pending ??= setTimeout(() => {
			pending = null;
			recheckOpenStreams();
		}, RECHECK_DELAY_MS);
	});
}

interface StreamRequest {
	/** `locals.session.id`: the sign-in this stream belongs to. */
	authSessionId: string;
	signal: AbortSignal;
	once: boolean;
	heartbeatMs?: number;
}

function stillAllowedFor(
	db: DB,
	viewer: SessionUser,
	sessionId: number,
	purpose: 'teach' | 'learn',
	authSessionId: string
) {
	return async () => {
		const { user } = await validateSessionId(db, authSessionId);
		if (!user || user.id !== viewer.id) return false;
		if (
			!hasRole(
				user,
				...(purpose === 'learn' ? (['student'] as const) : (['teacher', 'admin'] as const))
			)
		)
			return false;
		return requireLiveSession(db, user, sessionId, purpose).then(
			() => true,
			() => false
		);
	};
}

/** The projector's stream: the anonymous distribution after every placement. */
export async function teacherLiveStream(
	db: DB,
	teacher: SessionUser,
	sessionId: number,
	request: StreamRequest
) {
	const { bands } = await liveSessionForTeacher(db, teacher, sessionId);
	watchSignIns(db);
	return eventStream({
		sessionId,
		viewerId: teacher.id,
		...request,
		snapshot: () => liveSnapshot(db, sessionId, bands),
		stillAllowed: stillAllowedFor(db, teacher, sessionId, 'teach', request.authSessionId)
	});
}

/** A learner's stream: when the teacher reveals or closes. No one else's placement. */
export async function learnerLiveStream(
	db: DB,
	learner: SessionUser,
	sessionId: number,
	request: StreamRequest
) {
	await requireLiveSession(db, learner, sessionId, 'learn');
	watchSignIns(db);
	return eventStream({
		sessionId,
		viewerId: learner.id,
		joined: true,
		...request,
		snapshot: () => learnerLiveSnapshot(db, sessionId),
		stillAllowed: stillAllowedFor(db, learner, sessionId, 'learn', request.authSessionId)
	});
}
