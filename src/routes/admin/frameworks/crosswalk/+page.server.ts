import { fail } from '@sveltejs/kit';
import { requireRole } from '$lib/server/auth/guards';
import { getDb } from '$lib/server/db/connection';
import { resetSchoolCrosswalk, saveSchoolCrosswalk } from '$lib/server/frameworks/frameworks';
import {
	crosswalkEditor,
	crosswalkFramework,
	readCrosswalkForm
} from '$lib/server/frameworks/crosswalk-editor';
import { crosswalkFrameworkSchema } from '$lib/schemas/frameworks';
import { actOn } from '$lib/server/http';
import type { Actions, PageServerLoad } from './$types';

/** Whose crosswalk: `?framework=` (CAPRI when absent), in the page's URL and its forms' actions. */
const frameworkOf = (url: URL) => crosswalkFrameworkSchema.parse(url.searchParams.get('framework'));

export const load: PageServerLoad = async (event) => {
	const admin = requireRole(event, 'admin');
	return crosswalkEditor(getDb(), admin.schoolId, frameworkOf(event.url));
};

export const actions: Actions = {
	save: async (event) => {
		const admin = requireRole(event, 'admin');
		const db = getDb();
		const editor = await crosswalkEditor(db, admin.schoolId, frameworkOf(event.url));
		const read = readCrosswalkForm(await event.request.formData(), editor);
		if ('problems' in read)
			return fail(400, { message: 'Nothing was saved:', problems: read.problems });
		return actOn(async () => {
			await saveSchoolCrosswalk(db, admin.schoolId, admin.id, read.rows, editor.identifier);
			return { ok: true, message: 'Crosswalk saved.' };
		});
	},
	reset: async (event) => {
		const admin = requireRole(event, 'admin');
		const { identifier } = crosswalkFramework(frameworkOf(event.url));
		await resetSchoolCrosswalk(getDb(), admin.schoolId, admin.id, identifier);
		return { ok: true, message: 'Back to the shipped default.' };
	}
};
