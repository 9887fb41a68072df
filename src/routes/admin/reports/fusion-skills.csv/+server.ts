import { requireRole } from '$lib/server/auth/guards';
import { getDb } from '$lib/server/db/connection';
import {
	LEARNER_CSV_HEADER,
	SUMMARY_CSV_HEADER,
	learnerRowsForCsv,
	schoolFusionReport,
	summaryRowsForCsv
} from '$lib/server/reports/school-report';
import { toCsv } from '$lib/server/reports/csv';
import { reportFilter } from '$lib/schemas/reports';
import type { RequestHandler } from './$types';

/**
 * The school report as CSV: one row per learner × skill (kind=learners) or per class/year × skill
 * (kind=summary).
 */
export const GET: RequestHandler = async (event) => {
	const admin = requireRole(event, 'admin');
	const report = await schoolFusionReport(
		getDb(),
		admin.schoolId,
		reportFilter(event.url.searchParams)
	);
	const summary = event.url.searchParams.get('kind') === 'summary';
	const csv = summary
		? toCsv(SUMMARY_CSV_HEADER, summaryRowsForCsv(report))
		: toCsv(LEARNER_CSV_HEADER, learnerRowsForCsv(report));
	return new Response(csv, {
		headers: {
			'content-type': 'text/csv; charset=utf-8',
			'content-disposition': `attachment; filename="fusion-skills-${summary ? 'summary' : 'learners'}.csv"`,
			'cache-control': 'private, no-store'
		}
	});
};
