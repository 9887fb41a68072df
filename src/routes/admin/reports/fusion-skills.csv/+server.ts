import { requireRole } from '$lib/server/auth/guards';
import { getDb } from '$lib/server/db/connection';
import {
	SUMMARY_CSV_HEADER,
	learnerCsvHeader,
	learnerRowsForCsv,
	schoolFusionReport,
	summaryRowsForCsv,
	wideCsv
} from '$lib/server/reports/school-report';
import { toCsv } from '$lib/server/reports/csv';
import { csvKindSchema, reportFilter } from '$lib/schemas/reports';
import { frameworkViewOf } from '$lib/schemas/frameworks';
import type { RequestHandler } from './$types';

/**
 * The school report as CSV: one row per learner × skill (kind=learners), one row per learner with a
 * column per skill (kind=wide), or per class/year × skill (kind=summary). UTF-8 with a byte-order
 * mark so Excel reads names right; `bom=0` leaves it out. `framework=skills-builder` (or
 * `oecd-learning-compass`) gives the same layouts in that framework, the long one with a `working`
 * column saying how each figure came from the Fusion Skills.
 */
export const GET: RequestHandler = async (event) => {
	const admin = requireRole(event, 'admin');
	const framework = frameworkViewOf(event.url.searchParams);
	const report = await schoolFusionReport(
		getDb(),
		admin.schoolId,
		reportFilter(event.url.searchParams),
		framework
	);
	const kind = csvKindSchema.catch('learners').parse(event.url.searchParams.get('kind'));
	const bom = event.url.searchParams.get('bom') !== '0';
	const wide = kind === 'wide' ? wideCsv(report) : null;
	const csv =
		kind === 'summary'
			? toCsv(SUMMARY_CSV_HEADER, summaryRowsForCsv(report), { bom })
			: wide
				? toCsv(wide.header, wide.rows, { bom })
				: toCsv(learnerCsvHeader(report), learnerRowsForCsv(report), { bom });
	return new Response(csv, {
		headers: {
			'content-type': 'text/csv; charset=utf-8',
			'content-disposition': `attachment; filename="${framework}-${kind}.csv"`,
			'cache-control': 'private, no-store'
		}
	});
};
