import { json } from '@sveltejs/kit';
import { sql } from 'kysely';
import { getDb } from '$lib/server/db/connection';
import { isPostgres } from '$lib/server/db/dialect';
import { clusterListening } from '$lib/server/cluster/events';
import type { RequestHandler } from './$types';

/**
 * For load balancers and `npm start`: answers only when the database answers. On PostgreSQL it
 * also says whether this server hears the others (`cluster`): while it does not, it keeps no
 * session cache, so it is slower but never wrong.
 */
export const GET: RequestHandler = async () => {
	try {
		const db = getDb();
		await sql`select 1`.execute(db);
		const cluster = !isPostgres(db)
			? 'one server'
			: clusterListening()
				? 'listening'
				: 'not listening';
		return json({ status: 'ok', cluster }, { headers: { 'cache-control': 'no-store' } });
	} catch {
		return json({ status: 'error', message: 'The database is not answering.' }, { status: 503 });
	}
};
