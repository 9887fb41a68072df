import { sql, type Expression, type SqlBool } from 'kysely';

/**
 * A learner's own dates on a task: their extension's where they have one (`task_extensions`,
 * migration 0024), else the class's. This is the one rule for every "late", "overdue", "open" and
 * "closed" a learner meets or a teacher reads about them, written once as SQL so each list stays
 * one set-based query: join `task_extensions` with `extensionJoin(<the learner>)` (a left join, so
 * learners without one keep the class's dates) and select the columns of `effectiveDates`.
 *
 * The peer window of an extension is the window for the reviews that learner gives, so on a
 * reviewer's list it is joined on the reviewer.
 */
// A task saved without a date holds '' (the settings form's empty field), so '' reads as none.
export const effectiveDates = {
	dueAt: sql<string | null>`nullif(coalesce(task_extensions.due_at, tasks.due_at), '')`,
	peerOpensAt: sql<
		string | null
	>`nullif(coalesce(task_extensions.peer_opens_at, tasks.peer_opens_at), '')`,
	peerClosesAt: sql<
		string | null
	>`nullif(coalesce(task_extensions.peer_closes_at, tasks.peer_closes_at), '')`,
	/** whether the learner has an extension on the task at all (1 or 0) */
	extended: sql<number>`case when task_extensions.task_id is not null then 1 else 0 end`
};

/** The column (or id) naming the learner whose extension applies on each row. */
export type LearnerOfRow =
	| 'enrolments.learner_id'
	| 'submissions.learner_id'
	| 'peer_allocations.reviewer_id'
	| 'users.id'
	| number;

interface JoinCondition<J> {
	on(expression: Expression<SqlBool>): J;
}

/** The join condition for `.leftJoin('task_extensions', extensionJoin(learner))`. */
export function extensionJoin(learner: LearnerOfRow) {
	const who = typeof learner === 'number' ? sql`${learner}` : sql.ref(learner);
	return <J extends JoinCondition<J>>(join: J): J =>
		join.on(
			sql<SqlBool>`task_extensions.task_id = tasks.id and task_extensions.learner_id = ${who}`
		);
}
