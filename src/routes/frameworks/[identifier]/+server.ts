import { getDb } from '$lib/server/db/connection';
import { answerCase, casePackageById } from '$lib/server/frameworks/case-api';
import type { RequestHandler } from './$types';

/**
 * A framework's public link: its CASE package, as `/ims/case/v1p1/CFPackages/{id}` serves it, so
 * badges aligned to its items can be checked by anyone. Frameworks hold no personal data; a
 * school's unpublished framework answers only its own members.
 */
export const GET: RequestHandler = async ({ params, url, locals }) =>
	answerCase(params.identifier, (id) =>
		casePackageById(getDb(), url.origin, locals.user?.schoolId ?? null, id)
	);
