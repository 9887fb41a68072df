import type { Transaction } from 'kysely';
import type { DB } from '../db/connection';
import type { AssessorRole, Database } from '../db/schema';
import type { Band } from '../../domain/scales';
import { descriptorsFor, taskCriteria } from '../tasks/tasks';
import { compiledOnce } from '../db/compiled-once';

export async function scaleBands(db: DB, scaleId: number): Promise<Band[]> {
	return db
		.selectFrom('grade_bands')
		.select(['position', 'label', 'min_value as minValue', 'descriptor'])
		.where('scale_id', '=', scaleId)
		.orderBy('position')
		.execute();
}

/** The task's criteria as assessment cards: wording, CAPRI colour and one descriptor per band (three queries). */
export async function assessmentCards(db: DB, taskId: number, scaleId: number) {
	const [criteria, bands] = await Promise.all([taskCriteria(db, taskId), scaleBands(db, scaleId)]);
	const descriptors = await descriptorsFor(
		db,
		criteria.map((c) => c.criterionId)
	);
	return {
		bands: bands.map((b) => ({ label: b.label, minValue: b.minValue })),
		criteria: criteria.map((c) => ({
			criterionId: c.criterionId,
			lineageId: c.lineageId,
			code: c.code,
			title: c.title,
			description: c.description,
			weight: c.weight,
			colour: c.colour ?? '#4f5661',
			categoryTitle: `${c.categoryCode} ${c.categoryTitle}`,
			descriptors: bands.map((_, i) => descriptors.get(c.criterionId)?.[i] ?? '')
		}))
	};
}

export type AssessmentCard = Awaited<ReturnType<typeof assessmentCards>>['criteria'][number];

export interface EvidenceItem {
	id: number;
	kind: 'text' | 'link' | 'file';
	title: string;
	body: string;
	url: string | null;
	fileName: string | null;
	fileSize: number | null;
	createdAt: string;
}

export async function evidenceOf(db: DB, submissionId: number | null): Promise<EvidenceItem[]> {
	if (submissionId === null) return [];
	return db
		.selectFrom('evidence')
		.select(['id', 'kind', 'title', 'body', 'url', 'file_name as fileName', 'file_size as fileSize', 'created_at as createdAt'])
		.where('submission_id', '=', submissionId)
		.orderBy('id')
		.execute();
}

export const nowIso = () => new Date().toISOString();

/**
 * Save one person's judgement of one criterion of one piece of work: the slider, the comment, or
 * both (a field left out is kept). Every save bumps the revision. Self, peer and teacher saves all
 * come through here.
 */
export async function upsertJudgement(
	trx: Transaction<Database>,
	judgement: { submissionId: number; criterionId: number; assessorId: number; role: AssessorRole; value?: number | null; comment?: string; submitted?: boolean }
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
	const shape = judgement.value === undefined ? 'comment' : judgement.comment === undefined ? 'value' : 'both';
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
						join.onRef('enrolments.class_id', '=', 'tasks.class_id').onRef('enrolments.learner_id', '=', 'submissions.learner_id')
					)
					.innerJoin('task_criteria', (join) =>
						join.onRef('task_criteria.task_id', '=', 'tasks.id').on('task_criteria.criterion_id', '=', slot<number>('criterionId'))
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
const updateOwnJudgement = { value: updateOwnJudgementOf('value'), comment: updateOwnJudgementOf('comment'), both: updateOwnJudgementOf('both') };
