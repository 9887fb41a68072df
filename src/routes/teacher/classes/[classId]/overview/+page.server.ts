import { redirect } from '@sveltejs/kit';
import { requireRole, requireClassAccess } from '$lib/server/auth/guards';
import { getDb } from '$lib/server/db/connection';
import { schoolFusionReport } from '$lib/server/reports/school-report';
import { startBatchExport } from '$lib/server/reports/batch';
import { actOn, idParam } from '$lib/server/http';
import { frameworkViewOf } from '$lib/schemas/frameworks';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const teacher = requireRole(event, 'teacher', 'admin');
	const db = getDb();
	const schoolClass = await requireClassAccess(
		db,
		teacher,
		idParam(event.params.classId, 'class'),
		'teach'
	);
	const framework = frameworkViewOf(event.url.searchParams);
	const report = await schoolFusionReport(
		db,
		teacher.schoolId,
		{ classId: schoolClass.id },
		framework
	);
	const learners = [
		...new Map(report.rows.map((r) => [r.learnerId, { id: r.learnerId, name: r.name }])).values()
	];
	return {
		schoolClass: { id: schoolClass.id, name: schoolClass.name },
		skills: report.skills,
		framework,
		mapped: report.framework,
		learners: learners.map((l) => ({
			...l,
			skills: report.rows
				.filter((r) => r.learnerId === l.id)
				.map((r) => ({ code: r.skillCode, words: r.words, evidence: r.evidenceCount }))
		})),
		summary: report.byClass.find((g) => g.group === schoolClass.name) ?? null
	};
};

export const actions: Actions = {
	batch: async (event) => {
		const teacher = requireRole(event, 'teacher', 'admin');
		const classId = idParam(event.params.classId, 'class');
		// startBatchExport checks that the teacher teaches the class.
		const result = await actOn(async () => ({
			jobId: await startBatchExport(getDb(), teacher, { classId })
		}));
		if ('jobId' in result) redirect(303, `/exports/${result.jobId}`);
		return result;
	}
};
