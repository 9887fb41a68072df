/**
 * Splits a list for statements that bind one value per item. SQLite allows 32,766 bound values per
 * statement and PostgreSQL 65,535; rows of up to 8 columns (or `in` lists) in chunks of 500 stay
 * far below both.
 */
export function chunks<T>(items: readonly T[], size = 500): T[][] {
	const out: T[][] = [];
	for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
	return out;
}
