import { type Kysely } from 'kysely';

/**
 * Per-learner × Fusion Skill running totals (issue 16), so school and city reports read one row per
 * learner and skill instead of every released judgement. Maintained when grades are released,
 * agreed or changed (never on autosave); `server/profiles/aggregates.ts` holds the one rule, and
 * its tests compare these rows with a full recomputation from the judgements.
 *
 * A skill's level is `level_sum / weight` (the weighted mean of the 0–1 levels of the results
 * mapped to it, weight = task weight × the criterion's share of the skill), the same formula as a
 * learner's profile (`domain/profiles.ts`); the self columns are the learner's own view on the same
 * evidence. `school_id` is the school whose tasks the evidence came from.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
	await db.schema
		.createTable('learner_skill_aggregates')
		.addColumn('learner_id', 'integer', (c) =>
			c.notNull().references('users.id').onDelete('cascade')
		)
		.addColumn('skill_id', 'integer', (c) => c.notNull().references('framework_items.id'))
		.addColumn('school_id', 'integer', (c) =>
			c.notNull().references('schools.id').onDelete('cascade')
		)
		.addColumn('weight', 'real', (c) => c.notNull())
		.addColumn('level_sum', 'real', (c) => c.notNull())
		.addColumn('self_weight', 'real', (c) => c.notNull())
		.addColumn('self_level_sum', 'real', (c) => c.notNull())
		.addColumn('evidence_count', 'integer', (c) => c.notNull())
		.addColumn('updated_at', 'text', (c) => c.notNull())
		.addPrimaryKeyConstraint('learner_skill_aggregates_pk', ['learner_id', 'skill_id', 'school_id'])
		.execute();
	await db.schema
		.createIndex('learner_skill_aggregates_by_school')
		.on('learner_skill_aggregates')
		.columns(['school_id', 'skill_id'])
		.execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.dropTable('learner_skill_aggregates').execute();
}
