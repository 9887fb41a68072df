import { requireRole } from '$lib/server/auth/guards';
import { getDb } from '$lib/server/db/connection';
import { peerReviewView, submitPeerReview } from '$lib/server/peer/reviewing';
import { actOn, idParam, orHttpError } from '$lib/server/http';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const learner = requireRole(event, 'student');
	return orHttpError(() =>
		peerReviewView(getDb(), learner, idParam(event.params.allocationId, 'review'))
	);
};

export const actions: Actions = {
	submit: async (event) => {
		const learner = requireRole(event, 'student');
		const allocationId = idParam(event.params.allocationId, 'review');
		return actOn(async () => {
			await submitPeerReview(getDb(), learner, allocationId);
			return { ok: true, message: 'Review submitted. Thank you!' };
		});
	}
};
