import { levelOf, type CriterionResult } from './profiles';

/**
 * A badge's award rule: teacher results (agreed grades first) at or above a band on criteria that
 * count towards a Fusion Skill (any share in the crosswalk) or belong to a CAPRI category, in at
 * least `minTasks` different tasks. Bands are read on a five-band ladder (0 Not yet … 3 Secure …
 * 4 Excelling), so "≥ Secure" means the top two-fifths of any task's scale.
 */
export interface AwardRule {
	kind: 'skill' | 'capri';
	/** Fusion Skill framework item id, or a CAPRI category code */
	target: number | string;
	minBand: number;
	minTasks: number;
}

export interface RuleEvidence {
	met: boolean;
	tasks: {
		taskId: number;
		taskTitle: string;
		criteria: { criterionId: number; code: string; level: number }[];
	}[];
}

/**
 * Learners whose badges one page checks against the rules at most, without a class chosen. Each
 * learner's released results are read to check them (~1 ms a learner on this machine): a
 * teacher's classes fit; a big school's admin (thousands) chooses a class instead.
 */
export const BADGE_LEARNERS_CHECKED_AT_ONCE = 240;

const EPSILON = 1e-9;

export function checkAwardRule(results: readonly CriterionResult[], rule: AwardRule): RuleEvidence {
	const threshold = rule.minBand / 5;
	const counts = (r: CriterionResult) =>
		rule.kind === 'skill'
			? (r.skillShares.get(Number(rule.target)) ?? 0) > 0
			: r.capriCategory === rule.target;
	const tasks = new Map<number, RuleEvidence['tasks'][number]>();
	for (const r of results) {
		if (!counts(r)) continue;
		const level = levelOf(r.bands, r.teacherValue);
		if (level + EPSILON < threshold) continue;
		const task = tasks.get(r.taskId) ?? { taskId: r.taskId, taskTitle: r.taskTitle, criteria: [] };
		task.criteria.push({
			criterionId: r.criterionId,
			code: r.criterionCode,
			level: Math.round(level * 1000) / 1000
		});
		tasks.set(r.taskId, task);
	}
	return { met: tasks.size >= rule.minTasks, tasks: [...tasks.values()] };
}

export function describeRule(
	rule: AwardRule,
	targetName: string,
	bandLabels: readonly string[]
): string {
	return `Teacher-agreed band ${bandLabels[rule.minBand] ?? rule.minBand} or above on criteria for ${targetName}, in at least ${rule.minTasks} task${rule.minTasks === 1 ? '' : 's'}.`;
}
