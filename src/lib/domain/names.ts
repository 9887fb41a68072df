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
