import { normalise, type CrosswalkWeight } from './crosswalk';
import type { CriterionResult, ProfileEntry } from './profiles';

/**
 * A Fusion Skills profile read in another framework (Skills Builder, the OECD Learning Compass),
 * through that framework's crosswalk: each of its items draws on some Fusion Skills with relative
 * weights. An item's level is the weighted mean of the levels of the Fusion Skills it draws on
 * that have evidence; a Fusion Skill without evidence is left out and the others' weights are
 * divided again over what is left (never averaged in as zero), and the share of the mapping that
 * had evidence is kept as `coverage` so a figure resting on half its mapping says so. An item none
 * of whose skills has evidence has no level. Mixing at the level of skills (not of criteria) keeps
 * the crosswalk's weights meaning what they say: a skill with many results does not outweigh one
 * with few.
 */

export interface MappingShare {
	skillId: number;
	/** the skill's share of the item's mapping (the item's shares sum to 1) */
	share: number;
}

export interface MappedInput extends MappingShare {
	level: number | null;
	selfLevel: number | null;
	/** false when the skill has no evidence, so it is left out of the level */
	counted: boolean;
	/** the share it carries in this learner's figure: its share ÷ the shares counted (0 if left out) */
	usedShare: number;
}

export interface MappedEntry {
	/** 0–1 like a Fusion Skill's level; null when no skill it draws on has evidence */
	level: number | null;
	selfLevel: number | null;
	/** the share of the mapping whose skills have evidence, 0–1 */
	coverage: number;
	/** criterion results behind the counted skills */
	evidenceCount: number;
	tasks: { taskId: number; taskTitle: string }[];
	inputs: MappedInput[];
}

const round3 = (n: number) => Math.round(n * 1000) / 1000;

/** The Fusion Skills an item draws on, with normalised shares, largest first. */
export function itemMapping(crosswalk: readonly CrosswalkWeight[], itemId: number): MappingShare[] {
	return [
		...normalise(
			crosswalk.filter((r) => r.sourceItemId === itemId).map((r) => [r.targetItemId, r.weight])
		)
	]
		.map(([skillId, share]) => ({ skillId, share: round3(share) }))
		.sort((a, b) => b.share - a.share || a.skillId - b.skillId);
}

type SkillLevels = ReadonlyMap<number, Pick<ProfileEntry, 'level' | 'selfLevel'>>;

/**
 * The mean of the mapped skills' values weighted by their shares, over the skills that have a
 * value (the shares of those left out divided again over the rest); null when none has. A plain
 * loop: the report's totals work it out for every learner × term × item of a class at a release.
 */
function weightedMean(
	mapping: readonly MappingShare[],
	valueOf: (skillId: number) => number | null | undefined
): number | null {
	let total = 0;
	let sum = 0;
	for (const m of mapping) {
		const value = valueOf(m.skillId);
		if (value === null || value === undefined) continue;
		total += m.share;
		sum += m.share * value;
	}
	return total > 0 ? round3(sum / total) : null;
}

/** One item's level alone (what `mappedLevel` gives as `level`), from the Fusion Skills levels. */
export function mappedItemLevel(
	fusion: ReadonlyMap<number, Pick<ProfileEntry, 'level'>>,
	mapping: readonly MappingShare[]
): number | null {
	return weightedMean(mapping, (id) => fusion.get(id)?.level);
}

/** One item's level from the Fusion Skills levels and its mapping. */
export function mappedLevel(fusion: SkillLevels, mapping: readonly MappingShare[]) {
	const inputs = mapping.map((m) => {
		const entry = fusion.get(m.skillId);
		return { ...m, level: entry?.level ?? null, selfLevel: entry?.selfLevel ?? null };
	});
	const countedTotal = inputs.filter((i) => i.level !== null).reduce((s, i) => s + i.share, 0);
	return {
		level: mappedItemLevel(fusion, mapping),
		selfLevel: weightedMean(mapping, (id) => fusion.get(id)?.selfLevel),
		coverage: round3(countedTotal),
		inputs: inputs.map((i): MappedInput => ({
			...i,
			counted: i.level !== null,
			usedShare: i.level !== null && countedTotal > 0 ? round3(i.share / countedTotal) : 0
		}))
	};
}

/**
 * Every item's entry for one learner: `fusion` is their Fusion Skills profile, `results` the
 * released results it came from (to say how many results and tasks are behind each figure).
 */
export function mappedProfile(
	results: readonly CriterionResult[],
	fusion: SkillLevels,
	crosswalk: readonly CrosswalkWeight[],
	itemIds: readonly number[]
): Map<number, MappedEntry> {
	return new Map(
		itemIds.map((itemId) => {
			const entry = mappedLevel(fusion, itemMapping(crosswalk, itemId));
			const counted = entry.inputs.filter((i) => i.counted).map((i) => i.skillId);
			const behind = results.filter((r) => counted.some((id) => (r.skillShares.get(id) ?? 0) > 0));
			const tasks = new Map(behind.map((r) => [r.taskId, r.taskTitle]));
			return [
				itemId,
				{
					...entry,
					evidenceCount: behind.length,
					tasks: [...tasks].map(([taskId, taskTitle]) => ({ taskId, taskTitle }))
				}
			];
		})
	);
}

/**
 * The working as one line of text, for a CSV cell: "(0.6 × 0.5 + 0.4 × 0.3) ÷ 0.8 = 0.525;
 * FS-09 left out (no evidence)".
 */
export function workingText(
	entry: Pick<MappedEntry, 'level' | 'inputs'>,
	codeOf: (skillId: number) => string
): string {
	const counted = entry.inputs.filter((i) => i.counted);
	const left = entry.inputs.filter((i) => !i.counted).map((i) => codeOf(i.skillId));
	const leftOut = left.length ? `${left.join(', ')} left out (no evidence)` : '';
	if (entry.level === null || counted.length === 0)
		return ['no evidence', leftOut].filter(Boolean).join('; ');
	const total = round3(counted.reduce((s, i) => s + i.share, 0));
	const sum = counted.map((i) => `${codeOf(i.skillId)} ${i.level} × ${i.share}`).join(' + ');
	return [`(${sum}) ÷ ${total} = ${entry.level}`, leftOut].filter(Boolean).join('; ');
}
