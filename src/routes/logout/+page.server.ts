import { redirect } from '@sveltejs/kit';
import { getDb } from '$lib/server/db/connection';
import { deleteSessionTokenCookie, invalidateSession } from '$lib/server/auth/sessions';
import type { Actions, PageServerLoad } from './$types';

// Signing out is a POST only, so a link or image on another site cannot sign anyone out.
export const load: PageServerLoad = () => redirect(303, '/');

export const actions: Actions = {
	default: async ({ locals, cookies, url }) => {
		if (locals.session) await invalidateSession(getDb(), locals.session.id);
		deleteSessionTokenCookie(cookies, url.protocol === 'https:');
		redirect(303, '/login');
	}
};
