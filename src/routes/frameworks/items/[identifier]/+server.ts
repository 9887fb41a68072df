import { getDb } from '$lib/server/db/connection';
import { answerCase, caseItemById } from '$lib/server/frameworks/case-api';
import type { RequestHandler } from './$types';

/**
 * One CASE CFItem (a Fusion Skill, a CAPRI category, an item of a published framework): the uri
 * our packages give their items and the target of badge alignments, so it never moves. The same
 * JSON as `/ims/case/v1p1/CFItems/{id}`.
 */
export const GET: RequestHandler = async ({ params, url, locals }) =>
	answerCase(params.identifier, (id) =>
		caseItemById(getDb(), url.origin, locals.user?.schoolId ?? null, id)
	);
