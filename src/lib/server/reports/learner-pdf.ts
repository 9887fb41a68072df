import type { DB } from '../db/connection';
import type { SessionUser } from '../auth/sessions';
import { hasRole } from '../auth/guards';
import { learnerReport } from './learner-report';
import { LEARNER_PDFS_FOR_A_LEARNER, LEARNER_PDFS_FOR_STAFF, takeAllowance } from '../limits';
import { learnerPdfFromWorker } from '../workers/report-pool';
import { WorkerTaskError } from '../workers/pool';

/**
 * A learner's report as a PDF for someone who may see it, counted against that person's PDF
 * allowance (in the database, so it holds across restarts): past it, a 429 saying when to try
 * again, and no PDF is drawn. The access check comes first, so a refused outsider uses none. The
 * report is read here and drawn in a report worker (`reports/pdf.ts` there); a PDF the worker
 * fails to draw gives its piece of the allowance back, since the failure page says to try again,
 * unless it ran until the worker's timeout.
 */
export async function learnerReportPdf(
	db: DB,
	user: SessionUser,
	learnerId: number,
	now: Date = new Date(),
	draw: typeof learnerPdfFromWorker = learnerPdfFromWorker
): Promise<{ pdf: Buffer; learnerName: string }> {
	const report = await learnerReport(db, user, learnerId);
	const staff = hasRole(user, 'teacher', 'admin');
	const allowance = staff ? LEARNER_PDFS_FOR_STAFF : LEARNER_PDFS_FOR_A_LEARNER;
	const minutes = allowance.windowMs / 60_000;
	const taken = await takeAllowance(
		db,
		user.id,
		'learner_report_pdf',
		allowance,
		(wait) =>
			`You have made ${allowance.max} PDF reports in the last ${minutes} minutes, the most one person can. Try again in ${wait}` +
			(staff ? ', or use the class export for a whole class.' : '.'),
		now
	);
	try {
		return {
			pdf: await draw(report, user.schoolName),
			learnerName: report.profile.learner.name
		};
	} catch (problem) {
		if (!ranPastTimeout(problem)) await taken.giveBack();
		throw problem;
	}
}

/**
 * A PDF whose drawing was stopped at the worker's timeout spent that time: it stays counted, so
 * the allowance still bounds how much of it one person can cause. Other failures gave nothing.
 */
function ranPastTimeout(problem: unknown): boolean {
	const cause = problem instanceof Error ? problem.cause : undefined;
	return cause instanceof WorkerTaskError && cause.stuck;
}
