import { fail, redirect } from '@sveltejs/kit';
import { requireRole } from '$lib/server/auth/guards';
import { getDb } from '$lib/server/db/connection';
import { actOn, idParam, orHttpError } from '$lib/server/http';
import { deleteProvider, schoolProvider, updateProvider } from '$lib/server/sso/providers';
import { providerFormSchema } from '$lib/schemas/sign-in';
import { fieldErrors, formFields } from '$lib/schemas/forms';
import type { Actions, PageServerLoad, RequestEvent } from './$types';

/** The admin's own school's provider, or 404 (another school's is not found, whoever asks). */
async function providerInAdminsSchool(event: RequestEvent) {
	const admin = requireRole(event, 'admin');
	const providerId = idParam(event.params.providerId, 'sign-in provider');
	const provider = await orHttpError(() => schoolProvider(getDb(), admin.schoolId, providerId));
	return { admin, provider };
}

export const load: PageServerLoad = async (event) => {
	const { provider } = await providerInAdminsSchool(event);
	return { provider };
};

export const actions: Actions = {
	save: async (event) => {
		const { admin, provider } = await providerInAdminsSchool(event);
		const fields = formFields(await event.request.formData());
		const { clientSecret: _secret, ...values } = fields;
		const parsed = providerFormSchema.safeParse(fields);
		if (!parsed.success) return fail(400, { values, ...fieldErrors(parsed.error) });
		return actOn(
			async () => {
				await updateProvider(getDb(), admin, provider.id, parsed.data);
				return { ok: true, message: `Saved “${parsed.data.label}”.` };
			},
			() => ({ values })
		);
	},
	remove: async (event) => {
		const { admin, provider } = await providerInAdminsSchool(event);
		const form = await event.request.formData();
		if (form.get('confirmLabel') !== provider.label)
			return fail(400, { message: `Type “${provider.label}” to confirm the removal.` });
		const removed = await actOn(async () => {
			await deleteProvider(getDb(), admin, provider.id);
			return null;
		});
		if (removed) return removed;
		redirect(303, '/admin/sign-in');
	}
};
