import { error } from '@sveltejs/kit';
import { requireRole } from '$lib/server/auth/guards';
import { getDb } from '$lib/server/db/connection';
import { liveSessionForLearner } from '$lib/server/live/live';
import { AssessmentError } from '$lib/server/assessment/shared';
import { idParam } from '$lib/server/http';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const learner = requireRole(event, 'student');
	try {
		return await liveSessionForLearner(getDb(), learner, idParam(event.params.sessionId, 'session'));
	} catch (problem) {
		if (problem instanceof AssessmentError) error(problem.status, problem.message);
		throw problem;
	}
};
