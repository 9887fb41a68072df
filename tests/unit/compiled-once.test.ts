import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sessionCacheOf, type DB } from '../../src/lib/server/db/connection';
import { compiledOnce } from '../../src/lib/server/db/compiled-once';
import { sql } from 'kysely';
import { demoDatabase } from './helpers';
import { postgresTestRun } from './postgres-run';

let db: DB;
beforeEach(async () => ({ db } = await demoDatabase()));
afterEach(async () => db.destroy());

describe('compiledOnce', () => {
	it('builds once, and binds each run’s own values', async () => {
		let builds = 0;
		const usernameOf = compiledOnce<'id' | 'active', { username: string }>((base, slot) => {
			builds++;
			return base
				.selectFrom('users')
				.select('username')
				.where('id', '=', slot<number>('id'))
				.where('active', '=', slot<0 | 1>('active'));
		});
		const ids = await db
			.selectFrom('users')
			.select(['id', 'username'])
			.orderBy('id')
			.limit(3)
			.execute();
		for (const { id, username } of ids)
			expect(await usernameOf(db, { id, active: 1 })).toEqual([{ username }]);
		expect(await usernameOf(db, { id: ids[0]!.id, active: 0 })).toEqual([]);
		expect(builds).toBe(1);
	});

	it('runs inside a transaction handed to it', async () => {
		const rename = compiledOnce<'title' | 'id', never>((base, slot) =>
			base
				.updateTable('schools')
				.set({ name: slot<string>('title') })
				.where('id', '=', slot<number>('id'))
		);
		await db.transaction().execute((trx) => rename(trx, { title: 'Renamed Academy', id: 1 }));
		expect(
			(await db.selectFrom('schools').select('name').where('id', '=', 1).executeTakeFirstOrThrow())
				.name
		).toBe('Renamed Academy');
	});

	it('shows every run to the database’s plugins, so a compiled write to users still empties the session cache', async () => {
		const deactivate = compiledOnce<'id', never>((base, slot) =>
			base.updateTable('users').set({ active: 0 }).where('id', '=', slot<number>('id'))
		);
		const cache = sessionCacheOf<string>(db)!;
		for (const id of [1, 2]) {
			cache.store('some-session', 'someone', cache.epoch, Date.now());
			await deactivate(db, { id });
			expect(cache.size).toBe(0);
		}
	});

	it.runIf(postgresTestRun())(
		'on PostgreSQL runs as a statement its connection prepared once, not parsed on each run',
		async () => {
			const nameOf = compiledOnce<'id', { name: string }>((base, slot) =>
				base.selectFrom('schools').select('name').where('id', '=', slot<number>('id'))
			);
			// One transaction: one connection, whose prepared statements the view lists.
			const prepared = await db.transaction().execute(async (trx) => {
				await nameOf(trx, { id: 1 });
				await nameOf(trx, { id: 2 });
				return (
					await sql<{ statement: string }>`select statement from pg_prepared_statements`.execute(
						trx
					)
				).rows.map((r) => r.statement);
			});
			expect(prepared.filter((s) => /from "schools" where "id" = \$1/.test(s))).toHaveLength(1);
		}
	);
});
