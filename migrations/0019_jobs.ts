import { sql, type Kysely } from 'kysely';

/**
 * Scheduled work (issue 15): reminders, digests, e-mail, clean-ups. A row is one run of one job.
 * A runner takes a due row by writing its name and a lease expiry in one statement, so two app
 * servers never take the same row; a runner that dies leaves a lease that runs out, and the row is
 * taken again. `key` names a job that must exist once (a task's "due tomorrow" reminder): enqueueing
 * it again changes nothing, or moves it while it has not run. Finished rows are kept a while for
 * the admin's view, then deleted.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
	await db.schema
		.createTable('jobs')
		.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
		.addColumn('kind', 'text', (c) => c.notNull())
		.addColumn('key', 'text', (c) => c.unique())
		.addColumn('payload_json', 'text', (c) => c.notNull().defaultTo('{}'))
		.addColumn('run_at', 'text', (c) => c.notNull())
		.addColumn('state', 'text', (c) =>
			c
				.notNull()
				.defaultTo('queued')
				.check(sql`state in ('queued', 'done', 'failed')`)
		)
		.addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
		.addColumn('max_attempts', 'integer', (c) => c.notNull().defaultTo(5))
		.addColumn('leased_by', 'text')
		.addColumn('lease_until', 'text')
		.addColumn('last_error', 'text')
		.addColumn('created_at', 'text', (c) => c.notNull())
		.addColumn('finished_at', 'text')
		.execute();
	await db.schema.createIndex('jobs_due').on('jobs').columns(['state', 'run_at']).execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.dropTable('jobs').execute();
}
