import type { Kysely } from 'kysely';

/**
 * E-mail for the notification centre (issue 15).
 * - `users.email_notifications`: what the person chose (`none`, `each`, `daily`); null until they
 *   choose, when the default for their role applies (`domain/notifications.ts`).
 * - `schools.email_minimum_age`: pupils younger than this get no e-mail at all; their age is read
 *   from their year group, never from a birth date.
 * - `peer_allocations.flagged_at`/`flagged_reason`: a learner told their teacher that a review of
 *   their work was unkind or unhelpful ("a review flagged").
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
	await db.schema.alterTable('users').addColumn('email_notifications', 'text').execute();
	await db.schema
		.alterTable('schools')
		.addColumn('email_minimum_age', 'integer', (c) => c.notNull().defaultTo(13))
		.execute();
	await db.schema.alterTable('peer_allocations').addColumn('flagged_at', 'text').execute();
	await db.schema.alterTable('peer_allocations').addColumn('flagged_reason', 'text').execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.alterTable('peer_allocations').dropColumn('flagged_reason').execute();
	await db.schema.alterTable('peer_allocations').dropColumn('flagged_at').execute();
	await db.schema.alterTable('schools').dropColumn('email_minimum_age').execute();
	await db.schema.alterTable('users').dropColumn('email_notifications').execute();
}
