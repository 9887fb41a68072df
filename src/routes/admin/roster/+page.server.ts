import { fail } from '@sveltejs/kit';
import { requireRole } from '$lib/server/auth/guards';
import { getDb } from '$lib/server/db/connection';
import { actOn, jsonOrUndefined } from '$lib/server/http';
import {
	MAX_ROSTER_FILE_BYTES,
	MAX_ROSTER_FILES,
	applyRosterImport,
	previewRosterImport,
	problemsFileName,
	rosterPayloadSchema,
	type RosterImportRefusal,
	type UploadedCsv
} from '$lib/server/roster/import';
import { forgetHandout, ownHandouts } from '$lib/server/roster/handouts';
import { forgetHandoutSchema, importChoiceSchema } from '$lib/schemas/roster';
import { formFields } from '$lib/schemas/forms';
import type { RosterPlan } from '$lib/domain/roster';
import type { Actions, PageServerLoad } from './$types';

/** Error rows are always shown; beyond this many the rows without errors are only counted. */
const MAX_OK_ROWS_SHOWN = 200;

export const load: PageServerLoad = async (event) => {
	const admin = requireRole(event, 'admin');
	// Only what and until when: the passwords themselves are only in the two downloads.
	const now = new Date();
	const handouts = (await ownHandouts(getDb(), admin, now)).map((h) => ({
		...h,
		minutesAgo: Math.floor((now.getTime() - Date.parse(h.createdAt)) / 60_000),
		minutesLeft: Math.max(1, Math.ceil((Date.parse(h.expiresAt) - now.getTime()) / 60_000))
	}));
	return { handouts };
};

function summarise(plan: RosterPlan) {
	const okRows = plan.rows.filter((r) => r.errors.length === 0);
	const badRows = plan.rows.filter((r) => r.errors.length > 0);
	const problemFiles = [...new Set(badRows.map((r) => r.fileName))].map((fileName) => ({
		fileName,
		downloadName: problemsFileName(fileName),
		rows: badRows.filter((r) => r.fileName === fileName).length
	}));
	return {
		kinds: plan.kinds,
		fileErrors: plan.fileErrors,
		errorCount: plan.errorCount,
		goodRowCount: plan.goodRowCount,
		badRowCount: plan.badRowCount,
		problemFiles,
		counts: {
			create: okRows.filter((r) => r.action === 'create').length,
			update: okRows.filter((r) => r.action === 'update').length,
			enrol: plan.enrolments.length
		},
		rows: [...badRows, ...okRows.slice(0, MAX_OK_ROWS_SHOWN)],
		hiddenOkRows: Math.max(0, okRows.length - MAX_OK_ROWS_SHOWN)
	};
}

const REFUSED: Record<RosterImportRefusal, string> = {
	problems:
		'Nothing was imported: the files have problems (the school may have changed since the preview). Check the rows below and choose again.',
	'file-problems':
		'Nothing was imported: a file could not be read. Fix it and choose the files again.',
	changed:
		'Nothing was imported: the school changed since the preview, so the rows with problems are not the ones you saw. Check the preview below and choose again.',
	'nothing-good': 'Nothing was imported: every row has a problem. Fix the file first.'
};

export const actions: Actions = {
	preview: async (event) => {
		const admin = requireRole(event, 'admin');
		const files = (await event.request.formData())
			.getAll('files')
			.filter((f): f is File => f instanceof File && f.size > 0);
		if (files.length === 0)
			return fail(400, { message: 'Choose at least one CSV file to upload.' });
		if (files.length > MAX_ROSTER_FILES)
			return fail(400, { message: `Upload at most ${MAX_ROSTER_FILES} files at once.` });
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
		const fields = formFields(await event.request.formData());
		const payload = rosterPayloadSchema.safeParse(jsonOrUndefined(fields.payload ?? ''));
		const choice = importChoiceSchema.safeParse(fields);
		if (!payload.success || !choice.success) {
			return fail(400, {
				message: 'The upload was lost or damaged. Choose the files again and preview them.'
			});
		}
		const uploads: UploadedCsv[] = payload.data;
		const outcome = await applyRosterImport(
			getDb(),
			admin.schoolId,
			admin.id,
			uploads,
			choice.data.choice === 'all'
				? { kind: 'all' }
				: { kind: 'good-rows', problemRowsSeen: choice.data.problemRowsSeen }
		);
		if (!outcome.result) {
			return fail(400, {
				message: REFUSED[outcome.refused],
				preview: summarise(outcome.plan),
				payload: JSON.stringify(uploads)
			});
		}
		const skipped = outcome.result.skippedRows;
		return {
			ok: true,
			imported: outcome.result,
			// The skipped rows stay downloadable from the panel, to fix and import on their own.
			skipped: skipped > 0 ? summarise(outcome.plan).problemFiles : [],
			payload: skipped > 0 ? JSON.stringify(uploads) : null
		};
	},
	forget: async (event) => {
		const admin = requireRole(event, 'admin');
		return actOn(
			async () => {
				const { handout } = forgetHandoutSchema.parse(formFields(await event.request.formData()));
				await forgetHandout(getDb(), admin, handout);
				return {
					ok: true,
					forgotten: true,
					message: 'The one-time passwords are forgotten: they can no longer be downloaded.'
				};
			},
			() => ({ forgotten: true })
		);
	}
};
