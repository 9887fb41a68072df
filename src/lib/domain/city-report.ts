/**
 * The city's cross-school Fusion Skills report (issue 16): learners with evidence and their mean
 * level, by school × year group × skill, with totals per school, per year group and for the city,
 * and small numbers suppressed. Pure: the figures come in already grouped (server/city/report.ts,
 * one GROUP BY over learner_skill_aggregates); no learner is ever named or counted alone here.
 *
 * Suppression, in two steps, per skill:
 *
 * 1. **Fewer than 5.** A cell or total of fewer than `SMALL_NUMBER` learners shows "fewer than 5",
 *    never its count or mean (primary suppression).
 * 2. **Totals that would give a small cell away are withheld.** A total is the sum of its line
 *    (a school's year groups; a year group's schools; the city's schools, and its year groups), so
 *    a shown total minus the shown cells of its line is the hidden cell when only one is hidden.
 *    Chains count too (a school total worked out from the city's total, then the cell from it).
 *    The rule checks the whole table as a system of linear equations over the hidden figures
 *    (`determinedUnknowns`: a hidden figure can be worked out exactly when its unit vector lies in
 *    the row space of the equations), and withholds totals — never cells of 5 or more — until no
 *    small figure can be worked out. Cells of 5 or more are always shown, so the detailed table
 *    stays as useful as it can; a withheld total says why. The same equations hold for the sums
 *    of levels behind the means, so a mean is as protected as its count.
 *
 * A figure with no learner at all is shown as "none": a school without a year group gives nobody
 * away. Bounds count too: a hidden count is a whole number from 1 to 4, so when the shown figures
 * fix the sum of a line's hidden cells and that sum is under 5 (two summing to 2 are 1 each) or is
 * 4 for each, the cells are given away, and another total is withheld (found by the review).
 */

export const SMALL_NUMBER = 5;

export interface CityReportInput {
	schools: { id: number; name: string }[];
	/** year groups as the schools name them; '' for learners without one */
	yearGroups: string[];
	skills: { id: number; code: string; title: string }[];
	/** one row per school × year group × skill with at least one learner with evidence */
	cells: {
		schoolId: number;
		yearGroup: string;
		skillId: number;
		learners: number;
		levelSum: number;
	}[];
}

export type Figure =
	| { kind: 'shown'; learners: number; mean: number }
	/** no learner with evidence (a zero gives nobody away, and is shown) */
	| { kind: 'none' }
	/** 1 to SMALL_NUMBER − 1 learners */
	| { kind: 'small' }
	/** a total of 5 or more withheld because it, with the shown figures, would reveal a small one */
	| { kind: 'withheld' };

export interface CityReport {
	schools: { id: number; name: string }[];
	yearGroups: string[];
	skills: { id: number; code: string; title: string }[];
	/** by `figureKey(school, year, skill)`; a `null` school or year is the total over it */
	figures: Record<string, Figure>;
	/** how many figures were hidden as small and how many totals withheld, over the report */
	counts: { shown: number; none: number; small: number; withheld: number };
}

/** A figure's key in `CityReport.figures`: `null` for "all schools" or "all year groups". */
export const figureKey = (schoolId: number | null, yearGroup: string | null, skillId: number) =>
	`${schoolId ?? '*'}|${yearGroup ?? '*'}|${skillId}`;

interface Variable {
	key: string;
	learners: number;
	levelSum: number;
	isTotal: boolean;
	state: 'shown' | 'none' | 'small' | 'withheld';
}

export function buildCityReport(input: CityReportInput): CityReport {
	const figures: Record<string, Figure> = {};
	const counts = { shown: 0, none: 0, small: 0, withheld: 0 };
	for (const skill of input.skills) {
		const protectedSkill = protectSkill(input, skill.id);
		for (const v of protectedSkill) {
			counts[v.state]++;
			figures[v.key] =
				v.state === 'shown'
					? { kind: 'shown', learners: v.learners, mean: v.levelSum / v.learners }
					: { kind: v.state };
		}
	}
	return {
		schools: input.schools,
		yearGroups: input.yearGroups,
		skills: input.skills,
		figures,
		counts
	};
}

/** The figures of one skill (cells and totals) with their suppression decided. */
function protectSkill(input: CityReportInput, skillId: number): Variable[] {
	const variables: Variable[] = [];
	const index = new Map<string, number>();
	const add = (key: string, learners: number, levelSum: number, isTotal: boolean) => {
		index.set(key, variables.length);
		variables.push({
			key,
			learners,
			levelSum,
			isTotal,
			state: learners === 0 ? 'none' : learners < SMALL_NUMBER ? 'small' : 'shown'
		});
	};
	const cellOf = new Map(
		input.cells
			.filter((c) => c.skillId === skillId)
			.map((c) => [figureKey(c.schoolId, c.yearGroup, skillId), c])
	);
	for (const s of input.schools)
		for (const y of input.yearGroups) {
			const cell = cellOf.get(figureKey(s.id, y, skillId));
			add(figureKey(s.id, y, skillId), cell?.learners ?? 0, cell?.levelSum ?? 0, false);
		}
	const sumOf = (keys: string[]) =>
		keys.reduce(
			(acc, k) => {
				const v = variables[index.get(k)!]!;
				return { learners: acc.learners + v.learners, levelSum: acc.levelSum + v.levelSum };
			},
			{ learners: 0, levelSum: 0 }
		);
	// Lines: a total and the figures it sums.
	const lines: { total: number; members: number[] }[] = [];
	const line = (totalKey: string, memberKeys: string[]) => {
		const sum = sumOf(memberKeys);
		add(totalKey, sum.learners, sum.levelSum, true);
		lines.push({ total: index.get(totalKey)!, members: memberKeys.map((k) => index.get(k)!) });
	};
	for (const s of input.schools)
		line(
			figureKey(s.id, null, skillId),
			input.yearGroups.map((y) => figureKey(s.id, y, skillId))
		);
	for (const y of input.yearGroups)
		line(
			figureKey(null, y, skillId),
			input.schools.map((s) => figureKey(s.id, y, skillId))
		);
	line(
		figureKey(null, null, skillId),
		input.schools.map((s) => figureKey(s.id, null, skillId))
	);
	// The city total is also the sum of the year groups' totals: a second equation on the same figure.
	lines.push({
		total: index.get(figureKey(null, null, skillId))!,
		members: input.yearGroups.map((y) => index.get(figureKey(null, y, skillId))!)
	});

	for (;;) {
		const leaked = leakedSmallFigures(variables, lines);
		if (leaked.length === 0) return variables;
		// Withhold a shown total on a line of the first leaked figure, preferring one that stops
		// that leak on its own, then the smallest; if its lines have none, any shown total.
		const first = leaked[0]!;
		const near = lines
			.filter((l) => l.total === first || l.members.includes(first))
			.flatMap((l) => [l.total, ...l.members])
			.filter((i) => variables[i]!.isTotal && variables[i]!.state === 'shown');
		const pool = near.length
			? [...new Set(near)]
			: variables.flatMap((v, i) => (v.isTotal && v.state === 'shown' ? [i] : []));
		pool.sort((a, b) => variables[a]!.learners - variables[b]!.learners || a - b);
		const stops = pool.find((candidate) => {
			variables[candidate]!.state = 'withheld';
			const still = leakedSmallFigures(variables, lines).includes(first);
			variables[candidate]!.state = 'shown';
			return !still;
		});
		variables[stops ?? pool[0]!]!.state = 'withheld';
	}
}

/** Indexes of small (hidden) figures that the shown figures determine through the lines. */
function leakedSmallFigures(
	variables: Variable[],
	lines: { total: number; members: number[] }[]
): number[] {
	const unknown = variables.flatMap((v, i) =>
		v.state === 'small' || v.state === 'withheld' ? [i] : []
	);
	if (unknown.length === 0) return [];
	const column = new Map(unknown.map((i, c) => [i, c]));
	const rows = lines.map((l) => {
		const row = new Array<number>(unknown.length).fill(0);
		if (column.has(l.total)) row[column.get(l.total)!] = 1;
		for (const m of l.members) if (column.has(m)) row[column.get(m)!]! -= 1;
		return row;
	});
	const reduced = reducedRowEchelon(rows);
	const leaked = new Set(
		determinedFrom(reduced)
			.map((c) => unknown[c]!)
			.filter((i) => variables[i]!.state === 'small')
	);
	// Each small figure is a whole number from 1 to 4. So a line's small figures whose sum the shown
	// figures fix give them away when that sum is under 5 (two of them summing to 2 are 1 each) or
	// is 4 for each (all are 4), though none is fixed on its own.
	for (const line of lines) {
		const small = [line.total, ...line.members].filter((i) => variables[i]!.state === 'small');
		if (small.length < 2) continue;
		const sum = small.reduce((total, i) => total + variables[i]!.learners, 0);
		if (sum >= SMALL_NUMBER && sum !== (SMALL_NUMBER - 1) * small.length) continue;
		const indicator = new Array<number>(unknown.length).fill(0);
		for (const i of small) indicator[column.get(i)!] = 1;
		if (inRowSpace(indicator, reduced)) for (const i of small) leaked.add(i);
	}
	return [...leaked].sort((a, b) => a - b);
}

interface ReducedRows {
	rows: number[][];
	pivots: number[];
}

const EPS = 1e-9;

/** The reduced row echelon form of `matrix` and its pivot columns. */
function reducedRowEchelon(matrix: number[][]): ReducedRows {
	const rows = matrix.map((r) => [...r]);
	const width = rows[0]?.length ?? 0;
	let pivotRow = 0;
	const pivots: number[] = [];
	for (let c = 0; c < width && pivotRow < rows.length; c++) {
		let best = pivotRow;
		for (let r = pivotRow + 1; r < rows.length; r++)
			if (Math.abs(rows[r]![c]!) > Math.abs(rows[best]![c]!)) best = r;
		if (Math.abs(rows[best]![c]!) < EPS) continue;
		[rows[pivotRow], rows[best]] = [rows[best]!, rows[pivotRow]!];
		const pivot = rows[pivotRow]!;
		const scale = pivot[c]!;
		for (let k = 0; k < width; k++) pivot[k]! /= scale;
		for (let r = 0; r < rows.length; r++) {
			if (r === pivotRow) continue;
			const factor = rows[r]![c]!;
			if (Math.abs(factor) < EPS) continue;
			for (let k = 0; k < width; k++) rows[r]![k]! -= factor * pivot[k]!;
		}
		pivots.push(c);
		pivotRow++;
	}
	return { rows: rows.slice(0, pivots.length), pivots };
}

function determinedFrom({ rows, pivots }: ReducedRows): number[] {
	return pivots.filter((c, r) => rows[r]!.every((value, k) => k === c || Math.abs(value) < EPS));
}

/** Whether the combination `vector` · x is fixed by the system (it lies in the row space). */
function inRowSpace(vector: number[], { rows, pivots }: ReducedRows): boolean {
	const rest = [...vector];
	pivots.forEach((c, r) => {
		const factor = rest[c]!;
		if (Math.abs(factor) < EPS) return;
		for (let k = 0; k < rest.length; k++) rest[k]! -= factor * rows[r]![k]!;
	});
	return rest.every((value) => Math.abs(value) < EPS);
}

/**
 * Which unknowns of a linear system A·x = b are fixed by it, whatever b is: x_c is, exactly when
 * the unit vector e_c lies in A's row space, i.e. when A's reduced row echelon form has e_c as a
 * row. Exported for the tests, which check it against a rank computation.
 */
export function determinedUnknowns(matrix: number[][]): number[] {
	return determinedFrom(reducedRowEchelon(matrix));
}

/** One figure of the report (a school, year group or skill it does not hold has none). */
export function figureOf(
	report: Pick<CityReport, 'figures'>,
	schoolId: number | null,
	yearGroup: string | null,
	skillId: number
): Figure {
	return report.figures[figureKey(schoolId, yearGroup, skillId)] ?? { kind: 'none' };
}

/** The report's words for a figure, as the table, the chart's summary and the CSV say it. */
export function figureWords(figure: Figure): string {
	if (figure.kind === 'none') return 'none';
	if (figure.kind === 'small') return `fewer than ${SMALL_NUMBER}`;
	if (figure.kind === 'withheld') return 'withheld';
	return `${figure.learners} learners, mean ${figure.mean.toFixed(2)}`;
}
