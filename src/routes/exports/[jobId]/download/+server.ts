import { error } from '@sveltejs/kit';
import { createReadStream, statSync } from 'node:fs';
import { Readable } from 'node:stream';
import { requireUser } from '$lib/server/auth/guards';
import { getDb } from '$lib/server/db/connection';
import { orHttpError } from '$lib/server/http';
import { exportJob } from '$lib/server/reports/batch';
import type { RequestHandler } from './$types';

/** The finished zip, streamed to the person who asked for it (or a school admin). */
export const GET: RequestHandler = async (event) => {
	const user = requireUser(event);
	const job = await orHttpError(() => exportJob(getDb(), user, event.params.jobId));
	if (job.state !== 'done' || !job.filePath) error(409, 'This export is not finished yet.');
	const size = statSync(job.filePath).size;
	return new Response(Readable.toWeb(createReadStream(job.filePath)) as ReadableStream, {
		headers: {
			'content-type': 'application/zip',
			'content-length': String(size),
			'content-disposition': `attachment; filename="learning-reports-${job.createdAt.slice(0, 10)}.zip"`,
			'cache-control': 'private, no-store'
		}
	});
};
