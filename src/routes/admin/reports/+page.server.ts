import { redirect } from '@sveltejs/kit';
import { requireRole } from '$lib/server/auth/guards';
import { getDb } from '$lib/server/db/connection';
import { schoolFusionSummary } from '$lib/server/reports/school-report';
import { startBatchExport } from '$lib/server/reports/batch';
import { actOn } from '$lib/server/http';
import { classPageOf, reportFilter } from '$lib/schemas/reports';
import { frameworkViewOf } from '$lib/schemas/frameworks';
import { classFilterChoices } from '$lib/domain/report-filters';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const admin = requireRole(event, 'admin');
	const filter = reportFilter(event.url.searchParams);
	const framework = frameworkViewOf(event.url.searchParams);
	const classPage = classPageOf(event.url.searchParams);
	// The page shows the summaries, the class table a page at a time (so its cost follows neither
	// the learners nor the classes); the CSV and JSON downloads hold every class and learner.
	const report = await schoolFusionSummary(getDb(), admin.schoolId, filter, framework, classPage);
	// A page past the last (an old link, or a filter with fewer classes) goes to the last page,
	// not to an empty table with no pager back.
	const lastPage = Math.max(1, Math.ceil(report.classGroups / classPage.size));
	if (classPage.page > lastPage) {
		const query = new URLSearchParams(event.url.searchParams);
		if (lastPage === 1) query.delete('classes');
		else query.set('classes', String(lastPage));
		const search = query.toString();
		redirect(302, `${event.url.pathname}${search ? `?${search}` : ''}`);
	}
	return {
		skills: report.skills,
		framework,
		mapped: report.framework,
		byClass: report.byClass,
		classPage: { ...classPage, groups: report.classGroups },
		byYear: report.byYear,
		options: { years: report.options.years, terms: report.options.terms },
		// A big school's class filter lists one year group's classes (domain/report-filters.ts).
		classChoices: classFilterChoices(report.options.classes, filter),
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
