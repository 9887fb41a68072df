import { type Kysely } from 'kysely';

/**
 * Per class × skill and per year group × skill totals for the school report (issue 16), so the
 * admin reports page reads one row per group and skill instead of every learner's aggregates: its
 * cost follows the number of classes, not of learners. Kept by the one rule in
 * `server/profiles/aggregates.ts`, in the same transaction as the learner × skill rows (0026,
 * 0028), by increments: a learner's contribution before a change is taken out, the one after it
 * put in (`server/profiles/group-totals.ts`; docs/PERFORMANCE.md).
 *
 * A group is (school, class, year group): `class_id` 0 is the year group as a whole; a class's rows
 * are split by their learners' year group, so a year filter still reads totals. `year_key` is the
 * learner's year group, '' for none. `term_key` '' holds the all-terms totals.
 *
 * - `report_group_members`: the groups each active learner is counted in now (what a change of
 *   class, year group or activity is measured against);
 * - `report_group_sizes`: learners per group, with or without evidence;
 * - `report_group_totals`: per group, term and skill, the learners with evidence and the sum of
 *   their levels in thousandths (each learner's level rounded as their profile rounds it): whole
 *   numbers, so increments add up exactly, in any order.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
	await db.schema
		.createTable('report_group_members')
		.addColumn('learner_id', 'integer', (c) =>
			c.notNull().references('users.id').onDelete('cascade')
		)
		.addColumn('school_id', 'integer', (c) =>
			c.notNull().references('schools.id').onDelete('cascade')
		)
		.addColumn('class_id', 'integer', (c) => c.notNull())
		.addColumn('year_key', 'text', (c) => c.notNull())
		.addPrimaryKeyConstraint('report_group_members_pk', ['learner_id', 'school_id', 'class_id'])
		.execute();
	await db.schema
		.createTable('report_group_sizes')
		.addColumn('school_id', 'integer', (c) =>
			c.notNull().references('schools.id').onDelete('cascade')
		)
		.addColumn('class_id', 'integer', (c) => c.notNull())
		.addColumn('year_key', 'text', (c) => c.notNull())
		.addColumn('learners', 'integer', (c) => c.notNull())
		.addPrimaryKeyConstraint('report_group_sizes_pk', ['school_id', 'class_id', 'year_key'])
		.execute();
	await db.schema
		.createTable('report_group_totals')
		.addColumn('school_id', 'integer', (c) =>
			c.notNull().references('schools.id').onDelete('cascade')
		)
		.addColumn('class_id', 'integer', (c) => c.notNull())
		.addColumn('year_key', 'text', (c) => c.notNull())
		.addColumn('term_key', 'text', (c) => c.notNull())
		.addColumn('skill_id', 'integer', (c) => c.notNull().references('framework_items.id'))
		.addColumn('learners', 'integer', (c) => c.notNull())
		.addColumn('level_milli_sum', 'integer', (c) => c.notNull())
		.addPrimaryKeyConstraint('report_group_totals_pk', [
			'school_id',
			'term_key',
			'class_id',
			'year_key',
			'skill_id'
		])
		.execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.dropTable('report_group_totals').execute();
	await db.schema.dropTable('report_group_sizes').execute();
	await db.schema.dropTable('report_group_members').execute();
}
