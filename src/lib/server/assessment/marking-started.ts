import { expressionBuilder, type Expression, type SqlBool } from 'kysely';
import type { Database } from '../db/schema';

/**
 * Has marking of this submission started? Any marker (the class's teacher or a second marker) has
 * placed a grade or written a comment on it, an agreed grade is recorded, or its grades are
 * released. Until then a learner may take their submission back (`withdrawSelfAssessment`). One
 * SQL condition on `submissions`, so the check and the change can be one statement.
 */
export function markingStartedSql(): Expression<SqlBool> {
	const eb = expressionBuilder<Database, 'submissions'>();
	return eb.or([
		eb('submissions.released_at', 'is not', null),
		eb('submissions.teacher_overall_comment', '!=', ''),
		eb.exists(
			eb
				.selectFrom('assessments')
				.select('assessments.id')
				.whereRef('assessments.submission_id', '=', 'submissions.id')
				.where('assessments.role', '=', 'teacher')
				.where((e) =>
					e.or([e('assessments.value', 'is not', null), e('assessments.comment', '!=', '')])
				)
		),
		eb.exists(
			eb
				.selectFrom('agreed_grades')
				.select('agreed_grades.criterion_id')
				.whereRef('agreed_grades.submission_id', '=', 'submissions.id')
		)
	]);
}
