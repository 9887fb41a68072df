import { requireRole } from '$lib/server/auth/guards';
import { getDb } from '$lib/server/db/connection';
import {
	LEARNER_CSV_HEADER,
	SUMMARY_CSV_HEADER,
	learnerRowsForCsv,
	schoolFusionReport,
	summaryRowsForCsv,
	wideCsv
} from '$lib/server/reports/school-report';
import { toCsv } from '$lib/server/reports/csv';
import { csvKindSchema, reportFilter } from '$lib/schemas/reports';
import type { RequestHandler } from './$types';

/**
 * The school report as CSV: one row per learner × skill (kind=learners), one row per learner with a
 * column per skill (kind=wide), or per class/year × skill (kind=summary). UTF-8 with a byte-order
 * mark so Excel reads names right; `bom=0` leaves it out.
 */
export const GET: RequestHandler = async (event) => {
	const admin = requireRole(event, 'admin');
	const report = await schoolFusionReport(
		getDb(),
		admin.schoolId,
		reportFilter(event.url.searchParams)
	);
	const kind = csvKindSchema.catch('learners').parse(event.url.searchParams.get('kind'));
	const bom = event.url.searchParams.get('bom') !== '0';
	const wide = kind === 'wide' ? wideCsv(report) : null;
	const csv =
		kind === 'summary'
			? toCsv(SUMMARY_CSV_HEADER, summaryRowsForCsv(report), { bom })
			: wide
				? toCsv(wide.header, wide.rows, { bom })
				: toCsv(LEARNER_CSV_HEADER, learnerRowsForCsv(report), { bom });
	return new Response(csv, {
		headers: {
			'content-type': 'text/csv; charset=utf-8',
			'content-disposition': `attachment; filename="fusion-skills-${kind}.csv"`,
			'cache-control': 'private, no-store'
		}
	});
};
