import { type Kysely } from 'kysely';

/**
 * The city tier (issue 16): a city (or trust) above schools. A school belongs to at most one city
 * (`schools.city_id`, null: a school on its own). A city admin (`city_admins`) manages the city's
 * schools, its criteria banks, task templates and badges, and reads cross-school aggregates; they
 * are not a member of any school by being a city admin, so no school page opens to them.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
	await db.schema
		.createTable('cities')
		.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
		.addColumn('name', 'text', (c) => c.notNull())
		.addColumn('slug', 'text', (c) => c.notNull().unique())
		.addColumn('created_at', 'text', (c) => c.notNull())
		.execute();
	await db.schema
		.alterTable('schools')
		.addColumn('city_id', 'integer', (c) => c.references('cities.id').onDelete('set null'))
		.execute();
	await db.schema.createIndex('schools_by_city').on('schools').column('city_id').execute();
	await db.schema
		.createTable('city_admins')
		.addColumn('city_id', 'integer', (c) => c.notNull().references('cities.id').onDelete('cascade'))
		.addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
		.addColumn('created_at', 'text', (c) => c.notNull())
		.addPrimaryKeyConstraint('city_admins_pk', ['city_id', 'user_id'])
		.execute();
	await db.schema.createIndex('city_admins_by_user').on('city_admins').column('user_id').execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.dropTable('city_admins').execute();
	await db.schema.dropIndex('schools_by_city').execute();
	await db.schema.alterTable('schools').dropColumn('city_id').execute();
	await db.schema.dropTable('cities').execute();
}
