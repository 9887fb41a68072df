import { fail } from '@sveltejs/kit';
import { requireRole } from '$lib/server/auth/guards';
import { getDb } from '$lib/server/db/connection';
import { listSchoolClasses } from '$lib/server/classes/classes';
import { cardAddressFor, printSignInCards } from '$lib/server/auth/sign-in-cards';
import { actOn } from '$lib/server/http';
import { printCardsSchema } from '$lib/schemas/sign-in-cards';
import { fieldErrors, formFields } from '$lib/schemas/forms';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const admin = requireRole(event, 'admin');
	const chosen = Number(event.url.searchParams.get('class'));
	return {
		classes: await listSchoolClasses(getDb(), admin.schoolId),
		chosenClassId: Number.isSafeInteger(chosen) && chosen > 0 ? chosen : null,
		cardAddress: cardAddressFor(event.url)
	};
};

export const actions: Actions = {
	print: async (event) => {
		const admin = requireRole(event, 'admin');
		const parsed = printCardsSchema.safeParse(formFields(await event.request.formData()));
		if (!parsed.success) return fail(400, fieldErrors(parsed.error));
		const { classId, learnerId, lifetime } = parsed.data;
		const target = classId !== undefined ? { classId } : { learnerId: learnerId! };
		return actOn(() => printSignInCards(getDb(), admin, target, lifetime, event.url));
	}
};
