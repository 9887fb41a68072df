import type { Kysely } from 'kysely';

/**
 * CASE 1.1 publishing and faithful import (issue 14, "CASE 1.1").
 *
 * - `frameworks.published_at`: a school's own framework is private (its members only) until its
 *   admin publishes it; then the CASE REST endpoints serve it to anyone. Shared frameworks
 *   (no school) are always public and ignore this column.
 * - `frameworks.uri`, `package_uri`, `framework_items.uri`, `parent_association_identifier`,
 *   `parent_association_uri`: the publisher's URIs and association identifiers of an imported
 *   framework, so a re-export names the publisher's resources, not ours (null: ours).
 * - `framework_items.list_enumeration`: CASE's text list position ("a.", "1."), kept as given.
 * - `framework_items.code_generated`: 1 when the package gave no (or a repeated) humanCodingScheme
 *   and the importer made a unique stand-in for the `(framework_id, code)` constraint; such a
 *   code is never exported.
 * - `framework_associations`: an imported package's other associations (exactMatchOf, precedes,
 *   an isChildOf to another document's item …), kept verbatim so a re-export loses nothing.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
	await db.schema.alterTable('frameworks').addColumn('published_at', 'text').execute();
	await db.schema.alterTable('frameworks').addColumn('uri', 'text').execute();
	await db.schema.alterTable('frameworks').addColumn('package_uri', 'text').execute();
	await db.schema.alterTable('framework_items').addColumn('uri', 'text').execute();
	await db.schema.alterTable('framework_items').addColumn('list_enumeration', 'text').execute();
	await db.schema
		.alterTable('framework_items')
		.addColumn('code_generated', 'integer', (c) => c.notNull().defaultTo(0))
		.execute();
	await db.schema
		.alterTable('framework_items')
		.addColumn('parent_association_identifier', 'text')
		.execute();
	await db.schema
		.alterTable('framework_items')
		.addColumn('parent_association_uri', 'text')
		.execute();
	await db.schema
		.createIndex('framework_items_parent_association')
		.on('framework_items')
		.column('parent_association_identifier')
		.execute();

	await db.schema
		.createTable('framework_associations')
		.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
		.addColumn('framework_id', 'integer', (c) =>
			c.notNull().references('frameworks.id').onDelete('cascade')
		)
		.addColumn('identifier', 'text', (c) => c.notNull().unique())
		.addColumn('uri', 'text')
		.addColumn('association_type', 'text', (c) => c.notNull())
		.addColumn('origin_identifier', 'text', (c) => c.notNull())
		.addColumn('origin_title', 'text', (c) => c.notNull())
		.addColumn('origin_uri', 'text')
		.addColumn('destination_identifier', 'text', (c) => c.notNull())
		.addColumn('destination_title', 'text', (c) => c.notNull())
		.addColumn('destination_uri', 'text')
		.addColumn('sequence_number', 'integer')
		.addColumn('last_change_at', 'text', (c) => c.notNull())
		.execute();
	await db.schema
		.createIndex('framework_associations_framework')
		.on('framework_associations')
		.column('framework_id')
		.execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.dropTable('framework_associations').execute();
	await db.schema.dropIndex('framework_items_parent_association').execute();
	for (const column of [
		'uri',
		'list_enumeration',
		'code_generated',
		'parent_association_identifier',
		'parent_association_uri'
	])
		await db.schema.alterTable('framework_items').dropColumn(column).execute();
	for (const column of ['published_at', 'uri', 'package_uri'])
		await db.schema.alterTable('frameworks').dropColumn(column).execute();
}
