import { sql, type Kysely } from 'kysely';

/**
 * Cross-school moderation (issue 16, docs/CITY-MODERATION.md). A city admin draws a round: an
 * anonymised sample of released work from several of the city's schools, each piece under an opaque
 * code and allocated to a teacher of another school of the city, who marks it blind. The seed is
 * kept so the draw can be repeated exactly. Marks are the moderator's own (never an `assessments`
 * row: they are not a grade of the learner and never reach the learner or their school's results).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
	await db.schema
		.createTable('city_moderation_rounds')
		.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
		.addColumn('city_id', 'integer', (c) => c.notNull().references('cities.id').onDelete('cascade'))
		.addColumn('title', 'text', (c) => c.notNull())
		/** the criterion codes sampled, as a JSON array of strings ("C1.1") */
		.addColumn('criterion_codes', 'text', (c) => c.notNull())
		.addColumn('per_school', 'integer', (c) => c.notNull().check(sql`per_school between 1 and 50`))
		.addColumn('seed', 'integer', (c) => c.notNull())
		.addColumn('created_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
		.addColumn('created_at', 'text', (c) => c.notNull())
		.addColumn('closed_at', 'text')
		.execute();
	await db.schema
		.createIndex('city_moderation_rounds_by_city')
		.on('city_moderation_rounds')
		.column('city_id')
		.execute();
	await db.schema
		.createTable('city_moderation_round_schools')
		.addColumn('round_id', 'integer', (c) =>
			c.notNull().references('city_moderation_rounds.id').onDelete('cascade')
		)
		.addColumn('school_id', 'integer', (c) =>
			c.notNull().references('schools.id').onDelete('cascade')
		)
		.addPrimaryKeyConstraint('city_moderation_round_schools_pk', ['round_id', 'school_id'])
		.execute();
	await db.schema
		.createTable('city_moderation_moderators')
		.addColumn('round_id', 'integer', (c) =>
			c.notNull().references('city_moderation_rounds.id').onDelete('cascade')
		)
		.addColumn('teacher_id', 'integer', (c) =>
			c.notNull().references('users.id').onDelete('cascade')
		)
		/** the moderator's school when the round was drawn: they never get that school's work */
		.addColumn('school_id', 'integer', (c) =>
			c.notNull().references('schools.id').onDelete('cascade')
		)
		.addPrimaryKeyConstraint('city_moderation_moderators_pk', ['round_id', 'teacher_id'])
		.execute();
	await db.schema
		.createTable('city_moderation_samples')
		.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
		.addColumn('round_id', 'integer', (c) =>
			c.notNull().references('city_moderation_rounds.id').onDelete('cascade')
		)
		.addColumn('code', 'text', (c) => c.notNull())
		.addColumn('submission_id', 'integer', (c) =>
			c.notNull().references('submissions.id').onDelete('cascade')
		)
		.addColumn('school_id', 'integer', (c) =>
			c.notNull().references('schools.id').onDelete('cascade')
		)
		.addColumn('moderator_id', 'integer', (c) =>
			c.notNull().references('users.id').onDelete('cascade')
		)
		.addColumn('marked_at', 'text')
		.addUniqueConstraint('city_moderation_samples_code', ['round_id', 'code'])
		.addUniqueConstraint('city_moderation_samples_submission', ['round_id', 'submission_id'])
		.execute();
	await db.schema
		.createIndex('city_moderation_samples_by_moderator')
		.on('city_moderation_samples')
		.column('moderator_id')
		.execute();
	await db.schema
		.createTable('city_moderation_marks')
		.addColumn('sample_id', 'integer', (c) =>
			c.notNull().references('city_moderation_samples.id').onDelete('cascade')
		)
		.addColumn('criterion_id', 'integer', (c) => c.notNull().references('criteria.id'))
		.addColumn('value', 'real', (c) => c.notNull().check(sql`value >= 0 and value <= 100`))
		.addColumn('updated_at', 'text', (c) => c.notNull())
		.addPrimaryKeyConstraint('city_moderation_marks_pk', ['sample_id', 'criterion_id'])
		.execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.dropTable('city_moderation_marks').execute();
	await db.schema.dropTable('city_moderation_samples').execute();
	await db.schema.dropTable('city_moderation_moderators').execute();
	await db.schema.dropTable('city_moderation_round_schools').execute();
	await db.schema.dropTable('city_moderation_rounds').execute();
}
