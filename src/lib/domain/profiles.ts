import { valueInBandUnits, type Band } from './scales';

/**
 * Fusion Skills profiles and self-assessment calibration. Inputs are a learner's released results:
 * one per (task, criterion), carrying the teacher result (agreed grade first), the learner's own
 * judgement, the criterion's weight in its task, and its shares of each Fusion Skill from the
 * crosswalk. Scores are on a 0–1 "level" (position on the task's scale in band units ÷ number of
 * bands) so tasks on different scales combine fairly; a skill with no evidence has no score —
 * never a zero.
 */

type Bands = readonly Pick<Band, 'minValue'>[];

export interface CriterionResult {
	taskId: number;
	taskTitle: string;
	/** when the grades were released (ISO) */
	releasedAt: string;
	criterionId: number;
	criterionCode: string;
	capriCategory: string;
	taskWeight: number;
	bands: readonly Pick<Band, 'minValue' | 'label'>[];
	teacherValue: number;
	selfValue: number | null;
	/** Fusion Skill id → share of this criterion (sums to 1 when mapped) */
	skillShares: ReadonlyMap<number, number>;
}

export interface ProfileEntry {
	/** 0–1; null when there is no evidence */
	level: number | null;
	/** criterion results that count towards it */
	evidenceCount: number;
	tasks: { taskId: number; taskTitle: string }[];
	/** the sum of weights the level rests on: task weight × skill share */
	weight: number;
	/** the learner's own view on the same evidence, drawn beside the teacher's */
	selfLevel: number | null;
}

export function levelOf(bands: Bands, value: number): number {
	return valueInBandUnits(bands, value) / bands.length;
}

const round3 = (n: number) => Math.round(n * 1000) / 1000;

function weightedProfile(
	results: readonly CriterionResult[],
	weightOf: (r: CriterionResult) => number
): ProfileEntry {
	let weight = 0;
	let sum = 0;
	let selfWeight = 0;
	let selfSum = 0;
	const tasks = new Map<number, string>();
	let evidenceCount = 0;
	for (const r of results) {
		const w = weightOf(r);
		if (!(w > 0)) continue;
		evidenceCount++;
		tasks.set(r.taskId, r.taskTitle);
		weight += w;
		sum += w * levelOf(r.bands, r.teacherValue);
		if (r.selfValue !== null) {
			selfWeight += w;
			selfSum += w * levelOf(r.bands, r.selfValue);
		}
	}
	return {
		level: weight > 0 ? round3(sum / weight) : null,
		evidenceCount,
		tasks: [...tasks].map(([taskId, taskTitle]) => ({ taskId, taskTitle })),
		weight: round3(weight),
		selfLevel: selfWeight > 0 ? round3(selfSum / selfWeight) : null
	};
}

/**
 * Each Fusion Skill's level: the weighted mean over results mapped to it (weight = task weight ×
 * share).
 */
export function fusionSkillProfile(
	results: readonly CriterionResult[],
	skillIds: readonly number[]
): Map<number, ProfileEntry> {
	return new Map(
		skillIds.map((id) => [
			id,
			weightedProfile(results, (r) => r.taskWeight * (r.skillShares.get(id) ?? 0))
		])
	);
}

/** The same per CAPRI category (each criterion belongs wholly to its category). */
export function capriProfile(
	results: readonly CriterionResult[],
	categories: readonly string[]
): Map<string, ProfileEntry> {
	return new Map(
		categories.map((code) => [
			code,
			weightedProfile(results, (r) => (r.capriCategory === code ? r.taskWeight : 0))
		])
	);
}

/**
 * UK school terms: Autumn (Sep–Dec), Spring (Jan–Mar), Summer (Apr–Aug), in an academic year from
 * September.
 */
export function schoolTerm(iso: string): { key: string; label: string } {
	const date = new Date(iso);
	const month = date.getUTCMonth(); // 0 = January
	const startYear = month >= 8 ? date.getUTCFullYear() : date.getUTCFullYear() - 1;
	const [order, name] = month >= 8 ? [1, 'Autumn'] : month <= 2 ? [2, 'Spring'] : [3, 'Summer'];
	const year = `${startYear}–${String((startYear + 1) % 100).padStart(2, '0')}`;
	return { key: `${startYear}-${order}`, label: `${name} ${year}` };
}

/**
 * Skill levels term by term, oldest first, and the change from the first term with evidence to the
 * last.
 */
export function profileOverTime(results: readonly CriterionResult[], skillIds: readonly number[]) {
	const byTerm = new Map<string, { label: string; results: CriterionResult[] }>();
	for (const r of results) {
		const term = schoolTerm(r.releasedAt);
		const entry = byTerm.get(term.key) ?? { label: term.label, results: [] };
		entry.results.push(r);
		byTerm.set(term.key, entry);
	}
	const terms = [...byTerm.entries()]
		.sort(([a], [b]) => a.localeCompare(b))
		.map(([key, t]) => ({ key, label: t.label, profile: fusionSkillProfile(t.results, skillIds) }));
	const trend = new Map(
		skillIds.map((id) => {
			const levels = terms
				.map((t) => t.profile.get(id)!.level)
				.filter((l): l is number => l !== null);
			return [id, levels.length >= 2 ? round3(levels.at(-1)! - levels[0]!) : null];
		})
	);
	return { terms, trend };
}

export interface TaskCalibration {
	taskId: number;
	taskTitle: string;
	releasedAt: string;
	/** mean of (self − teacher) in band units: positive means the learner rated themself higher */
	meanSignedGap: number;
	meanAbsoluteGap: number;
	compared: number;
}

/** Self-assessment accuracy per task (criteria with both judgements), oldest first. */
export function selfCalibration(results: readonly CriterionResult[]): TaskCalibration[] {
	const byTask = new Map<number, CriterionResult[]>();
	for (const r of results)
		if (r.selfValue !== null) byTask.set(r.taskId, [...(byTask.get(r.taskId) ?? []), r]);
	return [...byTask.values()]
		.map((list) => {
			const gaps = list.map(
				(r) => valueInBandUnits(r.bands, r.selfValue!) - valueInBandUnits(r.bands, r.teacherValue)
			);
			return {
				taskId: list[0]!.taskId,
				taskTitle: list[0]!.taskTitle,
				releasedAt: list[0]!.releasedAt,
				meanSignedGap: round3(gaps.reduce((s, g) => s + g, 0) / gaps.length),
				meanAbsoluteGap: round3(gaps.reduce((s, g) => s + Math.abs(g), 0) / gaps.length),
				compared: gaps.length
			};
		})
		.sort((a, b) => a.releasedAt.localeCompare(b.releasedAt));
}

/**
 * Whether calibration is improving: the least-squares slope of mean absolute gap over successive
 * tasks (negative = getting closer to the teacher). Needs two tasks.
 */
export function calibrationTrend(series: readonly { meanAbsoluteGap: number }[]): number | null {
	const n = series.length;
	if (n < 2) return null;
	const meanX = (n - 1) / 2;
	const meanY = series.reduce((s, p) => s + p.meanAbsoluteGap, 0) / n;
	let num = 0;
	let den = 0;
	series.forEach((p, x) => {
		num += (x - meanX) * (p.meanAbsoluteGap - meanY);
		den += (x - meanX) ** 2;
	});
	return round3(num / den);
}

/** A level in the words of a five-band school scale, for people who should not see numbers. */
export function levelWords(level: number | null, labels: readonly string[]): string {
	if (level === null) return 'No evidence yet';
	return labels[Math.min(labels.length - 1, Math.floor(level * labels.length))]!;
}
