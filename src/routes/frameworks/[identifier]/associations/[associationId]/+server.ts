import { getDb } from '$lib/server/db/connection';
import { answerCase, caseAssociationById } from '$lib/server/frameworks/case-api';
import type { RequestHandler } from './$types';

/**
 * The association URIs of packages exported before the CASE endpoints existed; the association is
 * found by its own identifier, as at `/ims/case/v1p1/CFAssociations/{id}`.
 */
export const GET: RequestHandler = async ({ params, url, locals }) =>
	answerCase(params.associationId, (id) =>
		caseAssociationById(getDb(), url.origin, locals.user?.schoolId ?? null, id)
	);
