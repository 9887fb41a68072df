// A class's learners as signed-in users, and a task fully marked for one of them: self-assessed
// (and, unless told otherwise, submitted), then every criterion graded by the teacher. Shared by
// the aggregate and group-total tests.
import type { DB } from '../../src/lib/server/db/connection';
import type { SessionUser } from '../../src/lib/server/auth/sessions';
import {
	saveSelfAssessment,
	submitSelfAssessment
} from '../../src/lib/server/assessment/self-assessment';
import { saveTeacherGrade } from '../../src/lib/server/assessment/marking';
import { sessionUser } from './helpers';

export async function classLearners(db: DB, classId: number): Promise<SessionUser[]> {
	const rows = await db
		.selectFrom('enrolments')
		.innerJoin('users', 'users.id', 'enrolments.learner_id')
		.select('users.username')
		.where('enrolments.class_id', '=', classId)
		.orderBy('users.id')
		.execute();
	return Promise.all(rows.map((r) => sessionUser(db, r.username)));
}

/** The learner's own judgement is each teacher value + 5. */
export async function fullyMarked(
	db: DB,
	teacher: SessionUser,
	taskId: number,
	criteria: { criterionId: number }[],
	learner: SessionUser,
	values: number[],
	submitSelf = true
): Promise<void> {
	for (const [i, c] of criteria.entries())
		await saveSelfAssessment(db, learner, taskId, {
			kind: 'criterion',
			criterionId: c.criterionId,
			value: values[i]! + 5
		});
	if (submitSelf) await submitSelfAssessment(db, learner, taskId);
	for (const [i, c] of criteria.entries())
		await saveTeacherGrade(db, teacher, taskId, learner.id, {
			kind: 'criterion',
			criterionId: c.criterionId,
			value: values[i]!
		});
}
