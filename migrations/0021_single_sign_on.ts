import { sql, type Kysely } from 'kysely';

/**
 * Single sign-on with OpenID Connect, per school (issue 15; see docs/SIGN-IN.md).
 * - `sign_in_providers`: a school's providers. The client secret is stored sealed (AES-256-GCM
 *   under a key that is not in the database: `FUSION_SECRET_KEY` or a key file beside it), never in
 *   plain text; `allowed_domains` is a JSON array of lower-case e-mail domains.
 * - `sign_in_identities`: which person a provider's subject (`sub`) is, once matched.
 * - `sign_in_attempts`: one started sign-in, keyed by the SHA-256 of its `state`, holding the
 *   nonce and PKCE verifier sealed; deleted when its callback arrives (so a replayed callback finds
 *   nothing) or after ten minutes.
 * - `schools.passwords_enabled` (on by default) and `schools.sso_admits_outsiders` (off);
 *   `users.awaiting_approval`: an account a provider made for someone outside the roster, which
 *   cannot sign in until an admin approves it.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
	await db.schema
		.alterTable('schools')
		.addColumn('passwords_enabled', 'integer', (c) => c.notNull().defaultTo(1))
		.execute();
	await db.schema
		.alterTable('schools')
		.addColumn('sso_admits_outsiders', 'integer', (c) => c.notNull().defaultTo(0))
		.execute();
	await db.schema
		.alterTable('users')
		.addColumn('awaiting_approval', 'integer', (c) => c.notNull().defaultTo(0))
		.execute();
	await db.schema
		.createTable('sign_in_providers')
		.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
		.addColumn('school_id', 'integer', (c) =>
			c.notNull().references('schools.id').onDelete('cascade')
		)
		.addColumn('kind', 'text', (c) =>
			c.notNull().check(sql`kind in ('google', 'microsoft', 'oidc')`)
		)
		.addColumn('label', 'text', (c) => c.notNull())
		.addColumn('issuer', 'text', (c) => c.notNull())
		.addColumn('client_id', 'text', (c) => c.notNull())
		.addColumn('sealed_secret', 'text', (c) => c.notNull())
		.addColumn('allowed_domains', 'text', (c) => c.notNull().defaultTo('[]'))
		.addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
		.addColumn('created_at', 'text', (c) => c.notNull())
		.addColumn('updated_at', 'text', (c) => c.notNull())
		.execute();
	await db.schema
		.createIndex('sign_in_providers_by_school')
		.on('sign_in_providers')
		.column('school_id')
		.execute();
	await db.schema
		.createTable('sign_in_identities')
		.addColumn('provider_id', 'integer', (c) =>
			c.notNull().references('sign_in_providers.id').onDelete('cascade')
		)
		.addColumn('subject', 'text', (c) => c.notNull())
		.addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
		.addColumn('created_at', 'text', (c) => c.notNull())
		.addPrimaryKeyConstraint('sign_in_identities_pk', ['provider_id', 'subject'])
		.execute();
	await db.schema
		.createIndex('sign_in_identities_by_user')
		.on('sign_in_identities')
		.column('user_id')
		.execute();
	await db.schema
		.createTable('sign_in_attempts')
		.addColumn('state_hash', 'text', (c) => c.primaryKey())
		.addColumn('provider_id', 'integer', (c) =>
			c.notNull().references('sign_in_providers.id').onDelete('cascade')
		)
		.addColumn('sealed', 'text', (c) => c.notNull())
		.addColumn('created_at', 'text', (c) => c.notNull())
		.addColumn('expires_at', 'text', (c) => c.notNull())
		.execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.dropTable('sign_in_attempts').execute();
	await db.schema.dropTable('sign_in_identities').execute();
	await db.schema.dropTable('sign_in_providers').execute();
	await db.schema.alterTable('users').dropColumn('awaiting_approval').execute();
	await db.schema.alterTable('schools').dropColumn('sso_admits_outsiders').execute();
	await db.schema.alterTable('schools').dropColumn('passwords_enabled').execute();
}
