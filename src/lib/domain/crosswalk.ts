/**
 * The crosswalk from CAPRI sub-categories to the 12 Fusion Skills, and what it implies for a
 * criterion and a task. Weights as stored are relative ("2 parts oral, 1 part written"); every
 * figure derived here is normalised so one criterion always contributes exactly 1 in total.
 */

export interface CrosswalkWeight {
	sourceItemId: number; // CAPRI sub-category
	targetItemId: number; // Fusion Skill
	weight: number;
}

export interface CriterionMappingInput {
	capriItemId: number;
	/** the criterion's own weights; when present they replace its sub-category's crosswalk */
	overrides: { fusionItemId: number; weight: number }[];
}

export type SkillWeights = Map<number, number>;

/**
 * The crosswalk in force for a school: for each sub-category, the school's own rows when it has
 * edited that sub-category, otherwise the shipped default rows.
 */
export function effectiveCrosswalk(
	defaults: CrosswalkWeight[],
	schoolRows: CrosswalkWeight[]
): CrosswalkWeight[] {
	const edited = new Set(schoolRows.map((r) => r.sourceItemId));
	return [...defaults.filter((r) => !edited.has(r.sourceItemId)), ...schoolRows];
}

/**
 * Divides each weight by the total so they sum to 1; zero, negative or non-finite weights are
 * dropped.
 */
export function normalise(weights: Iterable<[number, number]>): SkillWeights {
	const usable = [...weights].filter(([, w]) => Number.isFinite(w) && w > 0);
	const total = usable.reduce((sum, [, w]) => sum + w, 0);
	const result: SkillWeights = new Map();
	if (total === 0) return result;
	for (const [skill, w] of usable) result.set(skill, (result.get(skill) ?? 0) + w / total);
	return result;
}

/**
 * A criterion's share of each Fusion Skill (summing to 1), or an empty map when it maps to none.
 */
export function criterionSkillWeights(
	criterion: CriterionMappingInput,
	crosswalk: CrosswalkWeight[]
): SkillWeights {
	if (criterion.overrides.length > 0)
		return normalise(criterion.overrides.map((o) => [o.fusionItemId, o.weight]));
	return normalise(
		crosswalk
			.filter((row) => row.sourceItemId === criterion.capriItemId)
			.map((row) => [row.targetItemId, row.weight])
	);
}

/**
 * How much each Fusion Skill is assessed by a whole task: each criterion's task weight spread over
 * its skills, then normalised over the task. Criteria that map to no skill are reported, not
 * hidden.
 */
export function taskSkillWeights(
	criteria: { criterionId: number; taskWeight: number; mapping: CriterionMappingInput }[],
	crosswalk: CrosswalkWeight[]
): { weights: SkillWeights; unmappedCriterionIds: number[] } {
	const totals = new Map<number, number>();
	const unmappedCriterionIds: number[] = [];
	for (const c of criteria) {
		const skills = criterionSkillWeights(c.mapping, crosswalk);
		if (skills.size === 0) unmappedCriterionIds.push(c.criterionId);
		for (const [skill, share] of skills)
			totals.set(skill, (totals.get(skill) ?? 0) + share * c.taskWeight);
	}
	return { weights: normalise(totals), unmappedCriterionIds };
}

/** The skills a set of crosswalk rows reaches, for checking coverage of all 12. */
export function skillsCovered(crosswalk: CrosswalkWeight[]): Set<number> {
	return new Set(crosswalk.filter((r) => r.weight > 0).map((r) => r.targetItemId));
}
