import { requireRole } from '$lib/server/auth/guards';
import { getDb } from '$lib/server/db/connection';
import { schoolCsvStream } from '$lib/server/reports/school-csv';
import { csvKindSchema, reportFilter } from '$lib/schemas/reports';
import { frameworkViewOf } from '$lib/schemas/frameworks';
import type { RequestHandler } from './$types';

/**
 * The school report as CSV: one row per learner × skill (kind=learners), one row per learner with a
 * column per skill (kind=wide), or per class/year × skill (kind=summary). UTF-8 with a byte-order
 * mark so Excel reads names right; `bom=0` leaves it out. `framework=skills-builder` (or
 * `oecd-learning-compass`) gives the same layouts in that framework, the long one with a `working`
 * column saying how each figure came from the Fusion Skills. Streamed a page of learners at a time
 * from the aggregates (`reports/school-csv.ts`), so a big school neither fills the server's memory
 * nor holds up other requests.
 */
export const GET: RequestHandler = async (event) => {
	const admin = requireRole(event, 'admin');
	const framework = frameworkViewOf(event.url.searchParams);
	const kind = csvKindSchema.catch('learners').parse(event.url.searchParams.get('kind'));
	const bom = event.url.searchParams.get('bom') !== '0';
	const stream = schoolCsvStream(
		getDb(),
		admin.schoolId,
		reportFilter(event.url.searchParams),
		framework,
		kind,
		{ bom }
	);
	return new Response(stream, {
		headers: {
			'content-type': 'text/csv; charset=utf-8',
			'content-disposition': `attachment; filename="${framework}-${kind}.csv"`,
			'cache-control': 'private, no-store'
		}
	});
};
