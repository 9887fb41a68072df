import { requireUser } from '$lib/server/auth/guards';
import { getDb } from '$lib/server/db/connection';
import { learnerReportPdf } from '$lib/server/reports/learner-pdf';
import { idParam, orHttpError } from '$lib/server/http';
import type { RequestHandler } from './$types';

/** The learning report as a PDF made on the server; past the person's PDF allowance, a 429 page. */
export const GET: RequestHandler = async (event) => {
	const user = requireUser(event);
	const learnerId = idParam(event.params.learnerId, 'learner');
	const { pdf, learnerName } = await orHttpError(() => learnerReportPdf(getDb(), user, learnerId));
	const name = learnerName.replace(/[^\p{L}\p{N} .-]/gu, '').trim() || 'learner';
	return new Response(new Uint8Array(pdf), {
		headers: {
			'content-type': 'application/pdf',
			'content-disposition': `attachment; filename="learning-report.pdf"; filename*=UTF-8''${encodeURIComponent(`Learning report - ${name}.pdf`)}`,
			'cache-control': 'private, no-store'
		}
	});
};
