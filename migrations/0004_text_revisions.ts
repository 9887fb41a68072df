import type { Kysely } from 'kysely';

/**
 * The overall reflection and the teacher's overall comment live on `submissions`, without the
 * revision every judgement has; give each its own, so a save from a stale tab or device can be
 * refused (see docs/ARCHITECTURE.md, the assessment screen's autosave). 0 means never saved.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
	await db.schema
		.alterTable('submissions')
		.addColumn('reflection_revision', 'integer', (c) => c.notNull().defaultTo(0))
		.execute();
	await db.schema
		.alterTable('submissions')
		.addColumn('overall_comment_revision', 'integer', (c) => c.notNull().defaultTo(0))
		.execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.alterTable('submissions').dropColumn('overall_comment_revision').execute();
	await db.schema.alterTable('submissions').dropColumn('reflection_revision').execute();
}
