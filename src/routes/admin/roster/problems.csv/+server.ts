import { error } from '@sveltejs/kit';
import { z } from 'zod';
import { requireRole } from '$lib/server/auth/guards';
import { getDb } from '$lib/server/db/connection';
import { jsonOrUndefined } from '$lib/server/http';
import { rosterPayloadSchema, rosterProblemsCsv } from '$lib/server/roster/import';
import { orgChoiceSchema } from '$lib/schemas/roster';
import type { RequestHandler } from './$types';

const requestSchema = z.object({
	file: z.string().max(200),
	payload: rosterPayloadSchema,
	org: orgChoiceSchema
});

/**
 * The rows with problems of one previewed file, to fix in a spreadsheet and import again. A POST
 * from the preview's own form: the files travel in the page, never stored on the server.
 */
export const POST: RequestHandler = async (event) => {
	const admin = requireRole(event, 'admin');
	const form = await event.request.formData().catch(() => null);
	const parsed = requestSchema.safeParse({
		file: String(form?.get('file') ?? ''),
		payload: jsonOrUndefined(String(form?.get('payload') ?? '')),
		org: String(form?.get('org') ?? '')
	});
	if (!parsed.success)
		error(400, 'The upload was lost or damaged. Choose the files again and preview them.');
	const lists = await rosterProblemsCsv(getDb(), admin.schoolId, parsed.data.payload, {
		chosenOrgId: parsed.data.org
	});
	const list = lists.find((l) => l.fileName === parsed.data.file) ?? lists[0];
	if (!list) error(404, 'No row of these files has a problem now: there is nothing to fix.');
	return new Response(list.csv, {
		headers: {
			'content-type': 'text/csv; charset=utf-8',
			'content-disposition': `attachment; filename="${list.fileName.replace(/"/g, '')}"`
		}
	});
};
