import { requireUser } from '$lib/server/auth/guards';
import { getDb } from '$lib/server/db/connection';
import { orHttpError } from '$lib/server/http';
import { exportJob } from '$lib/server/reports/batch';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const user = requireUser(event);
	return orHttpError(async () => {
		const { filePath: _, ...job } = await exportJob(getDb(), user, event.params.jobId);
		return { job };
	});
};
