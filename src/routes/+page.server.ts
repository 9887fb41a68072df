import { redirect } from '@sveltejs/kit';
import { homePathFor } from '$lib/server/auth/guards';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = ({ locals }) => {
	redirect(303, locals.user ? homePathFor(locals.user) : '/login');
};
