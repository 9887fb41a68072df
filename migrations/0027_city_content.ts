import { type Kysely } from 'kysely';

/**
 * The city's shared content (issue 16): criteria, task templates and badges a city publishes and
 * its schools adopt. Each is versioned as a school's criteria are: rows of one `lineage_id`, one
 * per version, the old ones kept with `superseded_at` set, so what a school adopted stays readable.
 *
 * Adopting copies into the school (a school criterion, a task, a school badge) and remembers the
 * city row, i.e. the version, it came from (`criteria.city_criterion_id`, `tasks.city_template_id`,
 * `badges.city_badge_id`): the school's copy is the school's, used and issued as any other; the
 * city row tells it when a newer version exists. Descriptors, skill weights, settings and
 * alignments are JSON text, read only by server/city (a city row is never assessed against).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
	await db.schema
		.createTable('city_criteria')
		.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
		.addColumn('city_id', 'integer', (c) => c.notNull().references('cities.id').onDelete('cascade'))
		.addColumn('lineage_id', 'text', (c) => c.notNull())
		.addColumn('version', 'integer', (c) => c.notNull())
		.addColumn('title', 'text', (c) => c.notNull())
		.addColumn('description', 'text', (c) => c.notNull())
		.addColumn('capri_item_id', 'integer', (c) => c.notNull().references('framework_items.id'))
		.addColumn('scale_id', 'integer', (c) => c.notNull().references('grade_scales.id'))
		.addColumn('descriptors_json', 'text', (c) => c.notNull())
		.addColumn('skill_weights_json', 'text', (c) => c.notNull())
		.addColumn('created_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
		.addColumn('created_at', 'text', (c) => c.notNull())
		.addColumn('superseded_at', 'text')
		.addUniqueConstraint('city_criteria_version', ['lineage_id', 'version'])
		.execute();
	await db.schema
		.createIndex('city_criteria_by_city')
		.on('city_criteria')
		.columns(['city_id', 'lineage_id'])
		.execute();
	await db.schema
		.alterTable('criteria')
		.addColumn('city_criterion_id', 'integer', (c) =>
			c.references('city_criteria.id').onDelete('set null')
		)
		.execute();
	// A school adopts a city version once (a second click, or two servers at once, finds the first).
	await db.schema
		.createIndex('criteria_adopted_once')
		.on('criteria')
		.columns(['school_id', 'city_criterion_id'])
		.unique()
		.execute();

	await db.schema
		.createTable('city_task_templates')
		.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
		.addColumn('city_id', 'integer', (c) => c.notNull().references('cities.id').onDelete('cascade'))
		.addColumn('lineage_id', 'text', (c) => c.notNull())
		.addColumn('version', 'integer', (c) => c.notNull())
		.addColumn('title', 'text', (c) => c.notNull())
		.addColumn('brief_markdown', 'text', (c) => c.notNull())
		.addColumn('scale_id', 'integer', (c) => c.notNull().references('grade_scales.id'))
		.addColumn('settings_json', 'text', (c) => c.notNull())
		.addColumn('created_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
		.addColumn('created_at', 'text', (c) => c.notNull())
		.addColumn('superseded_at', 'text')
		.addUniqueConstraint('city_task_templates_version', ['lineage_id', 'version'])
		.execute();
	await db.schema
		.createIndex('city_task_templates_by_city')
		.on('city_task_templates')
		.columns(['city_id', 'lineage_id'])
		.execute();
	await db.schema
		.createTable('city_task_template_criteria')
		.addColumn('template_id', 'integer', (c) =>
			c.notNull().references('city_task_templates.id').onDelete('cascade')
		)
		.addColumn('position', 'integer', (c) => c.notNull())
		.addColumn('city_criterion_id', 'integer', (c) =>
			c.notNull().references('city_criteria.id').onDelete('cascade')
		)
		.addColumn('weight', 'real', (c) => c.notNull())
		.addPrimaryKeyConstraint('city_task_template_criteria_pk', ['template_id', 'position'])
		.execute();
	await db.schema
		.alterTable('tasks')
		.addColumn('city_template_id', 'integer', (c) =>
			c.references('city_task_templates.id').onDelete('set null')
		)
		.execute();

	await db.schema
		.createTable('city_badges')
		.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
		.addColumn('city_id', 'integer', (c) => c.notNull().references('cities.id').onDelete('cascade'))
		.addColumn('lineage_id', 'text', (c) => c.notNull())
		.addColumn('version', 'integer', (c) => c.notNull())
		.addColumn('name', 'text', (c) => c.notNull())
		.addColumn('description', 'text', (c) => c.notNull())
		.addColumn('criteria_narrative', 'text', (c) => c.notNull())
		.addColumn('layer', 'text', (c) => c.notNull())
		.addColumn('rule_json', 'text', (c) => c.notNull())
		.addColumn('alignments_json', 'text', (c) => c.notNull())
		.addColumn('created_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
		.addColumn('created_at', 'text', (c) => c.notNull())
		.addColumn('superseded_at', 'text')
		.addUniqueConstraint('city_badges_version', ['lineage_id', 'version'])
		.execute();
	await db.schema
		.createIndex('city_badges_by_city')
		.on('city_badges')
		.columns(['city_id', 'lineage_id'])
		.execute();
	await db.schema
		.alterTable('badges')
		.addColumn('city_badge_id', 'integer', (c) =>
			c.references('city_badges.id').onDelete('set null')
		)
		.execute();
	await db.schema
		.createIndex('badges_adopted_once')
		.on('badges')
		.columns(['school_id', 'city_badge_id'])
		.unique()
		.execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.dropIndex('badges_adopted_once').execute();
	await db.schema.alterTable('badges').dropColumn('city_badge_id').execute();
	await db.schema.dropTable('city_badges').execute();
	await db.schema.alterTable('tasks').dropColumn('city_template_id').execute();
	await db.schema.dropTable('city_task_template_criteria').execute();
	await db.schema.dropTable('city_task_templates').execute();
	await db.schema.dropIndex('criteria_adopted_once').execute();
	await db.schema.alterTable('criteria').dropColumn('city_criterion_id').execute();
	await db.schema.dropTable('city_criteria').execute();
}
