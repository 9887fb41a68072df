import { fail } from '@sveltejs/kit';
import { requireRole } from '$lib/server/auth/guards';
import { getDb } from '$lib/server/db/connection';
import { actOn, jsonOrUndefined } from '$lib/server/http';
import {
	applyRosterImport,
	previewRosterImport,
	problemsFileName,
	rosterPayloadSchema,
	type RosterImportRefusal,
	type UploadedCsv
} from '$lib/server/roster/import';
import { unpackRosterUpload, type LeftOut } from '$lib/server/roster/bundle';
import { forgetHandout, ownHandouts } from '$lib/server/roster/handouts';
import { Refusal } from '$lib/server/errors';
import { forgetHandoutSchema, importChoiceSchema, orgChoiceSchema } from '$lib/schemas/roster';
import { formFields } from '$lib/schemas/forms';
import type { RosterPlan } from '$lib/domain/roster';
import type { Actions, PageServerLoad } from './$types';

/** files chosen at once: a bundle's files one by one (manifest and up to 21 data files), or zips */
const MAX_UPLOADS = 24;

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

function summarise(plan: RosterPlan, leftOut: LeftOut[] = []) {
	const okRows = plan.rows.filter((r) => r.errors.length === 0);
	const badRows = plan.rows.filter((r) => r.errors.length > 0);
	const problemFiles = [...new Set(badRows.map((r) => r.fileName))].map((fileName) => ({
		fileName,
		downloadName: problemsFileName(fileName),
		rows: badRows.filter((r) => r.fileName === fileName).length
	}));
	return {
		kinds: plan.kinds,
		leftOut,
		bundle: plan.bundle,
		skipped: plan.skipped,
		fileErrors: plan.fileErrors,
		errorCount: plan.errorCount,
		goodRowCount: plan.goodRowCount,
		badRowCount: plan.badRowCount,
		problemFiles,
		counts: {
			create: okRows.filter((r) => r.action === 'create').length,
			update: okRows.filter((r) => r.action === 'update').length,
			enrol: plan.enrolments.length,
			deactivate: plan.deactivations.length,
			archive: plan.archivedClasses.length,
			unenrol: plan.removedEnrolments.length,
			skipped: plan.skipped.reduce((n, s) => n + s.count, 0)
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
		const form = await event.request.formData();
		const org = orgChoiceSchema.safeParse(form.get('org') ?? undefined);
		if (!org.success) return fail(400, { message: org.error.issues[0]!.message });
		const files = form.getAll('files').filter((f): f is File => f instanceof File && f.size > 0);
		let uploads: UploadedCsv[];
		let leftOut: LeftOut[] = [];
		if (files.length === 0 && form.has('payload')) {
			// The preview again, for the school the admin chose in the bundle: the files are the ones
			// already in the page.
			const payload = rosterPayloadSchema.safeParse(jsonOrUndefined(String(form.get('payload'))));
			if (!payload.success)
				return fail(400, {
					message: 'The upload was lost or damaged. Choose the files again and preview them.'
				});
			uploads = payload.data;
		} else {
			if (files.length === 0)
				return fail(400, { message: 'Choose CSV files, or a OneRoster bundle as one zip file.' });
			if (files.length > MAX_UPLOADS)
				return fail(400, { message: `Upload at most ${MAX_UPLOADS} files at once.` });
			// Bytes, not text: a zip is unpacked, with its sizes capped, before anything is read.
			const unpacked = unpackRosterUpload(
				await Promise.all(
					files.map(async (f) => ({ name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) }))
				)
			);
			if ('problem' in unpacked) return fail(400, { message: unpacked.problem });
			if (unpacked.files.length === 0)
				return fail(400, {
					message: 'None of these files is roster data: choose users.csv, classes.csv and the rest.'
				});
			uploads = unpacked.files;
			leftOut = unpacked.leftOut;
		}
		const plan = await previewRosterImport(getDb(), admin.schoolId, uploads, {
			chosenOrgId: org.data,
			actorId: admin.id
		});
		return {
			ok: true,
			preview: summarise(plan, leftOut),
			payload: JSON.stringify(uploads),
			org: org.data
		};
	},
	import: async (event) => {
		const admin = requireRole(event, 'admin');
		const fields = formFields(await event.request.formData());
		const payload = rosterPayloadSchema.safeParse(jsonOrUndefined(fields.payload ?? ''));
		const choice = importChoiceSchema.safeParse(fields);
		const org = orgChoiceSchema.safeParse(fields.org);
		if (!payload.success || !choice.success || !org.success) {
			return fail(400, {
				message: 'The upload was lost or damaged. Choose the files again and preview them.'
			});
		}
		const uploads: UploadedCsv[] = payload.data;
		let outcome: Awaited<ReturnType<typeof applyRosterImport>>;
		try {
			outcome = await applyRosterImport(
				getDb(),
				admin.schoolId,
				admin.id,
				uploads,
				choice.data.choice === 'all'
					? { kind: 'all' }
					: { kind: 'good-rows', problemRowsSeen: choice.data.problemRowsSeen },
				{ chosenOrgId: org.data }
			);
		} catch (e) {
			if (e instanceof Refusal) return fail(400, { message: e.message });
			throw e;
		}
		if (!outcome.result) {
			return fail(400, {
				message: REFUSED[outcome.refused],
				preview: summarise(outcome.plan),
				payload: JSON.stringify(uploads),
				org: org.data
			});
		}
		const skipped = outcome.result.skippedRows;
		return {
			ok: true,
			imported: outcome.result,
			// The skipped rows stay downloadable from the panel, to fix and import on their own.
			skipped: skipped > 0 ? summarise(outcome.plan).problemFiles : [],
			payload: skipped > 0 ? JSON.stringify(uploads) : null,
			org: org.data
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
