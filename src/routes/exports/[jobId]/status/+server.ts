import { json } from '@sveltejs/kit';
import { requireUser } from '$lib/server/auth/guards';
import { getDb } from '$lib/server/db/connection';
import { orHttpError } from '$lib/server/http';
import { exportJob } from '$lib/server/reports/batch';
import type { RequestHandler } from './$types';

/** Progress of an export, polled by its page. */
export const GET: RequestHandler = async (event) => {
	const user = requireUser(event);
	return orHttpError(async () => {
		const { filePath: _, ...job } = await exportJob(getDb(), user, event.params.jobId);
		return json(job, { headers: { 'cache-control': 'no-store' } });
	});
};
