import { describe, expect, it } from 'vitest';
import { bandValueText, bandsInWords, describeSelfGap } from '../../src/lib/domain/feedback';
import { gradesVisibleToLearner, teacherResult } from '../../src/lib/domain/results';
import {
	isSafeEvidenceLink,
	judgeUpload,
	MAX_EVIDENCE_BYTES,
	safeFileName
} from '../../src/lib/domain/evidence';
import { DEFAULT_SCHOOL_SCALE } from '../../src/lib/domain/scales';

const bands = DEFAULT_SCHOOL_SCALE.bands;

describe('gap feedback in bands', () => {
	it('says how far and which way, in words', () => {
		expect(describeSelfGap(bands, 70, 50)).toEqual({
			bands: 1,
			sentence: 'You placed yourself one band above your teacher.'
		});
		expect(describeSelfGap(bands, 10, 85)).toEqual({
			bands: -4,
			sentence: 'You placed yourself four bands below your teacher.'
		});
		expect(describeSelfGap(bands, 61, 79.9).sentence).toBe(
			'You and your teacher placed this in the same band.'
		);
		expect(describeSelfGap(bands, 60, 59.9, 'your peers').sentence).toBe(
			'You placed yourself one band above your peers.'
		);
	});
	it('names bands for screen readers, including the unplaced slider', () => {
		expect(bandValueText(bands, null)).toBe('Not placed yet');
		expect(bandValueText(bands, 0)).toBe('Not yet (band 1 of 5)');
		expect(bandValueText(bands, 100)).toBe('Excelling (band 5 of 5)');
		expect(bandsInWords(12)).toBe('12 bands');
	});
});

describe('the teacher result a learner sees', () => {
	it('an agreed grade wins; one marker stands; several are averaged', () => {
		expect(teacherResult([], null)).toBeNull();
		expect(teacherResult([null], null)).toBeNull();
		expect(teacherResult([55], null)).toEqual({ value: 55, source: 'marker', markerCount: 1 });
		expect(teacherResult([50, 61], null)).toEqual({
			value: 55.5,
			source: 'markers_mean',
			markerCount: 2
		});
		expect(teacherResult([50, 61], 70)).toEqual({ value: 70, source: 'agreed', markerCount: 2 });
	});
	it('is hidden until released, and until the learner has self-assessed when the task asks for that', () => {
		expect(
			gradesVisibleToLearner({
				releasedAt: null,
				selfSubmitted: true,
				selfRequiredBeforeRelease: false
			})
		).toBe(false);
		expect(
			gradesVisibleToLearner({
				releasedAt: 'x',
				selfSubmitted: false,
				selfRequiredBeforeRelease: true
			})
		).toBe(false);
		expect(
			gradesVisibleToLearner({
				releasedAt: 'x',
				selfSubmitted: false,
				selfRequiredBeforeRelease: false
			})
		).toBe(true);
		expect(
			gradesVisibleToLearner({
				releasedAt: 'x',
				selfSubmitted: true,
				selfRequiredBeforeRelease: true
			})
		).toBe(true);
	});
});

describe('evidence uploads', () => {
	it('decides by the sniffed type and the size, with a message for each refusal', () => {
		expect(judgeUpload({ size: 100, sniffedMime: 'image/png' })).toEqual({
			ok: true,
			mime: 'image/png',
			inline: true
		});
		expect(
			judgeUpload({
				size: 100,
				sniffedMime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'
			})
		).toMatchObject({ ok: true, inline: false });
		expect(judgeUpload({ size: 100, sniffedMime: undefined })).toMatchObject({
			ok: false,
			message: expect.stringContaining('cannot be uploaded')
		});
		expect(judgeUpload({ size: 100, sniffedMime: 'image/svg+xml' })).toMatchObject({ ok: false });
		expect(judgeUpload({ size: 100, sniffedMime: 'text/html' })).toMatchObject({ ok: false });
		expect(judgeUpload({ size: MAX_EVIDENCE_BYTES + 1, sniffedMime: 'image/png' })).toMatchObject({
			ok: false,
			message: expect.stringContaining('10 MB')
		});
		expect(judgeUpload({ size: 0, sniffedMime: 'image/png' })).toMatchObject({
			ok: false,
			message: 'That file is empty.'
		});
	});
	it('cleans file names and accepts only web links', () => {
		expect(safeFileName('C:\\Users\\amy\\poster "final".png')).toBe('poster final.png');
		expect(safeFileName('../../etc/passwd')).toBe('passwd');
		expect(safeFileName('..')).toBe('evidence');
		expect(isSafeEvidenceLink('https://example.org/x')).toBe(true);
		expect(isSafeEvidenceLink('javascript:alert(1)')).toBe(false);
		expect(isSafeEvidenceLink('data:text/html,hi')).toBe(false);
		expect(isSafeEvidenceLink('not a url')).toBe(false);
	});
});

describe('CSV exports', async () => {
	const { neutraliseFormula, toCsv } = await import('../../src/lib/server/reports/csv');
	it('neutralises spreadsheet formulas and quotes as CSV needs', () => {
		expect(
			['=1+1', '+44', '-3', '@SUM(A1)', '\tx', 'plain', 12, null].map(neutraliseFormula)
		).toEqual(["'=1+1", "'+44", "'-3", "'@SUM(A1)", "'\tx", 'plain', '12', '']);
		expect(toCsv(['a', 'b'], [['=HYPERLINK("x")', "O'Brien, Farah"]])).toBe(
			'a,b\r\n"\'=HYPERLINK(""x"")","O\'Brien, Farah"\r\n'
		);
	});

	it('writes what csv-stringify writes, and csv-parse reads it back, on random cells (the writer is hand-written for speed)', async () => {
		const { stringify } = await import('csv-stringify/sync');
		const { parse } = await import('csv-parse/sync');
		const { csvRecords } = await import('../../src/lib/server/reports/csv');
		const pieces = ['a', 'Zoë', ',', '"', '\r\n', ' ', "'", '=', '-', '@', '\t', '1.5', ';', ''];
		let seed = 7;
		const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
		const cell = (withLoneBreak: boolean) =>
			random() < 0.1
				? null
				: random() < 0.2
					? // negative too: a number takes a fast path, and "-5" must still be guarded
						Math.round(random() * 1000) / 10 - 50
					: Array.from({ length: Math.floor(random() * 6) }, () =>
							withLoneBreak && random() < 0.2
								? random() < 0.5
									? '\r'
									: '\n'
								: pieces[Math.floor(random() * pieces.length)]
						).join('');
		const table = (withLoneBreak: boolean) =>
			Array.from({ length: 1 + Math.floor(random() * 4) }, () =>
				Array.from({ length: 2 + Math.floor(random() * 5) }, () => cell(withLoneBreak))
			);
		for (let n = 0; n < 300; n++) {
			const rows = table(false);
			expect(csvRecords(rows)).toBe(
				stringify(
					rows.map((row) => row.map(neutraliseFormula)),
					{ record_delimiter: '\r\n' }
				)
			);
			// A lone carriage return or line feed is quoted too (csv-stringify quotes only the record
			// delimiter, CRLF, and a bare LF splits the record for most readers): read back as written.
			const tricky = table(true);
			expect(parse(csvRecords(tricky), { relax_column_count: true })).toEqual(
				tricky.map((row) => row.map(neutraliseFormula))
			);
		}
	});

	it('encodes a chunk written record by record as the whole text would be, past its first buffer', async () => {
		const { CsvChunk } = await import('../../src/lib/server/reports/csv');
		const chunk = new CsvChunk();
		const records: string[] = [];
		for (let i = 0; i < 20_000; i++) {
			const record = `${i},Zoë Łukasz 😀 ${'x'.repeat(i % 50)}\r\n`;
			records.push(record);
			chunk.write(record);
		}
		const bytes = chunk.bytes();
		expect(Buffer.from(bytes).equals(Buffer.from(records.join(''), 'utf8'))).toBe(true);
		// its own ArrayBuffer, exactly: a worker hands it to the main thread without a copy
		expect(bytes.byteOffset).toBe(0);
		expect(bytes.byteLength).toBe(bytes.buffer.byteLength);
	});

	it('starts with a UTF-8 byte-order mark when asked, so Excel reads accented names', () => {
		expect(toCsv(['name'], [['Zoë']], { bom: true })).toBe('\uFEFFname\r\nZoë\r\n');
	});
});
