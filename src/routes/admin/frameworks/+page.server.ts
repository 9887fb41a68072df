import { fail } from '@sveltejs/kit';
import { requireRole } from '$lib/server/auth/guards';
import { getDb } from '$lib/server/db/connection';
import { importCasePackage, listFrameworks } from '$lib/server/frameworks/frameworks';
import { actOn, jsonOrUndefined } from '$lib/server/http';
import type { Actions, PageServerLoad } from './$types';

const MAX_CASE_BYTES = 5 * 1024 * 1024;

export const load: PageServerLoad = async (event) => {
	const admin = requireRole(event, 'admin');
	return { frameworks: await listFrameworks(getDb(), admin.schoolId), origin: event.url.origin };
};

export const actions: Actions = {
	import: async (event) => {
		const admin = requireRole(event, 'admin');
		const file = (await event.request.formData()).get('file');
		if (!(file instanceof File) || file.size === 0)
			return fail(400, { message: 'Choose a CASE JSON file to import.' });
		if (file.size > MAX_CASE_BYTES) return fail(400, { message: 'That file is larger than 5 MB.' });
		const json = jsonOrUndefined(await file.text());
		if (json === undefined) return fail(400, { message: `${file.name} is not valid JSON.` });
		return actOn(async () => ({
			ok: true,
			imported: await importCasePackage(getDb(), admin.schoolId, admin.id, json)
		}));
	}
};
