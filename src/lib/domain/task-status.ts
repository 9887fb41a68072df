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
