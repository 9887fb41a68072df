import { requireRole } from '$lib/server/auth/guards';
import { getDb } from '$lib/server/db/connection';
import { exportLearnerData } from '$lib/server/privacy/privacy';
import { idParam, orHttpError } from '$lib/server/http';
import type { RequestHandler } from './$types';

/** Everything held about one learner (subject access request): JSON and their files, as a zip. */
export const GET: RequestHandler = async (event) => {
	const admin = requireRole(event, 'admin');
	const learnerId = idParam(event.params.userId, 'person');
	return orHttpError(async () => {
		const zip = await exportLearnerData(getDb(), admin, learnerId);
		return new Response(new Uint8Array(zip), {
			headers: {
				'content-type': 'application/zip',
				'content-disposition': `attachment; filename="learner-${learnerId}-data.zip"`,
				'cache-control': 'private, no-store'
			}
		});
	});
};
