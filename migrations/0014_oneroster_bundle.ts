import type { Kysely } from 'kysely';

/**
 * OneRoster 1.2 bundles (issue 14). A district's bundle holds several schools: the school keeps
 * the sourcedId of its own org (matched or chosen by its admin on the first import), so later
 * imports take only that org's people and classes. Unique: one org is one school on this server.
 * A class keeps the title of its OneRoster course and the titles of its terms, shown with it,
 * instead of courses and sessions being imported as classes of their own.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
	await db.schema.alterTable('schools').addColumn('roster_org_source_id', 'text').execute();
	await db.schema
		.createIndex('schools_roster_org_source_id')
		.on('schools')
		.column('roster_org_source_id')
		.unique()
		.execute();
	await db.schema.alterTable('classes').addColumn('course_title', 'text').execute();
	await db.schema.alterTable('classes').addColumn('term', 'text').execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.dropIndex('schools_roster_org_source_id').execute();
	await db.schema.alterTable('schools').dropColumn('roster_org_source_id').execute();
	await db.schema.alterTable('classes').dropColumn('course_title').execute();
	await db.schema.alterTable('classes').dropColumn('term').execute();
}
