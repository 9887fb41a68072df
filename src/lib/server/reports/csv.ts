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
	// Most cells of a big report are counts and levels: a number that is not negative needs neither
	// quotes nor the formula guard.
	if (typeof value === 'number' && value >= 0) return String(value);
	const text = neutraliseFormula(value);
	return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * The cells of a record joined by commas, without its line end: a streamed report writes what its
 * rows repeat (a learner's name and classes) once and joins it to each row's own cells.
 */
export function csvFields(cells: readonly unknown[]): string {
	let out = '';
	for (let i = 0; i < cells.length; i++) out += (i === 0 ? '' : ',') + csvCell(cells[i]);
	return out;
}

/**
 * Records without a header, each ending in CRLF (RFC 4180): a streamed CSV is its header's
 * `csvRecords` and then each chunk's, and reads exactly as `toCsv` of the whole. Written by hand
 * rather than with csv-stringify: the school CSV writes 120,000 records for 10,000 learners, and
 * the library took most of its time (0.8 s of 2.2 s); the test suite checks this writer against
 * csv-stringify's output on random cells.
 */
export function csvRecords(rows: readonly (readonly unknown[])[]): string {
	let out = '';
	for (const row of rows) out += csvFields(row) + CRLF;
	return out;
}

export const CRLF = '\r\n';

/**
 * A chunk of a streamed CSV as UTF-8, written a record at a time: encoding each short record into
 * one growing buffer rather than joining the page into one string first (a string grown by 120,000
 * appends is a deep rope, and flattening it for the encoder cost more than writing the records).
 */
export class CsvChunk {
	#buffer = Buffer.allocUnsafeSlow(0);
	#length = 0;

	write(text: string): void {
		// A UTF-16 code unit is at most 3 bytes of UTF-8.
		const most = this.#length + text.length * 3;
		if (most > this.#buffer.length) {
			const grown = Buffer.allocUnsafeSlow(Math.max(most, this.#buffer.length * 2, 64 * 1024));
			this.#buffer.copy(grown, 0, 0, this.#length);
			this.#buffer = grown;
		}
		this.#length += this.#buffer.write(text, this.#length);
	}

	/** The bytes written, in an ArrayBuffer of their own: a worker hands it over without a copy. */
	bytes(): Uint8Array {
		return new Uint8Array(this.#buffer.buffer, this.#buffer.byteOffset, this.#length).slice();
	}
}
