import { error } from '@sveltejs/kit';
import { requireRole } from '$lib/server/auth/guards';
import { getDb } from '$lib/server/db/connection';
import { peerReviewView, submitPeerReview } from '$lib/server/peer/peer-review';
import { AssessmentError } from '$lib/server/assessment/shared';
import { actOn, idParam } from '$lib/server/http';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const learner = requireRole(event, 'student');
	try {
		return await peerReviewView(getDb(), learner, idParam(event.params.allocationId, 'review'));
	} catch (problem) {
		if (problem instanceof AssessmentError) error(problem.status, problem.message);
		throw problem;
	}
};

export const actions: Actions = {
	submit: async (event) => {
		const learner = requireRole(event, 'student');
		const allocationId = idParam(event.params.allocationId, 'review');
		return actOn(async () => {
			await submitPeerReview(getDb(), learner, allocationId);
			return { done: 'Review submitted. Thank you!' };
		});
	}
};
