import { requireRole } from '$lib/server/auth/guards';
import { getDb } from '$lib/server/db/connection';
import { orHttpError } from '$lib/server/http';
import { openOwnHandout } from '$lib/server/roster/handouts';
import { renderSignInSlipsPdf } from '$lib/server/roster/slips-pdf';
import { handoutIdSchema, signInUrl } from '$lib/schemas/roster';
import { error } from '@sveltejs/kit';
import type { RequestHandler } from './$types';

/** The sign-in slips of an import, for the admin who ran it only, within the hour. */
export const GET: RequestHandler = async (event) => {
	const admin = requireRole(event, 'admin');
	const id = handoutIdSchema.safeParse(event.params.handoutId);
	if (!id.success) error(404, 'These sign-in slips do not exist.');
	const { entries } = await orHttpError(() => openOwnHandout(getDb(), admin, id.data, 'slips'));
	const pdf = await renderSignInSlipsPdf(entries, admin.schoolName, signInUrl(event.url));
	return new Response(new Uint8Array(pdf), {
		headers: {
			'content-type': 'application/pdf',
			'content-disposition': 'attachment; filename="sign-in-slips.pdf"',
			// Secrets: kept by no cache, not even the browser's.
			'cache-control': 'private, no-store'
		}
	});
};
