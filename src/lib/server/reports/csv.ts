/**
 * The one CSV writer. Cells that a spreadsheet would run as a formula (starting =, +, -, @, tab or
 * carriage return) are prefixed with an apostrophe, so a learner named "=HYPERLINK(…)" stays text.
 */
export function neutraliseFormula(value: unknown): string {
	const text = value === null || value === undefined ? '' : String(value);
	return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

/**
 * Excel on Windows reads a CSV without a byte-order mark as the local code page, so "Zoë" and
 * "Łukasz" arrive garbled; with one it reads UTF-8. Tools that choke on the mark can ask for none.
 */
export const UTF8_BOM = '\uFEFF';

export function toCsv(
	header: string[],
	rows: unknown[][],
	options: { bom?: boolean } = {}
): string {
	const csv = csvRecords([header, ...rows]);
	return options.bom ? UTF8_BOM + csv : csv;
}

/** A cell that holds a comma, a double quote or a line break is quoted, its quotes doubled. */
const NEEDS_QUOTES = /[",\r\n]/;

function csvCell(value: unknown): string {
	const text = neutraliseFormula(value);
	return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * Records without a header, each ending in CRLF (RFC 4180): a streamed CSV is its header's
 * `csvRecords` and then each chunk's, and reads exactly as `toCsv` of the whole. Written by hand
 * rather than with csv-stringify: the school CSV writes 120,000 records for 10,000 learners, and
 * the library took most of its time (0.8 s of 2.2 s); the test suite checks this writer against
 * csv-stringify's output on random cells.
 */
export function csvRecords(rows: unknown[][]): string {
	let out = '';
	for (const row of rows) {
		for (let i = 0; i < row.length; i++) out += (i === 0 ? '' : ',') + csvCell(row[i]);
		out += '\r\n';
	}
	return out;
}
