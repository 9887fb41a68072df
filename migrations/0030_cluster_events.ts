import { type Kysely } from 'kysely';
import { notifyAuthChanges } from '../src/lib/server/db/dialect';

/**
 * Several app servers on one PostgreSQL database (issue 16): a change to who is signed in, made
 * through any server or by a script, is announced by the database itself when it commits, so every
 * server empties its session cache at once (server/cluster/events.ts). Nothing on SQLite, where
 * one server is the only writer and sees its own writes (session-cache.ts).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
	await notifyAuthChanges(db, [
		{ table: 'sessions', insertsToo: false },
		{ table: 'users', insertsToo: true },
		{ table: 'memberships', insertsToo: true },
		{ table: 'schools', insertsToo: true },
		{ table: 'cities', insertsToo: true },
		{ table: 'city_admins', insertsToo: true }
	]);
}

export async function down(): Promise<void> {}
