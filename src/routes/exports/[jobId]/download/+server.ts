import { createReadStream, statSync } from 'node:fs';
import { Readable } from 'node:stream';
import { requireUser } from '$lib/server/auth/guards';
import { getDb } from '$lib/server/db/connection';
import { orHttpError } from '$lib/server/http';
import { exportToDownload } from '$lib/server/reports/batch';
import type { RequestHandler } from './$types';

/**
 * The finished zip, streamed to the person who asked for it (or a school admin) while it is kept
 * and they may still see every learner in it.
 */
export const GET: RequestHandler = async (event) => {
	const user = requireUser(event);
	const job = await orHttpError(() => exportToDownload(getDb(), user, event.params.jobId));
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
