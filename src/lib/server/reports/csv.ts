import { stringify } from 'csv-stringify/sync';

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

/**
 * Records without a header, each ending in CRLF: a streamed CSV is its header's `csvRecords` and
 * then each chunk's, and reads exactly as `toCsv` of the whole.
 */
export function csvRecords(rows: unknown[][]): string {
	if (rows.length === 0) return '';
	return stringify(
		rows.map((row) => row.map(neutraliseFormula)),
		{ record_delimiter: '\r\n' }
	);
}
