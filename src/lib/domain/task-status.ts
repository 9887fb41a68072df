import type { SelfState } from './states';

/**
 * Where a learner stands on a task, in the words shown to them. "Assessed" means the teacher has
 * graded every criterion but not yet released the grades; learners see that it is coming, not what
 * it is.
 */
export type LearnerTaskStatus =
	'not_started' | 'in_progress' | 'self_assessed' | 'assessed' | 'released';

export const STATUS_LABEL: Record<LearnerTaskStatus, string> = {
	not_started: 'Not started',
	in_progress: 'In progress',
	self_assessed: 'Self-assessed',
	assessed: 'Assessed',
	released: 'Released'
};

/** A shape per status, filling as the work moves on, so the list does not rely on colour. */
export const STATUS_ICON: Record<LearnerTaskStatus, string> = {
	not_started: '○',
	in_progress: '◔',
	self_assessed: '◑',
	assessed: '◕',
	released: '●'
};

export function learnerTaskStatus(input: {
	selfState: SelfState | null;
	releasedAt: string | null;
	criteriaCount: number;
	teacherGradedCount: number;
}): LearnerTaskStatus {
	if (input.releasedAt) return 'released';
	if (input.criteriaCount > 0 && input.teacherGradedCount >= input.criteriaCount) return 'assessed';
	if (input.selfState === 'submitted') return 'self_assessed';
	if (input.selfState === 'in_progress') return 'in_progress';
	return 'not_started';
}

/**
 * Where an open task (not yet released) stands, in the three words the student home uses: the
 * learner has handed in once their self-assessment is submitted, whether or not it is marked yet.
 */
export type OpenTaskState = 'not_started' | 'in_progress' | 'submitted';

export const OPEN_TASK_STATE_LABEL: Record<OpenTaskState, string> = {
	not_started: 'Not started',
	in_progress: 'In progress',
	submitted: 'Submitted'
};

export function openTaskState(status: LearnerTaskStatus): OpenTaskState {
	if (status === 'not_started' || status === 'in_progress') return status;
	return 'submitted';
}

/** Work still to hand in is overdue once its due time has passed; handed-in work never is. */
export function isOverdue(dueAt: string | null, state: OpenTaskState, now: Date): boolean {
	return dueAt !== null && state !== 'submitted' && Date.parse(dueAt) < now.getTime();
}

/** Results count as new on the student home for this many days after their release. */
export const NEW_RESULTS_DAYS = 14;

export function isNewlyReleased(releasedAt: string | null, now: Date): boolean {
	if (releasedAt === null) return false;
	const age = now.getTime() - Date.parse(releasedAt);
	return age >= 0 && age <= NEW_RESULTS_DAYS * 24 * 60 * 60 * 1000;
}

/**
 * The student home's order for open tasks: work still to do first, soonest due first (no due date
 * last), then handed-in work in the same order.
 */
export function byWhatToDoNext<T extends { dueAt: string | null; state: OpenTaskState }>(
	a: T,
	b: T
): number {
	const handedIn = Number(a.state === 'submitted') - Number(b.state === 'submitted');
	if (handedIn !== 0) return handedIn;
	if (a.dueAt === b.dueAt) return 0;
	if (a.dueAt === null) return 1;
	if (b.dueAt === null) return -1;
	return Date.parse(a.dueAt) - Date.parse(b.dueAt);
}

/**
 * Lateness as the teacher's lists mark it, by the learner's own due date (an extension's, else the
 * class's): handed in after it is `late`, not handed in once it has passed is `overdue`.
 */
export type Lateness = 'late' | 'overdue' | null;

export function lateness(dueAt: string | null, submittedAt: string | null, now: Date): Lateness {
	if (!dueAt) return null;
	const due = Date.parse(dueAt);
	if (submittedAt !== null) return Date.parse(submittedAt) > due ? 'late' : null;
	return due < now.getTime() ? 'overdue' : null;
}

export const LATENESS_LABEL: Record<Exclude<Lateness, null>, string> = {
	late: 'Handed in late',
	overdue: 'Overdue'
};
