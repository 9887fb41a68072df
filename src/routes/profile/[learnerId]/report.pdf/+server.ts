import { requireUser } from '$lib/server/auth/guards';
import { getDb } from '$lib/server/db/connection';
import { learnerReport } from '$lib/server/reports/learner-report';
import { renderLearnerReportPdf } from '$lib/server/reports/pdf';
import { idParam } from '$lib/server/http';
import type { RequestHandler } from './$types';

/** The learning report as a PDF made on the server. */
export const GET: RequestHandler = async (event) => {
	const user = requireUser(event);
	const learnerId = idParam(event.params.learnerId, 'learner');
	const report = await learnerReport(getDb(), user, learnerId);
	const pdf = await renderLearnerReportPdf(report, user.schoolName);
	const name = report.profile.learner.name.replace(/[^\p{L}\p{N} .-]/gu, '').trim() || 'learner';
	return new Response(new Uint8Array(pdf), {
		headers: {
			'content-type': 'application/pdf',
			'content-disposition': `attachment; filename="learning-report.pdf"; filename*=UTF-8''${encodeURIComponent(`Learning report - ${name}.pdf`)}`,
			'cache-control': 'private, no-store'
		}
	});
};
