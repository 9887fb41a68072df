import { error } from '@sveltejs/kit';
import { requireUser } from '$lib/server/auth/guards';
import { getDb } from '$lib/server/db/connection';
import { exportJob } from '$lib/server/reports/batch';
import { AssessmentError } from '$lib/server/assessment/shared';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const user = requireUser(event);
	try {
		const { filePath: _, ...job } = await exportJob(getDb(), user, event.params.jobId);
		return { job };
	} catch (problem) {
		if (problem instanceof AssessmentError) error(problem.status, problem.message);
		throw problem;
	}
};
