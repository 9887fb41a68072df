import { describe, expect, it } from 'vitest';
import {
	buildCityReport,
	determinedUnknowns,
	figureOf,
	figureWords,
	type CityReport,
	type CityReportInput
} from '../../src/lib/domain/city-report';
import { seededRandom } from '../../src/lib/domain/random';

const skills = [{ id: 1, code: 'FS1', title: 'Oral communication' }];

function input(
	counts: number[][],
	yearGroups = counts[0]!.map((_, i) => String(7 + i))
): CityReportInput {
	const schools = counts.map((_, i) => ({ id: i + 1, name: `School ${i + 1}` }));
	return {
		schools,
		yearGroups,
		skills,
		cells: counts.flatMap((row, s) =>
			row.flatMap((learners, y) =>
				learners
					? [
							{
								schoolId: s + 1,
								yearGroup: yearGroups[y]!,
								skillId: 1,
								learners,
								levelSum: learners * 0.5
							}
						]
					: []
			)
		)
	};
}

function rank(matrix: number[][]): number {
	const rows = matrix.map((r) => [...r]);
	let rank = 0;
	const width = rows[0]?.length ?? 0;
	for (let c = 0; c < width; c++) {
		const p = rows.findIndex((r, i) => i >= rank && Math.abs(r[c]!) > 1e-9);
		if (p === -1) continue;
		[rows[rank], rows[p]] = [rows[p]!, rows[rank]!];
		for (let r = 0; r < rows.length; r++)
			if (r !== rank) {
				const f = rows[r]![c]! / rows[rank]![c]!;
				for (let k = 0; k < width; k++) rows[r]![k]! -= f * rows[rank]![k]!;
			}
		rank++;
	}
	return rank;
}

/**
 * An attacker's view, written independently of the module: every published figure, the table's
 * equations (each total is the sum of its line), and for each hidden small figure whether those
 * equations pin it down (its column is not in the span of the other hidden figures' columns).
 */
function recoverableSmallFigures(report: CityReport, counts: number[][]): string[] {
	const years = report.yearGroups;
	const schools = report.schools.map((s) => s.id);
	type Ref = [number | null, string | null];
	const refs: Ref[] = [
		...schools.flatMap((s) => years.map((y) => [s, y] as Ref)),
		...schools.map((s) => [s, null] as Ref),
		...years.map((y) => [null, y] as Ref),
		[null, null]
	];
	const hidden = refs.filter(([s, y]) => {
		const kind = figureOf(report, s, y, 1).kind;
		return kind === 'small' || kind === 'withheld';
	});
	const col = (s: number | null, y: string | null) =>
		hidden.findIndex(([hs, hy]) => hs === s && hy === y);
	const equations: [Ref, Ref[]][] = [
		...schools.map((s): [Ref, Ref[]] => [[s, null], years.map((y) => [s, y])]),
		...years.map((y): [Ref, Ref[]] => [[null, y], schools.map((s) => [s, y])]),
		[[null, null], schools.map((s) => [s, null])],
		[[null, null], years.map((y) => [null, y])]
	];
	const matrix = equations.map(([total, members]) => {
		const row = new Array<number>(hidden.length).fill(0);
		if (col(...total) >= 0) row[col(...total)] = 1;
		for (const m of members) if (col(...m) >= 0) row[col(...m)]! -= 1;
		return row;
	});
	const full = rank(matrix);
	void counts;
	return hidden
		.map((ref, c) => ({ ref, c }))
		.filter(({ ref }) => figureOf(report, ref[0], ref[1], 1).kind === 'small')
		.filter(({ c }) => rank(matrix.map((r) => r.filter((_, k) => k !== c))) < full)
		.map(({ ref }) => `${ref[0] ?? 'all'}/${ref[1] ?? 'all'}`);
}

describe('city report suppression', () => {
	it('shows 5 or more, hides 1–4 as "fewer than 5", and shows none as none', () => {
		const report = buildCityReport(input([[5, 4, 0]]));
		expect(figureOf(report, 1, '7', 1)).toEqual({ kind: 'shown', learners: 5, mean: 0.5 });
		expect(figureOf(report, 1, '8', 1)).toEqual({ kind: 'small' });
		expect(figureWords(figureOf(report, 1, '8', 1))).toBe('fewer than 5');
		expect(figureOf(report, 1, '9', 1)).toEqual({ kind: 'none' });
	});

	it('withholds a total that would give away the one small cell of its line', () => {
		// School 1: 20 in Y7 and 3 in Y8. Its total (23) minus 20 would be the 3.
		const counts = [
			[20, 3],
			[30, 40]
		];
		const report = buildCityReport(input(counts));
		expect(figureOf(report, 1, '8', 1).kind).toBe('small');
		expect(figureOf(report, 1, null, 1).kind).toBe('withheld');
		expect(figureOf(report, null, '8', 1).kind).toBe('withheld');
		// School 2's line has nothing hidden: its total is shown.
		expect(figureOf(report, 2, null, 1)).toMatchObject({ kind: 'shown', learners: 70 });
		expect(recoverableSmallFigures(report, counts)).toEqual([]);
	});

	it('keeps the totals of a line with two small cells, which only give their sum', () => {
		const counts = [
			[20, 3, 2],
			[30, 4, 3]
		];
		const report = buildCityReport(input(counts));
		expect(recoverableSmallFigures(report, counts)).toEqual([]);
		expect(figureOf(report, null, '7', 1)).toMatchObject({ kind: 'shown', learners: 50 });
	});

	it('never lets a small figure be worked out from the totals, on random cities', () => {
		const random = seededRandom(16);
		for (let round = 0; round < 150; round++) {
			const schools = 1 + Math.floor(random() * 5);
			const years = 1 + Math.floor(random() * 5);
			const counts = Array.from({ length: schools }, () =>
				Array.from({ length: years }, () => {
					const r = random();
					return r < 0.15
						? 0
						: r < 0.45
							? 1 + Math.floor(random() * 4)
							: 5 + Math.floor(random() * 40);
				})
			);
			const report = buildCityReport(input(counts));
			expect(recoverableSmallFigures(report, counts), JSON.stringify(counts)).toEqual([]);
			// Cells of 5 or more are always shown.
			counts.forEach((row, s) =>
				row.forEach((n, y) => {
					if (n >= 5) expect(figureOf(report, s + 1, String(7 + y), 1).kind).toBe('shown');
				})
			);
		}
	});

	it('stays quick at city scale: 25 schools × 7 year groups × 12 skills, many small cells', () => {
		const random = seededRandom(25);
		const yearGroups = ['7', '8', '9', '10', '11', '12', '13'];
		const schools = Array.from({ length: 25 }, (_, i) => ({ id: i + 1, name: `S${i + 1}` }));
		const many = Array.from({ length: 12 }, (_, i) => ({
			id: i + 1,
			code: `FS${i + 1}`,
			title: ''
		}));
		const cells = schools.flatMap((s) =>
			yearGroups.flatMap((y) =>
				many.map((k) => {
					const learners =
						random() < 0.2 ? 1 + Math.floor(random() * 4) : 40 + Math.floor(random() * 200);
					return {
						schoolId: s.id,
						yearGroup: y,
						skillId: k.id,
						learners,
						levelSum: learners * 0.6
					};
				})
			)
		);
		const started = performance.now();
		const report = buildCityReport({ schools, yearGroups, skills: many, cells });
		expect(performance.now() - started).toBeLessThan(1500);
		expect(report.counts.small).toBeGreaterThan(100);
	});

	it('hides every total of fewer than 5 too', () => {
		const report = buildCityReport(input([[2, 2]]));
		expect(figureOf(report, 1, null, 1).kind).toBe('small');
		expect(figureOf(report, null, null, 1).kind).toBe('small');
	});

	it('a mean is hidden with its count: the means of shown figures only', () => {
		const report = buildCityReport(input([[10, 2]]));
		for (const figure of [figureOf(report, 1, '8', 1), figureOf(report, 1, null, 1)])
			expect(figure).not.toHaveProperty('mean');
	});
});

describe('determinedUnknowns', () => {
	it('finds x fixed by x − y = b1 and y = b2, and nothing in x − y = b', () => {
		expect(
			determinedUnknowns([
				[1, -1],
				[0, 1]
			]).sort()
		).toEqual([0, 1]);
		expect(determinedUnknowns([[1, -1]])).toEqual([]);
		expect(
			determinedUnknowns([
				[1, -1, 0],
				[0, 1, -1],
				[1, 0, -1]
			])
		).toEqual([]);
	});
});

describe('whole-number bounds', () => {
	it('withholds a total when the hidden cells of a line must sum to under 5 (the review’s case)', () => {
		// School 1: years 7–9 = 5, 1, 1; school 2: 5 in each. Without the bound rule the city total
		// (22) and school 2's total (15) were shown, and 22 − 15 − 5 = 2 made both small cells 1.
		const report = buildCityReport(
			input([
				[5, 1, 1],
				[5, 5, 5]
			])
		);
		const shown = (school: number | null, year: string | null) =>
			figureOf(report, school, year, 1).kind === 'shown';
		expect(shown(1, '8') || shown(1, '9')).toBe(false);
		expect(shown(null, null) && shown(2, null) && shown(1, '7')).toBe(false);
	});

	it('withholds when the hidden cells must all be 4', () => {
		const report = buildCityReport(
			input([
				[5, 4, 4],
				[5, 5, 5]
			])
		);
		const shown = (school: number | null, year: string | null) =>
			figureOf(report, school, year, 1).kind === 'shown';
		expect(shown(null, null) && shown(2, null) && shown(1, '7')).toBe(false);
	});
});
