import { fail } from '@sveltejs/kit';
import { z } from 'zod';
import { requireRole } from '$lib/server/auth/guards';
import { getDb } from '$lib/server/db/connection';
import { jsonOrUndefined } from '$lib/server/http';
import {
	MAX_ROSTER_FILE_BYTES,
	applyRosterImport,
	previewRosterImport,
	type UploadedCsv
} from '$lib/server/roster/import';
import type { RosterPlan } from '$lib/domain/roster';
import type { Actions, PageServerLoad } from './$types';

const MAX_FILES = 6;
/** Error rows are always shown; beyond this many the rows without errors are only counted. */
const MAX_OK_ROWS_SHOWN = 200;

export const load: PageServerLoad = (event) => {
	requireRole(event, 'admin');
	return {};
};

const payloadSchema = z
	.array(z.object({ fileName: z.string().max(200), text: z.string().max(MAX_ROSTER_FILE_BYTES) }))
	.min(1)
	.max(MAX_FILES);

function summarise(plan: RosterPlan) {
	const okRows = plan.rows.filter((r) => r.errors.length === 0);
	return {
		kinds: plan.kinds,
		fileErrors: plan.fileErrors,
		errorCount: plan.errorCount,
		counts: {
			create: okRows.filter((r) => r.action === 'create').length,
			update: okRows.filter((r) => r.action === 'update').length,
			enrol: plan.enrolments.length
		},
		rows: [...plan.rows.filter((r) => r.errors.length > 0), ...okRows.slice(0, MAX_OK_ROWS_SHOWN)],
		hiddenOkRows: Math.max(0, okRows.length - MAX_OK_ROWS_SHOWN)
	};
}

export const actions: Actions = {
	preview: async (event) => {
		const admin = requireRole(event, 'admin');
		const files = (await event.request.formData())
			.getAll('files')
			.filter((f): f is File => f instanceof File && f.size > 0);
		if (files.length === 0)
			return fail(400, { message: 'Choose at least one CSV file to upload.' });
		if (files.length > MAX_FILES)
			return fail(400, { message: `Upload at most ${MAX_FILES} files at once.` });
		const tooBig = files.find((f) => f.size > MAX_ROSTER_FILE_BYTES);
		if (tooBig)
			return fail(400, {
				message: `${tooBig.name} is larger than 2 MB. Split it into smaller files.`
			});
		const uploads: UploadedCsv[] = await Promise.all(
			files.map(async (f) => ({ fileName: f.name, text: await f.text() }))
		);
		const plan = await previewRosterImport(getDb(), admin.schoolId, uploads);
		return { ok: true, preview: summarise(plan), payload: JSON.stringify(uploads) };
	},
	import: async (event) => {
		const admin = requireRole(event, 'admin');
		const payload = payloadSchema.safeParse(
			jsonOrUndefined(String((await event.request.formData()).get('payload') ?? ''))
		);
		if (!payload.success) {
			return fail(400, {
				message: 'The upload was lost or damaged. Choose the files again and preview them.'
			});
		}
		const uploads: UploadedCsv[] = payload.data;
		const { plan, result } = await applyRosterImport(getDb(), admin.schoolId, admin.id, uploads);
		if (!result) {
			return fail(400, {
				message:
					'Nothing was imported: the files have errors (the school may have changed since the preview). Fix the rows below and upload again.',
				preview: summarise(plan),
				payload: JSON.stringify(uploads)
			});
		}
		return { ok: true, imported: result };
	}
};
