import { LEVEL_LABELS } from '$lib/domain/scales';

/**
 * The value axis of a chart of mean levels (0–1 drawn as 0–5): one gridline where each of the
 * school scale's bands begins, named after that band, so a bar that ends above the "Secure" line
 * is Secure — the word the tables beside the chart give the same mean (`levelWords`: band
 * ⌊level × 5⌋). The top line (5) is the end of the scale and has no name.
 */
export const LEVEL_AXIS_MAX = LEVEL_LABELS.length;

export function levelAxisLabel(value: number): string {
	return LEVEL_LABELS[Math.round(value)] ?? '';
}

export const levelAxis = {
	min: 0,
	max: LEVEL_AXIS_MAX,
	ticks: { stepSize: 1, callback: levelAxisLabel }
};

/** A mean level (0–1) as the chart draws it. */
export function levelOnAxis(level: number): number {
	return level * LEVEL_AXIS_MAX;
}

/**
 * Bar colours of the groups in a report chart (year groups, the city): eight distinct ones, so a
 * school's Years 7–13 and "No year group" never share one. The legend names each group, and the
 * table behind "Show as a table" gives the figures, so no meaning rests on colour alone.
 */
export const GROUP_COLOURS = [
	'#1d4ed8',
	'#0f766e',
	'#b45309',
	'#a21caf',
	'#be123c',
	'#4d7c0f',
	'#334155',
	'#7c2d12'
];

export function groupColour(index: number): string {
	return GROUP_COLOURS[index % GROUP_COLOURS.length]!;
}
