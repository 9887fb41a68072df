import { sql, type Kysely } from 'kysely';

/**
 * Limits on repeated work (issue 12). `work_counts` records each piece of expensive work a person
 * asked the server for (a PDF report, a batch export), so a per-person allowance is counted in the
 * database: it holds across restarts and across several app servers sharing the database. Rows
 * older than the longest allowance are pruned as new ones are written. `badge_awards.declined_at`
 * says when a request was declined, for the cool-down before the learner may ask again.
 *
 * The action is CHECK-constrained like every enumeration; a new kind of limited work rebuilds this
 * small table in its own migration (its rows matter for an hour at most).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
	await db.schema
		.createTable('work_counts')
		.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
		.addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
		.addColumn('action', 'text', (c) =>
			c.notNull().check(sql`action in ('learner_report_pdf', 'batch_export')`)
		)
		.addColumn('at', 'text', (c) => c.notNull())
		.execute();
	await db.schema
		.createIndex('work_counts_user_action_at')
		.on('work_counts')
		.columns(['user_id', 'action', 'at'])
		.execute();
	await db.schema.alterTable('badge_awards').addColumn('declined_at', 'text').execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.alterTable('badge_awards').dropColumn('declined_at').execute();
	await db.schema.dropTable('work_counts').execute();
}
