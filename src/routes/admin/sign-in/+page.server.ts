import { fail } from '@sveltejs/kit';
import { requireRole } from '$lib/server/auth/guards';
import { getDb } from '$lib/server/db/connection';
import { actOn } from '$lib/server/http';
import { addProvider, listProviders, setSignInRules, signInRules } from '$lib/server/sso/providers';
import { CALLBACK_PATH } from '$lib/server/sso/flow';
import { providerFormSchema, signInRulesSchema } from '$lib/schemas/sign-in';
import { fieldErrors, formFields } from '$lib/schemas/forms';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const admin = requireRole(event, 'admin');
	const db = getDb();
	const school = await db
		.selectFrom('schools')
		.select('slug')
		.where('id', '=', admin.schoolId)
		.executeTakeFirstOrThrow();
	return {
		providers: await listProviders(db, admin.schoolId),
		rules: await signInRules(db, admin.schoolId),
		signInAddress: `${event.url.origin}/login?school=${school.slug}`,
		redirectUri: `${event.url.origin}${CALLBACK_PATH}`
	};
};

export const actions: Actions = {
	add: async (event) => {
		const admin = requireRole(event, 'admin');
		const fields = formFields(await event.request.formData());
		const { clientSecret: _secret, ...values } = fields;
		const parsed = providerFormSchema.safeParse(fields);
		if (!parsed.success) return fail(400, { values, ...fieldErrors(parsed.error) });
		return actOn(
			async () => {
				await addProvider(getDb(), admin, parsed.data);
				return {
					ok: true,
					message: `Added “${parsed.data.label}”: its button is on your school’s sign-in page.`
				};
			},
			() => ({ values })
		);
	},
	rules: async (event) => {
		const admin = requireRole(event, 'admin');
		const parsed = signInRulesSchema.safeParse(formFields(await event.request.formData()));
		if (!parsed.success) return fail(400, fieldErrors(parsed.error));
		return actOn(async () => {
			await setSignInRules(getDb(), admin, parsed.data);
			return { ok: true, message: 'Sign-in rules saved.' };
		});
	}
};
