import { requireRole } from '$lib/server/auth/guards';
import { readJson } from '$lib/server/http';
import { selfSaveSchema } from '$lib/schemas/assessment';
import type { RequestHandler } from './$types';

/**
 * Liveness without touching the database (load balancers; the benchmark's yardstick). `/healthz`
 * also checks the database.
 */
export const GET: RequestHandler = () =>
	new Response('ok', { headers: { 'content-type': 'text/plain', 'cache-control': 'no-store' } });

/**
 * The benchmark's fairer yardstick for autosave (`npm run bench`): the autosave's own request — a
 * learner's session, a JSON body read and checked with the autosave's schema — refused before the
 * database, so autosave ÷ this is what the save itself costs. Saves nothing, reads nothing stored.
 */
export const PUT: RequestHandler = async (event) => {
	requireRole(event, 'student');
	await readJson(event.request, selfSaveSchema);
	return new Response(
		JSON.stringify({ message: 'Nothing is saved here: this address only measures the server.' }),
		{
			status: 409,
			headers: { 'content-type': 'application/json', 'cache-control': 'no-store' }
		}
	);
};
