import { type Kysely } from 'kysely';

/**
 * The number of tasks behind each learner × skill total (issue 16), as `learner_term_skill_aggregates`
 * (0028) has per term: the school CSV of all terms then reads one row per learner × skill from
 * `learner_skill_aggregates` instead of summing the per-term rows (2.5× fewer rows read at 10,000
 * learners). A task's results share one release date, so one term: the sum over terms is the count.
 * Filled here from the per-term rows, set-based; kept by `server/profiles/aggregates.ts` afterwards.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
	await db.schema
		.alterTable('learner_skill_aggregates')
		.addColumn('task_count', 'integer', (c) => c.notNull().defaultTo(0))
		.execute();
	await db
		.updateTable('learner_skill_aggregates as a')
		.set((eb) => ({
			task_count: eb.fn.coalesce(
				eb
					.selectFrom('learner_term_skill_aggregates as t')
					.select((t) => t.fn.sum('t.task_count').as('n'))
					.whereRef('t.learner_id', '=', 'a.learner_id')
					.whereRef('t.skill_id', '=', 'a.skill_id')
					.whereRef('t.school_id', '=', 'a.school_id'),
				eb.lit(0)
			)
		}))
		.execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.alterTable('learner_skill_aggregates').dropColumn('task_count').execute();
}
