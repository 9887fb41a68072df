import { describe, expect, it } from 'vitest';
import {
	LEARNER_CSV_HEADER,
	learnerRowsForCsv,
	schoolFusionReport,
	wideCsv
} from '../../src/lib/server/reports/school-report';
import { demoDatabase } from './helpers';

describe('the school report as a wide CSV (a row per learner, a column per skill)', () => {
	it('holds the same levels as the long layout, blank where there is no evidence yet', async () => {
		const { db, schoolId } = await demoDatabase();
		const report = await schoolFusionReport(db, schoolId, { classId: 1 });
		const { header, rows } = wideCsv(report);
		expect(header.slice(0, 5)).toEqual(['learner_id', 'username', 'name', 'year_group', 'classes']);
		expect(header.slice(5)).toHaveLength(12);
		expect(header[5]).toMatch(/^FS-01 Oral communication/);
		const long = learnerRowsForCsv(report);
		expect(rows).toHaveLength(long.length / 12);
		const level = LEARNER_CSV_HEADER.indexOf('level');
		for (const row of rows) {
			const own = long.filter((r) => r[0] === row[0]);
			expect(row.slice(5)).toEqual(own.map((r) => r[level]));
		}
		// The demo has skills without evidence: they are blank, not 0.
		expect(rows.flatMap((r) => r.slice(5))).toContain('');
		expect(rows.flatMap((r) => r.slice(5))).not.toContain(0);
		await db.destroy();
	});
});
