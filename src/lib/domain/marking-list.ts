import type { LearnerTaskStatus } from './task-status';

/**
 * The marking list's filters and orders. A teacher in a hurry wants the work waiting for them
 * first, so the default order puts "ready to mark" (submitted, not fully graded) at the top, oldest
 * submission first (first handed in, first marked), and those who have not started last.
 */
export const MARKING_FILTERS = [
	'all',
	'ready',
	'not_started',
	'in_progress',
	'marked',
	'flagged'
] as const;
export type MarkingFilter = (typeof MARKING_FILTERS)[number];

export const MARKING_SORTS = ['state', 'name', 'submitted', 'gap'] as const;
export type MarkingSort = (typeof MARKING_SORTS)[number];

export const FILTER_LABEL: Record<MarkingFilter, string> = {
	all: 'All',
	ready: 'Ready to mark',
	not_started: 'Not started',
	in_progress: 'In progress',
	marked: 'Marked',
	flagged: 'Flagged gap'
};

export const SORT_LABEL: Record<MarkingSort, string> = {
	state: 'Ready to mark first',
	name: 'Name',
	submitted: 'Submitted (oldest first)',
	gap: 'Largest self–teacher gap'
};

export interface MarkingListEntry {
	id: number;
	familyName: string;
	givenName: string;
	status: LearnerTaskStatus;
	/** when the learner submitted their self-assessment; null if not submitted */
	submittedAt: string | null;
	/** the largest self–teacher gap in bands on any criterion (absolute), null with no pair */
	largestGap: number | null;
	/** some criterion's self–teacher gap is more than one band (`isLargeGap`) */
	flagged: boolean;
}

export function matchesFilter(entry: MarkingListEntry, filter: MarkingFilter): boolean {
	switch (filter) {
		case 'all':
			return true;
		case 'ready':
			return entry.status === 'self_assessed';
		case 'not_started':
			return entry.status === 'not_started';
		case 'in_progress':
			return entry.status === 'in_progress';
		case 'marked':
			return entry.status === 'assessed' || entry.status === 'released';
		case 'flagged':
			return entry.flagged;
	}
}

export function filterCounts(entries: readonly MarkingListEntry[]): Record<MarkingFilter, number> {
	return Object.fromEntries(
		MARKING_FILTERS.map((f) => [f, entries.filter((e) => matchesFilter(e, f)).length])
	) as Record<MarkingFilter, number>;
}

/** What is left to do, first to last: mark, wait for the learner, release, nothing, chase. */
const STATE_ORDER: Record<LearnerTaskStatus, number> = {
	self_assessed: 0,
	in_progress: 1,
	assessed: 2,
	released: 3,
	not_started: 4
};

const byName = (a: MarkingListEntry, b: MarkingListEntry) =>
	a.familyName.localeCompare(b.familyName, 'en-GB') ||
	a.givenName.localeCompare(b.givenName, 'en-GB') ||
	a.id - b.id;

/** Earliest first; not submitted after everyone who has. */
const bySubmission = (a: MarkingListEntry, b: MarkingListEntry) =>
	a.submittedAt === b.submittedAt
		? 0
		: a.submittedAt === null
			? 1
			: b.submittedAt === null
				? -1
				: a.submittedAt < b.submittedAt
					? -1
					: 1;

const COMPARE: Record<MarkingSort, (a: MarkingListEntry, b: MarkingListEntry) => number> = {
	state: (a, b) =>
		STATE_ORDER[a.status] - STATE_ORDER[b.status] ||
		(a.status === 'self_assessed' ? bySubmission(a, b) : 0) ||
		byName(a, b),
	name: byName,
	submitted: (a, b) => bySubmission(a, b) || byName(a, b),
	// Largest first; learners with no pair to compare after everyone with one.
	gap: (a, b) => (b.largestGap ?? -1) - (a.largestGap ?? -1) || byName(a, b)
};

export function sortMarkingList<T extends MarkingListEntry>(
	entries: readonly T[],
	sort: MarkingSort
): T[] {
	return [...entries].sort(COMPARE[sort]);
}

/** The list as the teacher asked for it: filtered, then ordered. */
export function arrangeMarkingList<T extends MarkingListEntry>(
	entries: readonly T[],
	filter: MarkingFilter,
	sort: MarkingSort
): T[] {
	return sortMarkingList(
		entries.filter((e) => matchesFilter(e, filter)),
		sort
	);
}

/**
 * Previous and next learner for `[` and `]` on the marking screen: the list in the teacher's order
 * and filter, skipping learners who have not started (nothing to mark), except under the "not
 * started" filter, where those are what the teacher asked to walk through. The learner on screen
 * keeps their place in that order even when they no longer match the filter (just released, say).
 */
export function markingNeighbours(
	entries: readonly MarkingListEntry[],
	currentId: number,
	filter: MarkingFilter,
	sort: MarkingSort
): {
	previousId: number | null;
	nextId: number | null;
	/** 1-based place among the learners walked; null when the one on screen is not one of them */
	position: number | null;
	total: number;
} {
	const walked = (e: MarkingListEntry) =>
		matchesFilter(e, filter) && (filter === 'not_started' || e.status !== 'not_started');
	const walk = sortMarkingList(
		entries.filter((e) => e.id === currentId || walked(e)),
		sort
	);
	const at = walk.findIndex((e) => e.id === currentId);
	const current = walk[at];
	const total = walk.filter(walked).length;
	return {
		previousId: at > 0 ? walk[at - 1]!.id : null,
		nextId: at >= 0 && at < walk.length - 1 ? walk[at + 1]!.id : null,
		position: current && walked(current) ? walk.slice(0, at + 1).filter(walked).length : null,
		total
	};
}
