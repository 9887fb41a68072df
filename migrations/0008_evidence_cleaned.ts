import { sql, type Kysely } from 'kysely';

/**
 * When an evidence file was cleaned of its hidden details (EXIF/GPS, authors, document
 * properties). Files uploaded before cleaning existed have none, so the one-off clean-up
 * (`assessment/clean-stored-evidence.ts`, at start-up and `npm run clean-evidence`) finds them and
 * re-cleans them; every new upload is cleaned before it is stored and written with the time.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
	await db.schema.alterTable('evidence').addColumn('cleaned_at', 'text').execute();
	// Only the files still waiting are indexed, so the check at every start is instant once done.
	await db.schema
		.createIndex('evidence_not_cleaned')
		.on('evidence')
		.column('id')
		.where(sql.ref('kind'), '=', 'file')
		.where(sql.ref('cleaned_at'), 'is', null)
		.execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.dropIndex('evidence_not_cleaned').execute();
	await db.schema.alterTable('evidence').dropColumn('cleaned_at').execute();
}
