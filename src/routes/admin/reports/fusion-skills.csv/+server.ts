import { requireRole } from '$lib/server/auth/guards';
import { getDb } from '$lib/server/db/connection';
import { schoolCsvFromWorker } from '$lib/server/workers/report-pool';
import { orHttpError } from '$lib/server/http';
import { csvKindSchema, reportFilter } from '$lib/schemas/reports';
import { frameworkViewOf } from '$lib/schemas/frameworks';
import type { RequestHandler } from './$types';

/**
 * The school report as CSV: one row per learner × skill (kind=learners), one row per learner with a
 * column per skill (kind=wide), or per class/year × skill (kind=summary). UTF-8 with a byte-order
 * mark so Excel reads names right; `bom=0` leaves it out. `framework=skills-builder` (or
 * `oecd-learning-compass`) gives the same layouts in that framework, the long one with a `working`
 * column saying how each figure came from the Fusion Skills. Read and formatted in a report worker
 * (`workers/report-pool.ts`) a page of learners at a time from the aggregates
 * (`reports/school-csv.ts`), each page made when the download asks for the next: a big school
 * neither fills the server's memory nor holds up the saves this thread answers.
 */
export const GET: RequestHandler = async (event) => {
	const admin = requireRole(event, 'admin');
	const framework = frameworkViewOf(event.url.searchParams);
	const kind = csvKindSchema.catch('learners').parse(event.url.searchParams.get('kind'));
	const bom = event.url.searchParams.get('bom') !== '0';
	const stream = await orHttpError(() =>
		schoolCsvFromWorker(
			getDb(),
			admin.schoolId,
			reportFilter(event.url.searchParams),
			framework,
			kind,
			{ bom }
		)
	);
	return new Response(stream, {
		headers: {
			'content-type': 'text/csv; charset=utf-8',
			'content-disposition': `attachment; filename="${framework}-${kind}.csv"`,
			'cache-control': 'private, no-store'
		}
	});
};
