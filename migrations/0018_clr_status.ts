import type { Kysely } from 'kysely';

/**
 * A learner's CLR 2.0 record carries a revocation entry like a badge (issue 14). The record is made
 * afresh on each download, so one entry per learner, handed out at the first download and named by
 * every record after it: erasing the learner sets its bit, and every copy handed out then fails its
 * status check.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
	await db.schema
		.alterTable('users')
		.addColumn('clr_status_list_id', 'integer', (c) => c.references('status_lists.id'))
		.execute();
	await db.schema.alterTable('users').addColumn('clr_status_index', 'integer').execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.alterTable('users').dropColumn('clr_status_index').execute();
	await db.schema.alterTable('users').dropColumn('clr_status_list_id').execute();
}
