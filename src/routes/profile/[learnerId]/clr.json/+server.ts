import { requireUser } from '$lib/server/auth/guards';
import { getDb } from '$lib/server/db/connection';
import { learnerClr } from '$lib/server/clr/clr';
import { idParam, orHttpError } from '$lib/server/http';
import type { RequestHandler } from './$types';

/**
 * The learner's Comprehensive Learner Record 2.0, signed by the school, as a download for the
 * learner, their teachers and their school's admins (others: 403, another school: 404).
 */
export const GET: RequestHandler = async (event) => {
	const user = requireUser(event);
	const learnerId = idParam(event.params.learnerId, 'learner');
	const { credential, learnerName } = await orHttpError(() =>
		learnerClr(getDb(), user, learnerId, event.url.origin)
	);
	const name = learnerName.replace(/[^\p{L}\p{N} .-]/gu, '').trim() || 'learner';
	return new Response(JSON.stringify(credential, null, 2), {
		headers: {
			'content-type': 'application/json',
			'content-disposition': `attachment; filename="learner-record.json"; filename*=UTF-8''${encodeURIComponent(`Learner record (CLR) - ${name}.json`)}`,
			'cache-control': 'private, no-store'
		}
	});
};
