import type { Kysely } from 'kysely';

/**
 * Which learners each export holds, so a download can re-check that the requester may still see
 * every one of them, and an erased learner's exports can be found and deleted. No foreign key to
 * `users`: a learner who is gone must make the export refuse, not silently drop from this list.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
	await db.schema
		.createTable('export_job_learners')
		.addColumn('job_id', 'text', (c) =>
			c.notNull().references('export_jobs.id').onDelete('cascade')
		)
		.addColumn('learner_id', 'integer', (c) => c.notNull())
		.addPrimaryKeyConstraint('export_job_learners_pk', ['job_id', 'learner_id'])
		.execute();
	await db.schema
		.createIndex('export_job_learners_learner')
		.on('export_job_learners')
		.column('learner_id')
		.execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.dropTable('export_job_learners').execute();
}
