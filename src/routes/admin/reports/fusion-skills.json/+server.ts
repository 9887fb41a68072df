import { json } from '@sveltejs/kit';
import { requireRole } from '$lib/server/auth/guards';
import { getDb } from '$lib/server/db/connection';
import { schoolFusionReport } from '$lib/server/reports/school-report';
import { reportFilter } from '$lib/schemas/reports';
import { frameworkViewOf } from '$lib/schemas/frameworks';
import type { RequestHandler } from './$types';
import { nowIso } from '$lib/server/clock';

/** The school report as JSON: per-learner rows and the class and year summaries. */
export const GET: RequestHandler = async (event) => {
	const admin = requireRole(event, 'admin');
	const filter = reportFilter(event.url.searchParams);
	const report = await schoolFusionReport(
		getDb(),
		admin.schoolId,
		filter,
		frameworkViewOf(event.url.searchParams)
	);
	return json(
		{
			generatedAt: nowIso(),
			filter,
			framework: report.framework,
			skills: report.skills,
			learners: report.rows,
			byClass: report.byClass,
			byYear: report.byYear
		},
		{ headers: { 'cache-control': 'private, no-store' } }
	);
};
