import { sql, type Kysely } from 'kysely';

/**
 * Setting up a real school: one-time set-up links (only their SHA-256 is stored, like session
 * tokens), a flag on accounts whose password someone else chose (they must change it at first
 * sign-in), and a flag on schools made by the seed generator, whose accounts share one published
 * password (a server holding one listens on loopback only unless told otherwise).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
	await db.schema
		.createTable('setup_tokens')
		.addColumn('id', 'text', (c) => c.primaryKey()) // SHA-256 of the link's token, hex
		.addColumn('expires_at', 'text', (c) => c.notNull())
		.addColumn('used_at', 'text')
		.addColumn('created_at', 'text', (c) => c.notNull())
		.execute();
	await db.schema
		.alterTable('users')
		.addColumn('must_change_password', 'integer', (c) =>
			c
				.notNull()
				.defaultTo(0)
				.check(sql`must_change_password in (0, 1)`)
		)
		.execute();
	await db.schema
		.alterTable('schools')
		.addColumn('demo', 'integer', (c) =>
			c
				.notNull()
				.defaultTo(0)
				.check(sql`demo in (0, 1)`)
		)
		.execute();
	// Databases seeded before this migration: the demo school and the generator's benchmark schools.
	await db
		.updateTable('schools')
		.set({ demo: 1 })
		.where((eb) => eb.or([eb('slug', '=', 'northbridge'), eb('slug', 'like', 'generated-%')]))
		.execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.alterTable('schools').dropColumn('demo').execute();
	await db.schema.alterTable('users').dropColumn('must_change_password').execute();
	await db.schema.dropTable('setup_tokens').execute();
}
