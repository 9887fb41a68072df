import { fail } from '@sveltejs/kit';
import { requireClassAccess, requireRole } from '$lib/server/auth/guards';
import { getDb } from '$lib/server/db/connection';
import { classMembers } from '$lib/server/classes/classes';
import { cardAddressFor, printSignInCards } from '$lib/server/auth/sign-in-cards';
import { actOn, idParam } from '$lib/server/http';
import { printClassCardsSchema } from '$lib/schemas/sign-in-cards';
import { fieldErrors, formFields } from '$lib/schemas/forms';
import type { Actions, PageServerLoad, RequestEvent } from './$types';

async function classTaught(event: RequestEvent) {
	const teacher = requireRole(event, 'teacher', 'admin');
	const classId = idParam(event.params.classId, 'class');
	const schoolClass = await requireClassAccess(getDb(), teacher, classId, 'teach');
	return { teacher, schoolClass };
}

export const load: PageServerLoad = async (event) => {
	const { schoolClass } = await classTaught(event);
	const members = await classMembers(getDb(), schoolClass.id);
	return {
		schoolClass: { id: schoolClass.id, name: schoolClass.name },
		learnerCount: members.learners.length,
		cardAddress: cardAddressFor(event.url)
	};
};

export const actions: Actions = {
	print: async (event) => {
		const { teacher, schoolClass } = await classTaught(event);
		const parsed = printClassCardsSchema.safeParse(formFields(await event.request.formData()));
		if (!parsed.success) return fail(400, fieldErrors(parsed.error));
		const { learnerId, lifetime } = parsed.data;
		const target = learnerId !== undefined ? { learnerId } : { classId: schoolClass.id };
		return actOn(() => printSignInCards(getDb(), teacher, target, lifetime, event.url));
	}
};
