import type { Transaction } from 'kysely';
import type { DB } from '../db/connection';
import type { AssessorRole, Database } from '../db/schema';
import { compiledOnce } from '../db/compiled-once';
import { nowIso } from '../clock';

/**
 * Save one person's judgement of one criterion of one piece of work: the slider, the comment, or
 * both (a field left out is kept). Every save bumps the revision. Self, peer and teacher saves all
 * come through here.
 */
export async function upsertJudgement(
	trx: Transaction<Database>,
	judgement: {
		submissionId: number;
		criterionId: number;
		assessorId: number;
		role: AssessorRole;
		value?: number | null;
		comment?: string;
		submitted?: boolean;
	}
): Promise<number> {
	const now = nowIso();
	const submittedAt = judgement.submitted ? { submitted_at: now } : {};
	const saved = await trx
		.insertInto('assessments')
		.values({
			submission_id: judgement.submissionId,
			criterion_id: judgement.criterionId,
			assessor_id: judgement.assessorId,
			role: judgement.role,
			value: judgement.value ?? null,
			comment: judgement.comment ?? '',
			revision: 1,
			updated_at: now,
			...submittedAt
		})
		.onConflict((oc) =>
			oc.columns(['submission_id', 'criterion_id', 'assessor_id', 'role']).doUpdateSet((eb) => ({
				...(judgement.value !== undefined ? { value: judgement.value } : {}),
				...(judgement.comment !== undefined ? { comment: judgement.comment } : {}),
				revision: eb('assessments.revision', '+', 1),
				updated_at: now,
				...submittedAt
			}))
		)
		.returning('revision')
		.executeTakeFirstOrThrow();
	return saved.revision;
}

/**
 * The learner's own slider or comment on a criterion they have already touched, in one statement
 * that saves only if every rule holds: the task is published, the learner is in its class, the
 * criterion is part of it and the self-assessment is open (in progress). Returns null when any rule
 * fails or there is no judgement yet; the caller then takes the slower path that explains why, or
 * creates the submission and the judgement. Every slider move in a class comes here, so it is one
 * round trip. (An UPDATE with the rules in a subquery: SQLite ran the equivalent
 * INSERT … SELECT … ON CONFLICT upsert several times slower on a large table.)
 */
export async function updateOwnJudgementIfOpen(
	db: DB,
	learnerId: number,
	taskId: number,
	judgement: { criterionId: number; value?: number | null; comment?: string }
): Promise<number | null> {
	const shape =
		judgement.value === undefined ? 'comment' : judgement.comment === undefined ? 'value' : 'both';
	const [saved] = await updateOwnJudgement[shape](db, {
		value: judgement.value ?? null,
		comment: judgement.comment ?? '',
		now: nowIso(),
		criterionId: judgement.criterionId,
		taskId,
		learnerId
	});
	return saved?.revision ?? null;
}

type JudgementSlot = 'value' | 'comment' | 'now' | 'criterionId' | 'taskId' | 'learnerId';
const updateOwnJudgementOf = (fields: 'value' | 'comment' | 'both') =>
	compiledOnce<JudgementSlot, { revision: number }>((db, slot) =>
		db
			.updateTable('assessments')
			.set((eb) => ({
				...(fields !== 'comment' ? { value: slot<number | null>('value') } : {}),
				...(fields !== 'value' ? { comment: slot<string>('comment') } : {}),
				revision: eb('revision', '+', 1),
				updated_at: slot<string>('now')
			}))
			.where('submission_id', '=', (eb) =>
				eb
					.selectFrom('submissions')
					.innerJoin('tasks', 'tasks.id', 'submissions.task_id')
					.innerJoin('enrolments', (join) =>
						join
							.onRef('enrolments.class_id', '=', 'tasks.class_id')
							.onRef('enrolments.learner_id', '=', 'submissions.learner_id')
					)
					.innerJoin('task_criteria', (join) =>
						join
							.onRef('task_criteria.task_id', '=', 'tasks.id')
							.on('task_criteria.criterion_id', '=', slot<number>('criterionId'))
					)
					.select('submissions.id')
					.where('submissions.task_id', '=', slot<number>('taskId'))
					.where('submissions.learner_id', '=', slot<number>('learnerId'))
					.where('submissions.self_state', '=', 'in_progress')
					.where('tasks.state', '=', 'published')
			)
			.where('criterion_id', '=', slot<number>('criterionId'))
			.where('assessor_id', '=', slot<number>('learnerId'))
			.where('role', '=', 'self')
			.returning('revision')
	);
const updateOwnJudgement = {
	value: updateOwnJudgementOf('value'),
	comment: updateOwnJudgementOf('comment'),
	both: updateOwnJudgementOf('both')
};
