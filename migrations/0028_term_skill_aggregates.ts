import { type Kysely } from 'kysely';

/**
 * The same running totals as `learner_skill_aggregates` (0026), split by school term, with the
 * number of tasks behind each (issue 16). The school report filters by term and shows a task count
 * per learner × skill; both come from here, so the report reads one row per learner × skill × term
 * instead of every released judgement. Summed over terms these rows equal the learner × skill row
 * (a task's results share one release date, so one term). Maintained with it, by the one rule in
 * `server/profiles/aggregates.ts`; `term_key` is `schoolTerm(releasedAt).key` ("2026-1": Autumn
 * 2026–27).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
	await db.schema
		.createTable('learner_term_skill_aggregates')
		.addColumn('learner_id', 'integer', (c) =>
			c.notNull().references('users.id').onDelete('cascade')
		)
		.addColumn('skill_id', 'integer', (c) => c.notNull().references('framework_items.id'))
		.addColumn('school_id', 'integer', (c) =>
			c.notNull().references('schools.id').onDelete('cascade')
		)
		.addColumn('term_key', 'text', (c) => c.notNull())
		.addColumn('weight', 'real', (c) => c.notNull())
		.addColumn('level_sum', 'real', (c) => c.notNull())
		.addColumn('self_weight', 'real', (c) => c.notNull())
		.addColumn('self_level_sum', 'real', (c) => c.notNull())
		.addColumn('evidence_count', 'integer', (c) => c.notNull())
		.addColumn('task_count', 'integer', (c) => c.notNull())
		.addColumn('updated_at', 'text', (c) => c.notNull())
		.addPrimaryKeyConstraint('learner_term_skill_aggregates_pk', [
			'learner_id',
			'skill_id',
			'school_id',
			'term_key'
		])
		.execute();
	await db.schema
		.createIndex('learner_term_skill_aggregates_by_school')
		.on('learner_term_skill_aggregates')
		.columns(['school_id', 'term_key'])
		.execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.dropTable('learner_term_skill_aggregates').execute();
}
