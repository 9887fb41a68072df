import { redirect } from '@sveltejs/kit';
import { z } from 'zod';
import { requireRole } from '$lib/server/auth/guards';
import { getDb } from '$lib/server/db/connection';
import { sessionForJoinCode } from '$lib/server/live/join-codes';
import { actOn } from '$lib/server/http';
import { formFields } from '$lib/schemas/forms';
import type { Actions, PageServerLoad } from './$types';

/** The short address on the projector: a learner types the session's code here. */
export const load: PageServerLoad = async (event) => {
	requireRole(event, 'student');
	return {};
};

const joinSchema = z.object({ code: z.string().max(40).default('') });

export const actions: Actions = {
	default: async (event) => {
		const learner = requireRole(event, 'student');
		const { code } = joinSchema.parse(formFields(await event.request.formData()));
		// The code typed stays in the field beside the message, to correct rather than retype.
		const result = await actOn(
			async () => ({ sessionId: await sessionForJoinCode(getDb(), learner, code) }),
			() => ({ code })
		);
		if ('sessionId' in result) redirect(303, `/student/live/${result.sessionId}`);
		return result;
	}
};
