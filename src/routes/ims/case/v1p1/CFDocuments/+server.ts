import { getDb } from '$lib/server/db/connection';
import { caseResponse, listCaseDocuments } from '$lib/server/frameworks/case-api';
import type { RequestHandler } from './$types';

/**
 * CASE 1.1 getAllCFDocuments: every framework the caller may read (the shared and published ones;
 * a signed-in member also sees their school's private ones).
 */
export const GET: RequestHandler = async ({ url, locals }) =>
	caseResponse(
		await listCaseDocuments(getDb(), url.origin, locals.user?.schoolId ?? null),
		'CFDocuments'
	);
