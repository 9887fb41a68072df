import { getDb } from '$lib/server/db/connection';
import { answerCase, caseDocumentById } from '$lib/server/frameworks/case-api';
import type { RequestHandler } from './$types';

/** CASE 1.1 getCFDocument: 404 for one that does not exist or that the caller may not read. */
export const GET: RequestHandler = async ({ params, url, locals }) =>
	answerCase(params.sourcedId, (id) =>
		caseDocumentById(getDb(), url.origin, locals.user?.schoolId ?? null, id)
	);
