import { fail } from '@sveltejs/kit';
import { z } from 'zod';
import { requireRole } from '$lib/server/auth/guards';
import { getDb } from '$lib/server/db/connection';
import {
	importCasePackage,
	listFrameworks,
	setFrameworkPublished
} from '$lib/server/frameworks/frameworks';
import { actOn, jsonOrUndefined } from '$lib/server/http';
import { caseSourcedId } from '$lib/domain/case';
import type { Actions, PageServerLoad } from './$types';

/** A state framework of thousands of items runs to a few megabytes (the server takes 12 MB, BODY_SIZE_LIMIT). */
const MAX_CASE_BYTES = 10 * 1024 * 1024;

const publishForm = z.object({
	identifier: caseSourcedId,
	published: z.enum(['yes', 'no'], { message: 'Say whether to publish or withdraw.' })
});

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
		if (file.size > MAX_CASE_BYTES)
			return fail(400, { message: 'That file is larger than 10 MB.' });
		const json = jsonOrUndefined(await file.text());
		if (json === undefined) return fail(400, { message: `${file.name} is not valid JSON.` });
		return actOn(async () => ({
			ok: true,
			imported: await importCasePackage(getDb(), admin.schoolId, admin.id, json)
		}));
	},
	publish: async (event) => {
		const admin = requireRole(event, 'admin');
		const parsed = publishForm.safeParse(Object.fromEntries(await event.request.formData()));
		if (!parsed.success)
			return fail(400, { message: parsed.error.issues[0]?.message ?? 'Choose a framework.' });
		const { identifier, published } = parsed.data;
		return actOn(async () => {
			await setFrameworkPublished(
				getDb(),
				admin.schoolId,
				admin.id,
				identifier,
				published === 'yes'
			);
			return { ok: true, published: published === 'yes' };
		});
	}
};
