import { afterEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { demoDatabase, freshDatabaseLocation, userId } from './helpers';
import { postgresTestRun } from './postgres-run';
import { openDatabase, type DB } from '../../src/lib/server/db/connection';
import { migrateToLatest } from '../../src/lib/server/db/migrate';
import {
	announce,
	clusterListening,
	onClusterEvent,
	startClusterEvents,
	stopClusterEvents
} from '../../src/lib/server/cluster/events';
import {
	createSession,
	generateSessionToken,
	validateSessionToken
} from '../../src/lib/server/auth/sessions';
import { CLUSTER_CHANNEL } from '../../src/lib/server/db/dialect';
import { DEMO_PASSWORD, DEMO_SCHOOL, insertSchool, planSchool } from '../../src/lib/server/db/seed';

const opened: DB[] = [];
afterEach(async () => {
	await stopClusterEvents();
	for (const db of opened.splice(0)) await db.destroy();
});

async function until(check: () => Promise<boolean>, ms = 3000): Promise<boolean> {
	const end = Date.now() + ms;
	while (Date.now() < end) {
		if (await check()) return true;
		await new Promise((r) => setTimeout(r, 25));
	}
	return check();
}

describe('events between app servers', () => {
	it('reach this server’s own handlers at once, whatever the database', async () => {
		const { db } = await demoDatabase();
		opened.push(db);
		await startClusterEvents(db);
		const seen: unknown[] = [];
		const stop = onClusterEvent('live', (event) => seen.push(event.sessionId));
		announce('live', { sessionId: 7 });
		stop();
		expect(seen).toEqual([7]);
	});

	it.runIf(postgresTestRun())(
		'PostgreSQL: a sign-out written by another server (or a script) empties this server’s session cache when it commits',
		async () => {
			const location = await freshDatabaseLocation();
			const here = openDatabase(location);
			const elsewhere = openDatabase(location);
			opened.push(here, elsewhere);
			await migrateToLatest(here);
			await insertSchool(here, planSchool(DEMO_SCHOOL), DEMO_PASSWORD);
			const token = generateSessionToken();
			const session = await createSession(here, token, await userId(here, 'teacher'));

			// Until it hears the others, a server keeps nothing: a write elsewhere is seen at once.
			await validateSessionToken(here, token);
			await elsewhere.deleteFrom('sessions').where('id', '=', session.id).execute();
			expect((await validateSessionToken(here, token)).user).toBeNull();

			await startClusterEvents(here);
			expect(clusterListening()).toBe(true);
			const again = generateSessionToken();
			const second = await createSession(here, again, await userId(here, 'teacher'));
			expect((await validateSessionToken(here, again)).user).not.toBeNull(); // now cached
			await elsewhere.transaction().execute(async (trx) => {
				await trx.deleteFrom('sessions').where('id', '=', second.id).execute();
				// Not before the commit: the other server would re-read the old row and keep it.
				await new Promise((r) => setTimeout(r, 200));
				expect((await validateSessionToken(here, again)).user).not.toBeNull();
			});
			expect(
				await until(async () => (await validateSessionToken(here, again)).user === null, 1000)
			).toBe(true);
		}
	);

	it.runIf(postgresTestRun())(
		'PostgreSQL: an event from another server reaches the handlers here; this server’s own notification is not delivered twice',
		async () => {
			const { db } = await demoDatabase();
			opened.push(db);
			await startClusterEvents(db);
			const seen: number[] = [];
			const stop = onClusterEvent('live', (event) => seen.push(Number(event.sessionId)));
			announce('live', { sessionId: 1 });
			await sql`select pg_notify(${CLUSTER_CHANNEL}, ${JSON.stringify({ topic: 'live', origin: 'another-server', sessionId: 2 })})`.execute(
				db
			);
			expect(await until(async () => seen.includes(2))).toBe(true);
			await new Promise((r) => setTimeout(r, 200));
			stop();
			expect(seen).toEqual([1, 2]);
		}
	);
});
