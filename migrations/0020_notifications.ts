import { sql, type Kysely } from 'kysely';

/**
 * The in-app notification centre (issue 15). A row is one thing one person is told: its kind and
 * the few facts its sentence needs (`params_json`: a task's id and title, never another learner's
 * name), and the page it opens. `dedupe_key` makes an event notify a person once however often it
 * is raised (a reminder job that runs twice). `emailed_at` is set when the message went out (at
 * once or in a digest), so no message is e-mailed twice. Erasing a learner deletes their rows.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
	await db.schema
		.createTable('notifications')
		.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
		.addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
		.addColumn('kind', 'text', (c) => c.notNull())
		.addColumn('params_json', 'text', (c) => c.notNull().defaultTo('{}'))
		.addColumn('link', 'text', (c) => c.notNull())
		.addColumn('dedupe_key', 'text')
		.addColumn('created_at', 'text', (c) => c.notNull())
		.addColumn('read_at', 'text')
		.addColumn('emailed_at', 'text')
		.addUniqueConstraint('notifications_once', ['user_id', 'dedupe_key'])
		.execute();
	await db.schema
		.createIndex('notifications_by_user')
		.on('notifications')
		.columns(['user_id', 'created_at'])
		.execute();
	await db.schema
		.createIndex('notifications_unread')
		.on('notifications')
		.column('user_id')
		.where(sql.ref('read_at'), 'is', null)
		.execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.dropTable('notifications').execute();
}
