import { randomUUID } from 'node:crypto';
import { createWriteStream, mkdirSync } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Zip, ZipPassThrough } from 'fflate';
import type { DB } from '../db/connection';
import type { SessionUser } from '../auth/sessions';
import { hasRole, requireClassAccess } from '../auth/guards';
import { recordAudit } from '../audit';
import { uploadsDirectory } from '../assessment/evidence';
import { nowIso } from '../clock';
import { learnerReport } from './learner-report';
import { renderLearnerReportPdf } from './pdf';
import { Refusal } from '../errors';

/**
 * Jobs this process is running; a job left "running" by a previous process was cut off by a
 * restart.
 */
const running = new Set<string>();

export async function startBatchExport(db: DB, user: SessionUser, scope: { classId?: number }) {
	if (scope.classId !== undefined) await requireClassAccess(db, user, scope.classId, 'teach');
	else if (!hasRole(user, 'admin'))
		throw new Refusal('Only school admins can export the whole school.', 403);
	const learners = await db
		.selectFrom('memberships')
		.innerJoin('users', 'users.id', 'memberships.user_id')
		.select([
			'users.id',
			'users.given_name as givenName',
			'users.family_name as familyName',
			'users.username'
		])
		.where('memberships.school_id', '=', user.schoolId)
		.where('memberships.role', '=', 'student')
		.where('users.active', '=', 1)
		.$if(scope.classId !== undefined, (qb) =>
			qb.where('users.id', 'in', (eb) =>
				eb.selectFrom('enrolments').select('learner_id').where('class_id', '=', scope.classId!)
			)
		)
		.orderBy('users.family_name')
		.orderBy('users.given_name')
		.execute();
	if (learners.length === 0) throw new Refusal('There are no learners to export.');
	const id = randomUUID();
	await db.transaction().execute(async (trx) => {
		await trx
			.insertInto('export_jobs')
			.values({
				id,
				school_id: user.schoolId,
				requested_by: user.id,
				kind: 'learner_reports_zip',
				params_json: JSON.stringify(scope),
				state: 'queued',
				total: learners.length,
				created_at: nowIso()
			})
			.execute();
		await recordAudit(trx, {
			schoolId: user.schoolId,
			actorId: user.id,
			action: 'export.batch_reports',
			entityType: 'export_job',
			entityId: id,
			after: { ...scope, learners: learners.length }
		});
	});
	running.add(id);
	// In the background: the request returns at once and the page shows progress.
	setImmediate(() => void runBatch(db, user, id, learners));
	return id;
}

async function runBatch(
	db: DB,
	user: SessionUser,
	jobId: string,
	learners: { id: number; givenName: string; familyName: string; username: string }[]
) {
	const dir = join(uploadsDirectory(), 'exports');
	mkdirSync(dir, { recursive: true });
	const path = join(dir, `${jobId}.zip`);
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
	try {
		await db.updateTable('export_jobs').set({ state: 'running' }).where('id', '=', jobId).execute();
		const used = new Set<string>();
		for (const [index, learner] of learners.entries()) {
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
			await db
				.updateTable('export_jobs')
				.set({ progress: index + 1 })
				.where('id', '=', jobId)
				.execute();
			await new Promise((resolve) => setImmediate(resolve)); // let requests in between learners
		}
		zip.end();
		await finished;
		const recorded = await db
			.updateTable('export_jobs')
			.set({ state: 'done', file_path: path, finished_at: nowIso() })
			.where('id', '=', jobId)
			.executeTakeFirst();
		// The job was deleted while it ran (a learner in it was erased): its file goes too.
		if (Number(recorded.numUpdatedRows) === 0) await unlink(path).catch(() => {});
	} catch (problem) {
		console.error(`[export ${jobId}]`, problem);
		zip.terminate();
		out.destroy();
		await db
			.updateTable('export_jobs')
			.set({
				state: 'failed',
				error:
					'The export stopped with an error. Try again; if it happens again, tell the school admin.',
				finished_at: nowIso()
			})
			.where('id', '=', jobId)
			.execute();
	} finally {
		running.delete(jobId);
	}
}

/**
 * A job, for the person who asked for it or a school admin; anyone else is told it does not exist.
 */
export async function exportJob(db: DB, user: SessionUser, jobId: string) {
	const job = await db
		.selectFrom('export_jobs')
		.selectAll()
		.where('id', '=', jobId)
		.where('school_id', '=', user.schoolId)
		.executeTakeFirst();
	if (!job || (job.requested_by !== user.id && !hasRole(user, 'admin')))
		throw new Refusal('That export does not exist.', 404);
	const interrupted = (job.state === 'running' || job.state === 'queued') && !running.has(job.id);
	return {
		id: job.id,
		state: interrupted ? ('failed' as const) : job.state,
		progress: job.progress,
		total: job.total,
		error: interrupted
			? 'The export was interrupted by a server restart. Start it again.'
			: job.error,
		filePath: job.state === 'done' ? job.file_path : null,
		createdAt: job.created_at,
		scope: JSON.parse(job.params_json) as { classId?: number }
	};
}

/**
 * Deletes every batch export that may hold this learner's report — jobs for the whole of their
 * school, or for a class they are or were enrolled in — file and row, whatever the job's state.
 * Called when a learner is erased; returns how many exports were deleted.
 */
export async function deleteExportsContaining(db: DB, learnerId: number): Promise<number> {
	const [schools, classes] = await Promise.all([
		db.selectFrom('memberships').select('school_id').where('user_id', '=', learnerId).execute(),
		db.selectFrom('enrolments').select('class_id').where('learner_id', '=', learnerId).execute()
	]);
	if (schools.length === 0) return 0;
	const classIds = new Set(classes.map((c) => c.class_id));
	const jobs = await db
		.selectFrom('export_jobs')
		.select(['id', 'params_json', 'file_path'])
		.where(
			'school_id',
			'in',
			schools.map((s) => s.school_id)
		)
		.execute();
	const holding = jobs.filter((job) => {
		const scope = JSON.parse(job.params_json) as { classId?: number };
		return scope.classId === undefined || classIds.has(scope.classId);
	});
	for (const job of holding) {
		await db.deleteFrom('export_jobs').where('id', '=', job.id).execute();
		const paths = new Set([job.file_path, join(uploadsDirectory(), 'exports', `${job.id}.zip`)]);
		for (const path of paths) if (path) await unlink(path).catch(() => {});
	}
	return holding.length;
}
