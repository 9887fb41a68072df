import { requireCityAdmin } from '$lib/server/auth/guards';
import { getDb } from '$lib/server/db/connection';
import { CITY_CSV_HEADER, cityReportCsvRows } from '$lib/server/city/report';
import { cityReportFromWorker } from '$lib/server/workers/report-pool';
import { toCsv } from '$lib/server/reports/csv';
import type { RequestHandler } from './$types';

/**
 * The city report as CSV: a row per school × year group × skill, then the totals, with the page's
 * suppression ("fewer than 5", "withheld"); never a learner. UTF-8 with a byte-order mark for
 * Excel; `bom=0` leaves it out.
 */
export const GET: RequestHandler = async (event) => {
	const { cityId } = requireCityAdmin(event);
	const report = await cityReportFromWorker(getDb(), cityId);
	const bom = event.url.searchParams.get('bom') !== '0';
	return new Response(toCsv(CITY_CSV_HEADER, cityReportCsvRows(report), { bom }), {
		headers: {
			'content-type': 'text/csv; charset=utf-8',
			'content-disposition': 'attachment; filename="city-fusion-skills.csv"',
			'cache-control': 'private, no-store'
		}
	});
};
