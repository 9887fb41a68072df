import { requireUser } from '$lib/server/auth/guards';
import { getDb } from '$lib/server/db/connection';
import { learnerReport } from '$lib/server/reports/learner-report';
import { idParam } from '$lib/server/http';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const user = requireUser(event);
	const learnerId = idParam(event.params.learnerId, 'learner');
	return {
		report: await learnerReport(getDb(), user, learnerId),
		schoolName: user.schoolName,
		isOwn: user.id === learnerId
	};
};
