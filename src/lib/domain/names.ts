/** The parts of a person's name as the roster stores them. */
export interface PersonName {
	givenName: string;
	familyName: string;
}

/**
 * A person's name as every screen, report and export writes it: given name, then family name.
 * Given the nullable parts of a left join, it is null when the join found no one (removed since).
 */
export function displayName(person: PersonName): string;
export function displayName(person: {
	givenName: string | null;
	familyName: string | null;
}): string | null;
export function displayName(person: {
	givenName: string | null;
	familyName: string | null;
}): string | null {
	if (person.givenName === null || person.familyName === null) return null;
	return `${person.givenName} ${person.familyName}`;
}

const groupCollator = new Intl.Collator('en-GB', { numeric: true, sensitivity: 'base' });

/**
 * The one order of year groups and class names in reports, filters and charts, as schools count:
 * Nursery, Reception, 1 … 13, then any other name with its numbers read as numbers ("7S" before
 * "10A"), then letters in any case.
 */
export function compareGroupNames(a: string, b: string): number {
	return groupRank(a) - groupRank(b) || groupCollator.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0);
}

/** Nursery, Reception, then years by number, then every other name (a sort calls this often). */
function groupRank(name: string): number {
	const n = Number(name);
	if (Number.isInteger(n) && name.trim() !== '') return n;
	const lower = name.toLowerCase();
	return lower === 'nursery' ? -2 : lower === 'reception' ? -1 : 1000;
}

/**
 * A year group as it is stored, one spelling for each: a year by number is its number ("Year 7",
 * "Y7", "yr 07" and "7" are all "7"), Reception and Nursery are capitalised, any other name ("Sixth
 * form") is kept with its spaces tidied, and none is null. Every write of a year group (a form, a
 * roster import, a report's filter) goes through this, so a school whose MIS says "7" and whose
 * admin typed "Year 7" has one year group, not two half-size ones (a city report suppresses each
 * cell of fewer than 5 learners on its own).
 */
export function canonicalYearGroup(yearGroup: string | null | undefined): string | null {
	const text = (yearGroup ?? '').trim().replace(/\s+/g, ' ');
	if (text === '') return null;
	const year = /^(?:year|yr|y)?\s*0*(\d{1,2})$/i.exec(text);
	if (year) return String(Number(year[1]));
	if (/^reception$/i.test(text)) return 'Reception';
	if (/^nursery$/i.test(text)) return 'Nursery';
	return text;
}

/**
 * A year group as every screen and chart heads it: a year by number is "Year 7", a school's own
 * name ("Reception", "Sixth form") is kept, and none is "No year group".
 */
export function yearGroupLabel(yearGroup: string | null | undefined): string {
	const canonical = canonicalYearGroup(yearGroup);
	if (canonical === null) return 'No year group';
	return /^\d+$/.test(canonical) ? `Year ${canonical}` : canonical;
}
