import { requireRole } from '$lib/server/auth/guards';
import { getDb } from '$lib/server/db/connection';
import { sampleEvidenceFile } from '$lib/server/city-moderation/marking';
import { idParam, orHttpError } from '$lib/server/http';
import type { RequestHandler } from './$types';

/**
 * A sampled piece's file, to its moderator only, under a neutral name ("Evidence 1.png") and only
 * as the copy cleaned of its metadata on upload; served as /evidence serves files (never executed).
 */
export const GET: RequestHandler = async (event) => {
	const teacher = requireRole(event, 'teacher', 'admin');
	const sampleId = idParam(event.params.sampleId, 'sample');
	const position = idParam(event.params.position, 'file');
	return orHttpError(async () => {
		const file = await sampleEvidenceFile(getDb(), teacher, sampleId, position);
		return new Response(new Uint8Array(file.bytes), {
			headers: {
				'content-type': file.mime,
				'content-length': String(file.bytes.byteLength),
				'content-disposition': `${file.inline ? 'inline' : 'attachment'}; filename="${file.fileName}"`,
				'x-content-type-options': 'nosniff',
				'content-security-policy':
					"default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox",
				'cache-control': 'private, no-store'
			}
		});
	});
};
