/**
 * The teacher grade a learner is given for a criterion. A moderator's agreed grade wins; without
 * one, a single marker's grade stands, and several markers' grades are averaged (moderation exists
 * to replace that average with an agreed grade where markers differ).
 */
export type TeacherResultSource = 'agreed' | 'marker' | 'markers_mean';

export interface TeacherResult {
	value: number;
	source: TeacherResultSource;
	markerCount: number;
}

export function teacherResult(
	markerValues: readonly (number | null)[],
	agreedValue: number | null
): TeacherResult | null {
	const placed = markerValues.filter((v): v is number => v !== null && Number.isFinite(v));
	if (agreedValue !== null)
		return { value: agreedValue, source: 'agreed', markerCount: placed.length };
	if (placed.length === 0) return null;
	if (placed.length === 1) return { value: placed[0]!, source: 'marker', markerCount: 1 };
	const mean = placed.reduce((sum, v) => sum + v, 0) / placed.length;
	return { value: Math.round(mean * 10) / 10, source: 'markers_mean', markerCount: placed.length };
}

/**
 * Whether a learner may see the teacher's grades yet: they must be released, and when the task asks
 * for self-assessment first, the learner must have submitted theirs, so their own judgement is not
 * anchored by the teacher's.
 */
export function gradesVisibleToLearner(input: {
	releasedAt: string | null;
	selfSubmitted: boolean;
	selfRequiredBeforeRelease: boolean;
}): boolean {
	if (!input.releasedAt) return false;
	return input.selfSubmitted || !input.selfRequiredBeforeRelease;
}
