import { stringify } from 'csv-stringify/sync';

/**
 * The one CSV writer. Cells that a spreadsheet would run as a formula (starting =, +, -, @, tab or
 * carriage return) are prefixed with an apostrophe, so a learner named "=HYPERLINK(…)" stays text.
 */
export function neutraliseFormula(value: unknown): string {
	const text = value === null || value === undefined ? '' : String(value);
	return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

export function toCsv(header: string[], rows: unknown[][]): string {
	return stringify([header, ...rows.map((row) => row.map(neutraliseFormula))], {
		record_delimiter: '\r\n'
	});
}
