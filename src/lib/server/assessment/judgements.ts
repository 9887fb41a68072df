import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../db/connection';
import type { AssessorRole, Database } from '../db/schema';
import { compiledOnce } from '../db/compiled-once';
import { nowIso } from '../clock';
import { Refusal } from '../errors';

/** What a stale save is told: the message, and the server's current version to choose from. */
export const CONFLICT_MESSAGE = 'This was changed in another tab or device.';

interface JudgementKey {
	submissionId: number;
	criterionId: number;
	assessorId: number;
	role: AssessorRole;
}

/**
 * Save one person's judgement of one criterion of one piece of work: the slider, the comment, or
 * both (a field left out is kept). Every save bumps the revision. Self, peer and teacher saves all
 * come through here.
 *
 * With `baseRevision` the save lands only if the stored revision still equals it (0: no judgement
 * yet), checked in the one statement that writes; otherwise nothing changes and the answer is null
 * (`refuseStaleJudgement` then says what is stored). Without it the save is unconditional (the
 * server's own generators).
 */
export async function upsertJudgement(
	trx: Transaction<Database>,
	judgement: JudgementKey & {
		value?: number | null;
		comment?: string;
		submitted?: boolean;
		baseRevision?: number;
	}
): Promise<number | null> {
	const now = nowIso();
	const submittedAt = judgement.submitted ? { submitted_at: now } : {};
	const changed = {
		...(judgement.value !== undefined ? { value: judgement.value } : {}),
		...(judgement.comment !== undefined ? { comment: judgement.comment } : {})
	};
	if (judgement.baseRevision !== undefined && judgement.baseRevision > 0) {
		const saved = await trx
			.updateTable('assessments')
			.set((eb) => ({
				...changed,
				revision: eb('revision', '+', 1),
				updated_at: now,
				...submittedAt
			}))
			.where('submission_id', '=', judgement.submissionId)
			.where('criterion_id', '=', judgement.criterionId)
			.where('assessor_id', '=', judgement.assessorId)
			.where('role', '=', judgement.role)
			.where('revision', '=', judgement.baseRevision)
			.returning('revision')
			.executeTakeFirst();
		return saved?.revision ?? null;
	}
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
		.onConflict((oc) => {
			const key = oc.columns(['submission_id', 'criterion_id', 'assessor_id', 'role']);
			// Based on "nothing saved yet", yet something is: stale, so leave it.
			if (judgement.baseRevision === 0) return key.doNothing();
			return key.doUpdateSet((eb) => ({
				...changed,
				revision: eb('assessments.revision', '+', 1),
				updated_at: now,
				...submittedAt
			}));
		})
		.returning('revision')
		.executeTakeFirst();
	return saved?.revision ?? null;
}

/**
 * Refuse a stale save (409) with what is stored now, so the person can choose between their version
 * and the other: `current` has the same field names as the change.
 */
export async function refuseStaleJudgement(
	trx: Transaction<Database> | DB,
	key: JudgementKey
): Promise<never> {
	const stored = await trx
		.selectFrom('assessments')
		.select(['value', 'comment', 'revision'])
		.where('submission_id', '=', key.submissionId)
		.where('criterion_id', '=', key.criterionId)
		.where('assessor_id', '=', key.assessorId)
		.where('role', '=', key.role)
		.executeTakeFirst();
	throw new Refusal(CONFLICT_MESSAGE, 409, {
		current: {
			value: stored?.value ?? null,
			comment: stored?.comment ?? '',
			revision: stored?.revision ?? 0
		}
	});
}

/**
 * The learner's own slider or comment on a criterion they have already touched, in one statement
 * that saves only if every rule holds: the task is published, the learner is in its class, the
 * criterion is part of it and the self-assessment is open (in progress). Returns null when any rule
 * fails, there is no judgement yet or the change's base revision is no longer the stored one; the
 * caller then takes the slower path that explains why (409 with the current version when stale),
 * or creates the submission and the judgement. Every slider move in a class comes here, so it is one
 * round trip. (An UPDATE with the rules in a subquery: SQLite ran the equivalent
 * INSERT … SELECT … ON CONFLICT upsert several times slower on a large table.)
 */
async function updateOwnJudgementIfOpen(
	db: DB,
	learnerId: number,
	taskId: number,
	judgement: { criterionId: number; value?: number | null; comment?: string; baseRevision?: number }
): Promise<number | null> {
	const shape =
		judgement.value === undefined ? 'comment' : judgement.comment === undefined ? 'value' : 'both';
	const [saved] = await updateOwnJudgement[shape](db, {
		value: judgement.value ?? null,
		comment: judgement.comment ?? '',
		now: nowIso(),
		baseRevision: judgement.baseRevision ?? null,
		criterionId: judgement.criterionId,
		taskId,
		learnerId
	});
	return saved?.revision ?? null;
}

type JudgementSlot =
	'value' | 'comment' | 'now' | 'baseRevision' | 'criterionId' | 'taskId' | 'learnerId';

/**
 * The learner's submission of the task, if its self-assessment is open to this criterion: the task
 * is published, the learner is in its class, the criterion is part of it, the self-assessment is in
 * progress, and the grades are not released (released work's own view counts in the learner's
 * totals: such a save takes the slower path, which keeps them right).
 */
const openOwnSubmission = (db: Kysely<Database>, slot: <T>(name: JudgementSlot) => T) =>
	db
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
		.where('submissions.task_id', '=', slot<number>('taskId'))
		.where('submissions.learner_id', '=', slot<number>('learnerId'))
		.where('submissions.self_state', '=', 'in_progress')
		.where('submissions.released_at', 'is', null)
		.where('tasks.state', '=', 'published');

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
			.where('submission_id', '=', openOwnSubmission(db, slot).select('submissions.id'))
			.where('criterion_id', '=', slot<number>('criterionId'))
			.where('assessor_id', '=', slot<number>('learnerId'))
			.where('role', '=', 'self')
			// Saves only if nothing was saved since the change's base (none given: unconditional).
			.where((eb) =>
				eb.or([
					// cast: PostgreSQL must know a bare parameter's type
					eb(eb.cast(eb.val(slot<number | null>('baseRevision')), 'integer'), 'is', null),
					eb('revision', '=', slot<number>('baseRevision'))
				])
			)
			.returning('revision')
	);

const updateOwnJudgement = {
	value: updateOwnJudgementOf('value'),
	comment: updateOwnJudgementOf('comment'),
	both: updateOwnJudgementOf('both')
};

/**
 * A learner's first judgement of a criterion, in one statement under the same rules (a class
 * opening a task touches each criterion for the first time at once): inserted only if the
 * submission is open and there is no judgement yet. Null otherwise, and the slower path explains
 * or creates the submission. Casts: PostgreSQL must know the type of a parameter in a select list.
 */
const insertOwnJudgement = compiledOnce<JudgementSlot, { revision: number }>((db, slot) =>
	db
		.insertInto('assessments')
		.columns([
			'submission_id',
			'criterion_id',
			'assessor_id',
			'role',
			'value',
			'comment',
			'revision',
			'updated_at'
		])
		.expression(
			openOwnSubmission(db, slot).select((eb) => [
				'submissions.id',
				eb.cast<number>(eb.val(slot<number>('criterionId')), 'integer').as('criterion_id'),
				eb.cast<number>(eb.val(slot<number>('learnerId')), 'integer').as('assessor_id'),
				eb.cast<'self'>(eb.val('self'), 'text').as('role'),
				eb.cast<number | null>(eb.val(slot<number | null>('value')), 'real').as('value'),
				eb.cast<string>(eb.val(slot<string>('comment')), 'text').as('comment'),
				eb.lit(1).as('revision'),
				eb.cast<string>(eb.val(slot<string>('now')), 'text').as('updated_at')
			])
		)
		.onConflict((oc) =>
			oc.columns(['submission_id', 'criterion_id', 'assessor_id', 'role']).doNothing()
		)
		.returning('revision')
);

/**
 * A learner's first save of a task, when they have no submission yet: it is started (in progress)
 * if the task is published, the learner is in its class and the criterion is part of it; nothing
 * otherwise, or if a submission exists (whose state the slower path checks).
 */
const startOwnSubmission = compiledOnce<JudgementSlot, { id: number }>((db, slot) =>
	db
		.insertInto('submissions')
		.columns(['task_id', 'learner_id', 'self_state', 'updated_at'])
		.expression(
			db
				.selectFrom('tasks')
				.innerJoin('enrolments', (join) =>
					join
						.onRef('enrolments.class_id', '=', 'tasks.class_id')
						.on('enrolments.learner_id', '=', slot<number>('learnerId'))
				)
				.innerJoin('task_criteria', (join) =>
					join
						.onRef('task_criteria.task_id', '=', 'tasks.id')
						.on('task_criteria.criterion_id', '=', slot<number>('criterionId'))
				)
				.select((eb) => [
					'tasks.id',
					'enrolments.learner_id',
					eb.cast<'in_progress'>(eb.val('in_progress'), 'text').as('self_state'),
					eb.cast<string>(eb.val(slot<string>('now')), 'text').as('updated_at')
				])
				.where('tasks.id', '=', slot<number>('taskId'))
				.where('tasks.state', '=', 'published')
		)
		.onConflict((oc) => oc.columns(['task_id', 'learner_id']).doNothing())
		.returning('id')
);

/**
 * The learner's own save of a criterion in as few statements as the rules allow, each one compiled
 * once: the update of a judgement already there (every slider move but the first); else, for a
 * criterion not touched yet (`baseRevision` 0 or none), the insert of the first judgement, starting
 * the submission first if there is none. A base of 0 goes straight to the insert: every judgement is
 * written with revision 1 or more, so the update could not match, and the student's screen sends 0
 * for each criterion's first save (one round trip, not two, when a class opens a task). Null when a
 * rule fails or the save is stale: the caller's slower path then explains why, or handles what
 * these do not (a submission that is not in progress, released work).
 */
export async function saveOwnJudgementIfOpen(
	db: DB,
	learnerId: number,
	taskId: number,
	judgement: { criterionId: number; value?: number | null; comment?: string; baseRevision?: number }
): Promise<number | null> {
	if (judgement.baseRevision !== 0) {
		const updated = await updateOwnJudgementIfOpen(db, learnerId, taskId, judgement);
		if (updated !== null || judgement.baseRevision !== undefined) return updated;
	}
	const values = {
		value: judgement.value ?? null,
		comment: judgement.comment ?? '',
		now: nowIso(),
		baseRevision: null,
		criterionId: judgement.criterionId,
		taskId,
		learnerId
	};
	const [inserted] = await insertOwnJudgement(db, values);
	if (inserted) return inserted.revision;
	const [started] = await startOwnSubmission(db, values);
	if (!started) return null;
	const [first] = await insertOwnJudgement(db, values);
	return first?.revision ?? null;
}
