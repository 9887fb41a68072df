import { sql, type Kysely } from 'kysely';

/**
 * Revocation that outside verifiers can see (issue 14): W3C Bitstring Status List v1.0.
 *
 * `status_lists`: each school's revocation lists, served signed at
 * `/schools/{slug}/status/{number}`. `revision` counts changes to the list's bits; the signed
 * credential last made is kept with the revision it shows (`signed_revision`), so a list is re-signed
 * only after a change. `status_list_entries`: every index ever handed out, so an index is never used
 * twice; `revoked` is its bit. Neither holds anything about a learner: which credential holds which
 * index is known only from the credential itself (and `badge_awards.status_list_*`).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
	await db.schema
		.createTable('status_lists')
		.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
		.addColumn('school_id', 'integer', (c) =>
			c.notNull().references('schools.id').onDelete('cascade')
		)
		.addColumn('number', 'integer', (c) => c.notNull())
		.addColumn('purpose', 'text', (c) => c.notNull().check(sql`purpose in ('revocation')`))
		.addColumn('length', 'integer', (c) => c.notNull())
		.addColumn('revision', 'integer', (c) => c.notNull().defaultTo(0))
		.addColumn('signed_revision', 'integer')
		.addColumn('credential_json', 'text')
		.addColumn('created_at', 'text', (c) => c.notNull())
		.addUniqueConstraint('status_lists_school_number', ['school_id', 'number'])
		.execute();
	await db.schema
		.createTable('status_list_entries')
		.addColumn('list_id', 'integer', (c) =>
			c.notNull().references('status_lists.id').onDelete('cascade')
		)
		.addColumn('status_index', 'integer', (c) => c.notNull())
		.addColumn('revoked', 'integer', (c) =>
			c
				.notNull()
				.defaultTo(0)
				.check(sql`revoked in (0, 1)`)
		)
		.addColumn('allocated_at', 'text', (c) => c.notNull())
		.addColumn('revoked_at', 'text')
		.addPrimaryKeyConstraint('status_list_entries_pk', ['list_id', 'status_index'])
		.execute();
	await db.schema
		.alterTable('badge_awards')
		.addColumn('status_list_id', 'integer', (c) => c.references('status_lists.id'))
		.execute();
	await db.schema.alterTable('badge_awards').addColumn('status_list_index', 'integer').execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.alterTable('badge_awards').dropColumn('status_list_index').execute();
	await db.schema.alterTable('badge_awards').dropColumn('status_list_id').execute();
	await db.schema.dropTable('status_list_entries').execute();
	await db.schema.dropTable('status_lists').execute();
}
