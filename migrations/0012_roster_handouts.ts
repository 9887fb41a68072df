import type { Kysely } from 'kysely';

/**
 * Sign-in slips after a roster import (issue 13 item 13). The one-time passwords of the accounts
 * an import created are kept for the admin who ran it to print (a PDF of slips) or download (a
 * CSV), for an hour at most: `sealed` is the list encrypted with AES-256-GCM under a server key
 * (`server_secrets`), bound to the school and the admin, and the row is deleted when the admin
 * says they are handed out, when it expires, or when a learner of the school is erased. Never in
 * plain text, never in the audit log.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
	await db.schema
		.createTable('roster_handouts')
		.addColumn('id', 'text', (c) => c.primaryKey())
		.addColumn('school_id', 'integer', (c) =>
			c.notNull().references('schools.id').onDelete('cascade')
		)
		.addColumn('admin_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
		.addColumn('people', 'integer', (c) => c.notNull())
		.addColumn('sealed', 'text', (c) => c.notNull())
		.addColumn('created_at', 'text', (c) => c.notNull())
		.addColumn('expires_at', 'text', (c) => c.notNull())
		.execute();
	await db.schema
		.createIndex('roster_handouts_admin')
		.on('roster_handouts')
		.columns(['admin_id', 'expires_at'])
		.execute();
	await db.schema
		.createIndex('roster_handouts_expires')
		.on('roster_handouts')
		.column('expires_at')
		.execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.dropTable('roster_handouts').execute();
}
