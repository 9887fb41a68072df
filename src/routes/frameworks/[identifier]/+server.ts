import { error, json } from '@sveltejs/kit';
import { getDb } from '$lib/server/db/connection';
import { exportCasePackage } from '$lib/server/frameworks/frameworks';
import type { RequestHandler } from './$types';

/**
 * Public: a framework's CASE package, so badges aligned to its items can be checked by anyone.
 * Frameworks hold no personal data. Only shared frameworks are published here.
 */
export const GET: RequestHandler = async ({ params, url }) => {
	const db = getDb();
	const shared = await db
		.selectFrom('frameworks')
		.select('id')
		.where('identifier', '=', params.identifier)
		.where('school_id', 'is', null)
		.executeTakeFirst();
	if (!shared) error(404, 'No published framework with that identifier.');
	const pkg = await exportCasePackage(db, params.identifier, url.origin, null);
	return json(pkg, {
		headers: { 'cache-control': 'public, max-age=3600', 'access-control-allow-origin': '*' }
	});
};
