import { error } from '@sveltejs/kit';
import { requireRole } from '$lib/server/auth/guards';
import { getDb } from '$lib/server/db/connection';
import { orHttpError } from '$lib/server/http';
import { handoutPasswordsCsv, openOwnHandout } from '$lib/server/roster/handouts';
import { handoutIdSchema, signInUrl } from '$lib/schemas/roster';
import type { RequestHandler } from './$types';

/** The one-time passwords of an import as CSV, for the admin who ran it only, within the hour. */
export const GET: RequestHandler = async (event) => {
	const admin = requireRole(event, 'admin');
	const id = handoutIdSchema.safeParse(event.params.handoutId);
	if (!id.success) error(404, 'This list of passwords does not exist.');
	const { entries } = await orHttpError(() => openOwnHandout(getDb(), admin, id.data, 'passwords'));
	return new Response(handoutPasswordsCsv(entries, signInUrl(event.url)), {
		headers: {
			'content-type': 'text/csv; charset=utf-8',
			'content-disposition': 'attachment; filename="one-time-passwords.csv"',
			// Secrets: kept by no cache, not even the browser's.
			'cache-control': 'private, no-store'
		}
	});
};
