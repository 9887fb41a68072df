import { canonicalYearGroup } from './names';

/** Up to this many classes, the report's class filter lists them all. */
export const CLASSES_LISTED_AT_ONCE = 40;

/**
 * The classes a report's class filter offers. A school of a few classes sees them all; a big one
 * (a city school has 350) sees the chosen year group's, since a list of hundreds is hard to use
 * and would make the page grow with the school. Without a year group chosen, a big school's filter
 * offers only the class already chosen, and `chooseYearFirst` says to pick a year group.
 */
export function classFilterChoices<C extends { id: number; yearGroup: string | null }>(
	classes: readonly C[],
	chosen: { classId?: number; yearGroup?: string }
): { classes: C[]; chooseYearFirst: boolean; total: number } {
	const total = classes.length;
	if (total <= CLASSES_LISTED_AT_ONCE)
		return { classes: [...classes], chooseYearFirst: false, total };
	const year = chosen.yearGroup === undefined ? null : canonicalYearGroup(chosen.yearGroup);
	const offered = classes.filter(
		(c) => c.id === chosen.classId || (year !== null && canonicalYearGroup(c.yearGroup) === year)
	);
	return { classes: offered, chooseYearFirst: year === null, total };
}
