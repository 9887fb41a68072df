import { sql, type Kysely } from 'kysely';

/**
 * E-mail addresses for Open Badges 2.0 (issue 14). A 2.0 backpack matches an assertion to its
 * earner by a salted hash of their e-mail, so a learner's assertions carry one when they have one:
 * the school's (`users.email`), an address of their own, or none at all, as the learner chooses.
 * None until they choose: a salted hash of a patterned school address (first.last@school) can be
 * tried against a class list, so a child's address is never published by default.
 * And the school's contact address, which a 2.0 issuer profile names (never invented from the
 * host name).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
	await db.schema.alterTable('schools').addColumn('badge_contact_email', 'text').execute();
	await db.schema.alterTable('users').addColumn('badge_email', 'text').execute();
	await db.schema
		.alterTable('users')
		.addColumn('badge_email_choice', 'text', (c) =>
			c
				.notNull()
				.defaultTo('none')
				.check(sql`badge_email_choice in ('school', 'own', 'none')`)
		)
		.execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.alterTable('users').dropColumn('badge_email_choice').execute();
	await db.schema.alterTable('users').dropColumn('badge_email').execute();
	await db.schema.alterTable('schools').dropColumn('badge_contact_email').execute();
}
