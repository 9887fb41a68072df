import { fail } from '@sveltejs/kit';
import { z } from 'zod';
import { requireRole } from '$lib/server/auth/guards';
import { getDb } from '$lib/server/db/connection';
import {
	createPerson,
	decideAwaiting,
	listAwaitingApproval,
	PEOPLE_TO_DO,
	schoolPeoplePage
} from '$lib/server/people/accounts';
import { actOn } from '$lib/server/http';
import { newUserSchema, roleSchema } from '$lib/schemas/people';
import { fieldErrors, formFields } from '$lib/schemas/forms';
import type { Actions, PageServerLoad } from './$types';

const filterSchema = z.object({
	role: roleSchema.optional().catch(undefined),
	q: z.string().trim().max(100).optional().catch(undefined),
	show: z.enum(PEOPLE_TO_DO).optional().catch(undefined),
	page: z.coerce.number().int().positive().optional().catch(undefined)
});

export const load: PageServerLoad = async (event) => {
	const admin = requireRole(event, 'admin');
	const filter = filterSchema.parse(Object.fromEntries(event.url.searchParams));
	const { people, position } = await schoolPeoplePage(
		getDb(),
		admin.schoolId,
		{ role: filter.role, search: filter.q, show: filter.show },
		filter.page
	);
	return {
		people,
		position,
		awaiting: await listAwaitingApproval(getDb(), admin.schoolId),
		filter: { role: filter.role ?? '', q: filter.q ?? '', show: filter.show ?? '' }
	};
};

const awaitingDecision = z.object({
	userId: z.coerce.number().int().positive(),
	decision: z.enum(['approve', 'decline'])
});

export const actions: Actions = {
	/** An account single sign-on made for someone outside the roster: approve or decline it. */
	decide: async (event) => {
		const admin = requireRole(event, 'admin');
		const parsed = awaitingDecision.safeParse(formFields(await event.request.formData()));
		if (!parsed.success) return fail(400, { message: 'Choose approve or decline for one person.' });
		return actOn(async () => {
			await decideAwaiting(getDb(), admin, parsed.data.userId, parsed.data.decision);
			return {
				ok: true,
				message:
					parsed.data.decision === 'approve'
						? 'Approved: they can sign in now. Enrol them in a class under Classes.'
						: 'Declined: the account is deactivated.'
			};
		});
	},
	create: async (event) => {
		const admin = requireRole(event, 'admin');
		const fields = formFields(await event.request.formData());
		const parsed = newUserSchema.safeParse(fields);
		if (!parsed.success) return fail(400, { values: fields, ...fieldErrors(parsed.error) });
		return actOn(
			async () => {
				const { userId, initialPassword } = await createPerson(
					getDb(),
					admin.schoolId,
					admin.id,
					parsed.data
				);
				return { ok: true, created: { userId, username: parsed.data.username, initialPassword } };
			},
			(message) => ({ values: fields, errors: { username: message } })
		);
	}
};
