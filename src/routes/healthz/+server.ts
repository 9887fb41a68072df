import { json } from '@sveltejs/kit';
import { sql } from 'kysely';
import { getDb } from '$lib/server/db/connection';
import type { RequestHandler } from './$types';

/** For load balancers and `npm start`: answers only when the database answers. */
export const GET: RequestHandler = async () => {
	try {
		await sql`select 1`.execute(getDb());
		return json({ status: 'ok' }, { headers: { 'cache-control': 'no-store' } });
	} catch {
		return json({ status: 'error', message: 'The database is not answering.' }, { status: 503 });
	}
};
