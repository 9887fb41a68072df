import type { Kysely } from 'kysely';

/**
 * Printable sign-in cards (issue 15): one row per card, each a one-time, short-lived way in for one
 * learner. Only SHA-256 digests are stored: of the link's token (the QR code) and of the short code
 * typed on a device without a camera; the card itself is printed once and never kept. Issuing cards
 * for a learner revokes their earlier unused ones, and a card is spent by the one statement that
 * signs in with it. `sessions.sign_in_method` records how a session began, so a card sign-in is not
 * sent to choose a password the child never had (a roster import's must-change flag).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
	await db.schema
		.createTable('sign_in_cards')
		.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
		.addColumn('token_hash', 'text', (c) => c.notNull().unique())
		.addColumn('code_hash', 'text', (c) => c.notNull())
		.addColumn('learner_id', 'integer', (c) =>
			c.notNull().references('users.id').onDelete('cascade')
		)
		.addColumn('school_id', 'integer', (c) =>
			c.notNull().references('schools.id').onDelete('cascade')
		)
		.addColumn('issued_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
		.addColumn('created_at', 'text', (c) => c.notNull())
		.addColumn('expires_at', 'text', (c) => c.notNull())
		.addColumn('used_at', 'text')
		.addColumn('revoked_at', 'text')
		.execute();
	await db.schema
		.createIndex('sign_in_cards_by_learner')
		.on('sign_in_cards')
		.column('learner_id')
		.execute();
	await db.schema
		.createIndex('sign_in_cards_by_code')
		.on('sign_in_cards')
		.column('code_hash')
		.execute();
	await db.schema
		.alterTable('sessions')
		.addColumn('sign_in_method', 'text', (c) => c.notNull().defaultTo('password'))
		.execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.alterTable('sessions').dropColumn('sign_in_method').execute();
	await db.schema.dropTable('sign_in_cards').execute();
}
