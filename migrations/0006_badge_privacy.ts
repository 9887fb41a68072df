import type { Kysely } from 'kysely';

/**
 * Children's privacy for badges (issue 12): what a learner chooses to show on each award's public
 * page (their own words, their teacher's comments; both off by default), the private salt of the
 * credential's hashed recipient name (given to the learner only, never published), and the
 * identifiers of awards erased with their learner, so those addresses answer 410 Gone.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
	await db.schema
		.alterTable('badge_awards')
		.addColumn('show_own_words', 'integer', (c) => c.notNull().defaultTo(0))
		.execute();
	await db.schema
		.alterTable('badge_awards')
		.addColumn('show_teacher_comments', 'integer', (c) => c.notNull().defaultTo(0))
		.execute();
	await db.schema.alterTable('badge_awards').addColumn('identity_salt', 'text').execute();
	await db.schema
		.createTable('erased_awards')
		.addColumn('identifier', 'text', (c) => c.primaryKey())
		.execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.dropTable('erased_awards').execute();
	await db.schema.alterTable('badge_awards').dropColumn('identity_salt').execute();
	await db.schema.alterTable('badge_awards').dropColumn('show_teacher_comments').execute();
	await db.schema.alterTable('badge_awards').dropColumn('show_own_words').execute();
}
