import { createWriteStream } from 'node:fs';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { Zip, ZipPassThrough } from 'fflate';
import type { DB } from '../db/connection';
import type { SessionUser } from '../auth/sessions';
import { learnerReport } from './learner-report';
import { renderLearnerReportPdf } from './pdf';

export interface ZipLearner {
	id: number;
	givenName: string;
	familyName: string;
	username: string;
}

/**
 * Every learner's report as a PDF in one zip written to `path`, a learner at a time (the zip
 * streams to the file, so memory holds one PDF, not the class). Each entry is named after the
 * learner ("Family Given.pdf", the username added when two share a name). `onProgress` hears how
 * many are done after each. Run in a report worker (`workers/report-worker.ts`); on a failure the
 * half-written file is the caller's to delete. `beforeLearner` runs before each learner's report:
 * by default the next turn of the event loop (other tasks of the same worker, a CSV's next page or
 * a PDF, go between learners); the worker steps back for saves there (`workers/pacing.ts`).
 */
export async function writeLearnerReportsZip(
	db: DB,
	user: SessionUser,
	learners: ZipLearner[],
	path: string,
	onProgress: (done: number) => void,
	beforeLearner: () => Promise<unknown> = nextTurn
): Promise<void> {
	const out = createWriteStream(path, { mode: 0o600 });
	const zip = new Zip((problem, chunk, final) => {
		if (problem) out.destroy(problem);
		else out.write(chunk);
		if (final) out.end();
	});
	const finished = new Promise<void>((resolve, reject) => {
		out.on('finish', resolve);
		out.on('error', reject);
	});
	// A write error is thrown at `await finished`; until then it must not count as unhandled.
	finished.catch(() => {});
	try {
		const used = new Set<string>();
		for (const [index, learner] of learners.entries()) {
			await beforeLearner();
			const pdf = await renderLearnerReportPdf(
				await learnerReport(db, user, learner.id),
				user.schoolName
			);
			let name =
				`${learner.familyName} ${learner.givenName}`.replace(/[^\p{L}\p{N} .-]/gu, '').trim() ||
				learner.username;
			if (used.has(name)) name = `${name} (${learner.username})`;
			used.add(name);
			const entry = new ZipPassThrough(`${name}.pdf`);
			zip.add(entry);
			entry.push(new Uint8Array(pdf), true);
			onProgress(index + 1);
		}
		zip.end();
		await finished;
	} catch (problem) {
		zip.terminate();
		out.destroy();
		throw problem;
	}
}
