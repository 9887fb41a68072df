import { requireRole } from '$lib/server/auth/guards';
import { getDb } from '$lib/server/db/connection';
import { liveSessionForLearner } from '$lib/server/live/live';
import { idParam, orHttpError } from '$lib/server/http';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const learner = requireRole(event, 'student');
	const live = await orHttpError(() =>
		liveSessionForLearner(getDb(), learner, idParam(event.params.sessionId, 'session'))
	);
	// A closed session's last word fills the phone, without the app's header.
	return { ...live, chromeless: live.session.state === 'closed' };
};
