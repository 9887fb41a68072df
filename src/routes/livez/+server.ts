import type { RequestHandler } from './$types';

/**
 * Liveness without touching the database (load balancers; the benchmark's yardstick). `/healthz`
 * also checks the database.
 */
export const GET: RequestHandler = () =>
	new Response('ok', { headers: { 'content-type': 'text/plain', 'cache-control': 'no-store' } });
