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
 * A year group as every screen and chart heads it: a bare number is "Year 7", a school's own name
 * ("Year 7", "Reception", "Sixth form") is kept, and none is "No year group". The roster stores
 * what the school typed or its MIS sent, so "7" and "Year 7" both occur.
 */
export function yearGroupLabel(yearGroup: string | null | undefined): string {
	const text = (yearGroup ?? '').trim();
	if (text === '') return 'No year group';
	const year = /^(?:y|yr)?\s*(\d{1,2})$/i.exec(text);
	return year ? `Year ${Number(year[1])}` : text;
}
