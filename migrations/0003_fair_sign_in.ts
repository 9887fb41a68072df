import type { Kysely } from 'kysely';

/**
 * Fair sign-in (issue 12): attempts remember the known device they came from (so a device that has
 * signed in before is limited on its own, not by a classmate's guesses), and server-wide secrets
 * (the device-cookie key) live in the database beside the schools' signing keys, never in the
 * repository. The secret rows are made on first use, so every installation has its own.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
	await db.schema.alterTable('login_attempts').addColumn('device', 'text').execute();
	await db.schema
		.createIndex('login_attempts_device')
		.on('login_attempts')
		.columns(['device', 'attempted_at'])
		.execute();
	await db.schema
		.createTable('server_secrets')
		.addColumn('name', 'text', (c) => c.primaryKey())
		.addColumn('secret', 'text', (c) => c.notNull())
		.addColumn('created_at', 'text', (c) => c.notNull())
		.execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.dropTable('server_secrets').execute();
	await db.schema.dropIndex('login_attempts_device').execute();
	await db.schema.alterTable('login_attempts').dropColumn('device').execute();
}
