import { sql, type Kysely } from 'kysely';

/**
 * Per-learner extensions and automatic reminders (issue 15).
 *
 * `task_extensions`: one row per task × learner whose dates differ from the class's: an extended
 * due date, and/or a peer window of their own (for the reviews that learner gives). A null column
 * means "the class's date". Who granted it, when and why are kept for the teacher's list and the
 * audit log. Everything that decides late / open / closed reads a learner's dates through
 * `server/tasks/effective-dates.ts` (a left join on this table), so there is one rule.
 *
 * The three `remind_*` flags on `tasks` say which automatic reminders a task sends (on by
 * default, for new and existing tasks): 24 hours before the due date, when the peer window opens,
 * 24 hours before it closes. The reminders themselves are keyed rows in `jobs` (migration 0019).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
	await db.schema
		.createTable('task_extensions')
		.addColumn('task_id', 'integer', (c) => c.notNull().references('tasks.id').onDelete('cascade'))
		.addColumn('learner_id', 'integer', (c) =>
			c.notNull().references('users.id').onDelete('cascade')
		)
		.addColumn('due_at', 'text')
		.addColumn('peer_opens_at', 'text')
		.addColumn('peer_closes_at', 'text')
		.addColumn('reason', 'text', (c) => c.notNull().defaultTo(''))
		.addColumn('granted_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
		.addColumn('granted_at', 'text', (c) => c.notNull())
		.addPrimaryKeyConstraint('task_extensions_pk', ['task_id', 'learner_id'])
		.addCheckConstraint(
			'task_extensions_some_date',
			sql`due_at is not null or peer_opens_at is not null or peer_closes_at is not null`
		)
		.execute();
	await db.schema
		.createIndex('task_extensions_by_learner')
		.on('task_extensions')
		.column('learner_id')
		.execute();
	for (const column of ['remind_before_due', 'remind_peer_opens', 'remind_before_peer_closes'])
		await db.schema
			.alterTable('tasks')
			.addColumn(column, 'integer', (c) => c.notNull().defaultTo(1))
			.execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.dropTable('task_extensions').execute();
	for (const column of ['remind_before_due', 'remind_peer_opens', 'remind_before_peer_closes'])
		await db.schema.alterTable('tasks').dropColumn(column).execute();
}
