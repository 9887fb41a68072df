import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { readFile, unlink, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileTypeFromBuffer } from 'file-type';
import type { Insertable } from 'kysely';
import type { DB } from '../db/connection';
import type { EvidenceTable } from '../db/schema';
import type { SessionUser } from '../auth/sessions';
import { hasRole } from '../auth/guards';
import { recordAudit } from '../audit';
import { DEFAULT_DATABASE_PATH } from '../db/connection';
import { requireTaskToLearn, type TaskToLearn } from '../auth/task-guards';
import {
	ALLOWED_EVIDENCE_TYPES,
	isSafeEvidenceLink,
	judgeUpload,
	MAX_EVIDENCE_PER_SUBMISSION,
	neutralEvidenceName,
	safeFileName
} from '../../domain/evidence';
import { cleanEvidenceFile } from './clean-evidence';
import { nowIso } from '../clock';
import { Refusal } from '../errors';

export interface EvidenceItem {
	id: number;
	kind: 'text' | 'link' | 'file';
	title: string;
	body: string;
	url: string | null;
	fileName: string | null;
	fileMime: string | null;
	fileSize: number | null;
	createdAt: string;
}

export async function evidenceOf(db: DB, submissionId: number | null): Promise<EvidenceItem[]> {
	if (submissionId === null) return [];
	return db
		.selectFrom('evidence')
		.select([
			'id',
			'kind',
			'title',
			'body',
			'url',
			'file_name as fileName',
			'file_mime as fileMime',
			'file_size as fileSize',
			'created_at as createdAt'
		])
		.where('submission_id', '=', submissionId)
		.orderBy('id')
		.execute();
}

/**
 * Uploads live beside the database, outside `static/`, and are only ever served through
 * `evidenceFile`.
 */
export function uploadsDirectory(): string {
	const dir =
		process.env.UPLOADS_DIR ||
		join(dirname(resolve(process.env.DATABASE_PATH || DEFAULT_DATABASE_PATH)), 'uploads');
	mkdirSync(dir, { recursive: true });
	return dir;
}

export type EvidenceInput =
	| { kind: 'text'; title: string; body: string }
	| { kind: 'link'; title: string; url: string }
	| { kind: 'file'; title: string; file: File };

/**
 * The learner's submission on a task, made on first use; refused once submitted. Nothing is written
 * for a refusal.
 */
async function openSubmission(
	db: DB,
	learner: SessionUser,
	taskOrId: number | TaskToLearn,
	create: boolean
) {
	const task = await requireTaskToLearn(db, learner, taskOrId);
	const existing = await db
		.selectFrom('submissions')
		.select(['id', 'self_state as selfState'])
		.where('task_id', '=', task.id)
		.where('learner_id', '=', learner.id)
		.executeTakeFirst();
	if (existing?.selfState === 'submitted') {
		throw new Refusal(
			'Your self-assessment is submitted, so its evidence is locked. Ask your teacher to reopen it.',
			409
		);
	}
	if (existing) return existing;
	if (!create) throw new Refusal('That evidence is not part of your work on this task.', 404);
	const now = nowIso();
	return db
		.insertInto('submissions')
		.values({
			task_id: task.id,
			learner_id: learner.id,
			self_state: 'in_progress',
			updated_at: now
		})
		.onConflict((oc) => oc.columns(['task_id', 'learner_id']).doUpdateSet({ updated_at: now }))
		.returning(['id', 'self_state as selfState'])
		.executeTakeFirstOrThrow();
}

export async function addEvidence(
	db: DB,
	learner: SessionUser,
	taskOrId: number | TaskToLearn,
	input: EvidenceInput
): Promise<number> {
	// Check the input before touching anything, so a refused upload writes nothing.
	let file: { bytes: Uint8Array; mime: string } | null = null;
	if (input.kind === 'link' && !isSafeEvidenceLink(input.url))
		throw new Refusal('A link must be a web address starting with https:// or http://.');
	if (input.kind === 'file') {
		const early = judgeUpload({ size: input.file.size, sniffedMime: 'application/pdf' }); // size first, before reading it into memory
		if (!early.ok) throw new Refusal(early.message);
		const bytes = new Uint8Array(await input.file.arrayBuffer());
		const verdict = judgeUpload({
			size: bytes.byteLength,
			sniffedMime: (await fileTypeFromBuffer(bytes))?.mime
		});
		if (!verdict.ok) throw new Refusal(verdict.message);
		file = { bytes: await cleanEvidenceFile(bytes, verdict.mime), mime: verdict.mime };
	}
	const submission = await openSubmission(db, learner, taskOrId, true);
	const count = await db
		.selectFrom('evidence')
		.select((e) => e.fn.countAll<number>().as('n'))
		.where('submission_id', '=', submission.id)
		.executeTakeFirstOrThrow();
	if (Number(count.n) >= MAX_EVIDENCE_PER_SUBMISSION)
		throw new Refusal(`A task can have at most ${MAX_EVIDENCE_PER_SUBMISSION} pieces of evidence.`);

	const base = {
		submission_id: submission.id,
		kind: input.kind,
		title: input.title,
		created_at: nowIso()
	} as const;
	if (input.kind === 'text') return insertEvidence(db, learner, { ...base, body: input.body });
	if (input.kind === 'link') return insertEvidence(db, learner, { ...base, url: input.url });

	const storageKey = randomBytes(16).toString('hex');
	const path = join(uploadsDirectory(), storageKey);
	await writeFile(path, file!.bytes, { flag: 'wx', mode: 0o600 });
	const fileName = safeFileName((input as { file: File }).file.name);
	try {
		return await insertEvidence(db, learner, {
			...base,
			title: input.title || fileName,
			file_name: fileName,
			file_mime: file!.mime,
			file_size: file!.bytes.byteLength,
			storage_key: storageKey,
			cleaned_at: base.created_at
		});
	} catch (problem) {
		await unlink(path).catch(() => {});
		throw problem;
	}
}

async function insertEvidence(
	db: DB,
	learner: SessionUser,
	values: Insertable<EvidenceTable>
): Promise<number> {
	return db.transaction().execute(async (trx) => {
		const { id } = await trx
			.insertInto('evidence')
			.values(values)
			.returning('id')
			.executeTakeFirstOrThrow();
		await recordAudit(trx, {
			schoolId: learner.schoolId,
			actorId: learner.id,
			action: 'evidence.add',
			entityType: 'evidence',
			entityId: String(id),
			after: { kind: values.kind, title: values.title }
		});
		return id;
	});
}

export async function removeEvidence(
	db: DB,
	learner: SessionUser,
	taskOrId: number | TaskToLearn,
	evidenceId: number
) {
	const submission = await openSubmission(db, learner, taskOrId, false);
	const item = await db
		.selectFrom('evidence')
		.select(['id', 'storage_key', 'title'])
		.where('id', '=', evidenceId)
		.where('submission_id', '=', submission.id)
		.executeTakeFirst();
	if (!item) throw new Refusal('That evidence is not part of your work on this task.', 404);
	await db.transaction().execute(async (trx) => {
		await trx.deleteFrom('evidence').where('id', '=', item.id).execute();
		await recordAudit(trx, {
			schoolId: learner.schoolId,
			actorId: learner.id,
			action: 'evidence.remove',
			entityType: 'evidence',
			entityId: String(item.id),
			before: { title: item.title }
		});
	});
	if (item.storage_key) await unlink(join(uploadsDirectory(), item.storage_key)).catch(() => {});
}

/**
 * The work's evidence as an anonymous peer reviewer sees it: each file named by its place among the
 * files ("Evidence 1.png"), and a title that was only the file's name replaced the same way. The
 * same numbering names the file when the reviewer downloads it (`evidenceFile`).
 */
export function evidenceForReviewer(items: EvidenceItem[]): Omit<EvidenceItem, 'createdAt'>[] {
	let position = 0;
	return items.map(({ createdAt: _, ...item }) => {
		if (item.kind !== 'file') return item;
		const name = neutralEvidenceName(++position, item.fileMime);
		return { ...item, title: item.title === item.fileName ? name : item.title, fileName: name };
	});
}

/**
 * An uploaded file, for someone allowed to see it: the learner who made it, a peer allocated to
 * review that work (under a neutral name), a teacher of the task's class, or an admin of the
 * school. Anyone else is told it does not exist.
 */
export async function evidenceFile(db: DB, user: SessionUser, evidenceId: number) {
	const item = await db
		.selectFrom('evidence')
		.innerJoin('submissions', 'submissions.id', 'evidence.submission_id')
		.innerJoin('tasks', 'tasks.id', 'submissions.task_id')
		.innerJoin('classes', 'classes.id', 'tasks.class_id')
		.select((eb) => [
			'evidence.file_name as fileName',
			'evidence.file_mime as mime',
			'evidence.storage_key as storageKey',
			'evidence.cleaned_at as cleanedAt',
			'evidence.submission_id as submissionId',
			'submissions.learner_id as learnerId',
			'classes.school_id as schoolId',
			eb
				.exists(
					eb
						.selectFrom('class_teachers')
						.select('class_teachers.teacher_id')
						.whereRef('class_teachers.class_id', '=', 'tasks.class_id')
						.where('class_teachers.teacher_id', '=', user.id)
				)
				.as('teaches'),
			// A second marker marks this work, so sees its files as the class teacher does.
			eb
				.exists(
					eb
						.selectFrom('task_markers')
						.select('task_markers.marker_id')
						.whereRef('task_markers.task_id', '=', 'tasks.id')
						.where('task_markers.marker_id', '=', user.id)
				)
				.as('marks'),
			// As requireOwnAllocation: a reviewer still in the class, peer review on, task published.
			eb
				.exists(
					eb
						.selectFrom('peer_allocations')
						.innerJoin('enrolments', (join) =>
							join
								.onRef('enrolments.learner_id', '=', 'peer_allocations.reviewer_id')
								.on('enrolments.class_id', '=', eb.ref('tasks.class_id'))
						)
						.select('peer_allocations.id')
						.whereRef('peer_allocations.submission_id', '=', 'submissions.id')
						.where('peer_allocations.reviewer_id', '=', user.id)
						.where('tasks.state', '=', 'published')
						.where('tasks.peer_enabled', '=', 1)
				)
				.as('reviews')
		])
		.where('evidence.id', '=', evidenceId)
		.where('evidence.kind', '=', 'file')
		.executeTakeFirst();
	const seesOriginal =
		item &&
		item.schoolId === user.schoolId &&
		(item.learnerId === user.id ||
			(hasRole(user, 'teacher') && Boolean(item.teaches || item.marks)) ||
			hasRole(user, 'admin'));
	const allowed =
		item && item.schoolId === user.schoolId && (seesOriginal || Boolean(item.reviews));
	if (!item || !allowed || !item.storageKey || !item.mime)
		throw new Refusal('That file does not exist, or is not yours to see.', 404);
	// A file stored before uploads were cleaned, and not cleaned since (`clean-stored-evidence.ts`
	// could not open it), may still say where it was made or by whom: not for anonymous reviewers.
	if (!seesOriginal && !item.cleanedAt)
		throw new Refusal(
			'That file could not be checked for hidden details (such as where a photo was taken), so only the learner and their teachers can open it.',
			403
		);
	const bytes = await readFile(join(uploadsDirectory(), item.storageKey)).catch(() => null);
	if (!bytes)
		throw new Refusal(
			'That file is missing from storage. Ask the learner to upload it again.',
			404
		);
	let fileName = item.fileName ?? 'evidence';
	if (!seesOriginal) {
		const files = await db
			.selectFrom('evidence')
			.select('id')
			.where('submission_id', '=', item.submissionId)
			.where('kind', '=', 'file')
			.orderBy('id')
			.execute();
		fileName = neutralEvidenceName(files.findIndex((f) => f.id === evidenceId) + 1, item.mime);
	}
	return {
		bytes,
		mime: item.mime,
		fileName,
		inline: ALLOWED_EVIDENCE_TYPES[item.mime]?.inline ?? false
	};
}
