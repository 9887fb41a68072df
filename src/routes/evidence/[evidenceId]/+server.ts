import { requireUser } from '$lib/server/auth/guards';
import { getDb } from '$lib/server/db/connection';
import { evidenceFile } from '$lib/server/assessment/evidence';
import { idParam, orHttpError } from '$lib/server/http';
import type { RequestHandler } from './$types';

/**
 * An uploaded evidence file. It is never executed: the type is the one sniffed at upload, the
 * browser may not guess another, and the response is sandboxed with no script or plugin allowed.
 */
export const GET: RequestHandler = async (event) => {
	const user = requireUser(event);
	const evidenceId = idParam(event.params.evidenceId, 'file');
	return orHttpError(async () => {
		const file = await evidenceFile(getDb(), user, evidenceId);
		const disposition = `${file.inline ? 'inline' : 'attachment'}; filename="${file.fileName.replace(/[^\x20-\x7e]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(file.fileName)}`;
		return new Response(new Uint8Array(file.bytes), {
			headers: {
				'content-type': file.mime,
				'content-length': String(file.bytes.byteLength),
				'content-disposition': disposition,
				'x-content-type-options': 'nosniff',
				'content-security-policy':
					"default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox",
				'cache-control': 'private, no-store'
			}
		});
	});
};
