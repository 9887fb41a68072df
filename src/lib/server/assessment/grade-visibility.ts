import { expressionBuilder, type Expression, type SqlBool } from 'kysely';
import type { Database } from '../db/schema';

/**
 * `gradesVisibleToLearner` (domain/results.ts) as one SQL condition, for queries that read many
 * submissions at once: the grades are released, and the learner has submitted their own judgement
 * or the task does not ask for it first. The query must have `submissions` and that submission's
 * `tasks` row in scope.
 *
 * Everything a learner sees or that is worked out from what they have been given (profiles,
 * reports, badge rules, a reviewer's closeness to the teacher on a classmate's work) reads teacher
 * and agreed grades through this, so a grade held back on the task page is held back everywhere.
 * Teachers' own screens (marking, moderation, the peer overview) read every grade.
 */
export function gradesVisibleToLearnerSql(): Expression<SqlBool> {
	const eb = expressionBuilder<Database, 'submissions' | 'tasks'>();
	return eb.and([
		eb('submissions.released_at', 'is not', null),
		eb.or([
			eb('submissions.self_state', '=', 'submitted'),
			eb('tasks.self_required_before_release', '=', 0)
		])
	]);
}
