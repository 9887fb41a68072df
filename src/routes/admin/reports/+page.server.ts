import { redirect } from '@sveltejs/kit';
import { requireRole } from '$lib/server/auth/guards';
import { getDb } from '$lib/server/db/connection';
import { schoolFusionSummary } from '$lib/server/reports/school-report';
import { startBatchExport } from '$lib/server/reports/batch';
import { actOn } from '$lib/server/http';
import { classPageOf, reportFilter } from '$lib/schemas/reports';
import { frameworkViewOf } from '$lib/schemas/frameworks';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const admin = requireRole(event, 'admin');
	const filter = reportFilter(event.url.searchParams);
	const framework = frameworkViewOf(event.url.searchParams);
	const classPage = classPageOf(event.url.searchParams);
	// The page shows the summaries, the class table a page at a time (so its cost follows neither
	// the learners nor the classes); the CSV and JSON downloads hold every class and learner.
	const report = await schoolFusionSummary(getDb(), admin.schoolId, filter, framework, classPage);
	return {
		skills: report.skills,
		framework,
		mapped: report.framework,
		byClass: report.byClass,
		classPage: { ...classPage, groups: report.classGroups },
		byYear: report.byYear,
		options: report.options,
		filter,
		query: event.url.search
	};
};

export const actions: Actions = {
	batch: async (event) => {
		const admin = requireRole(event, 'admin');
		const result = await actOn(async () => ({ jobId: await startBatchExport(getDb(), admin, {}) }));
		if ('jobId' in result) redirect(303, `/exports/${result.jobId}`);
		return result;
	}
};
