import { error, json } from '@sveltejs/kit';
import { requireRole } from '$lib/server/auth/guards';
import { getDb } from '$lib/server/db/connection';
import { exportCasePackage } from '$lib/server/frameworks/frameworks';
import type { RequestHandler } from './$types';

/**
 * The framework as CASE JSON with this school's crosswalk (the public link carries the default
 * one).
 */
export const GET: RequestHandler = async (event) => {
	const admin = requireRole(event, 'admin');
	const pkg = await exportCasePackage(
		getDb(),
		event.params.identifier,
		event.url.origin,
		admin.schoolId
	);
	if (!pkg) error(404, 'No framework with that identifier.');
	const slug = pkg.CFDocument.title.toLowerCase().replace(/[^a-z0-9]+/g, '-');
	return json(pkg, {
		headers: { 'content-disposition': `attachment; filename="${slug}-case.json"` }
	});
};
