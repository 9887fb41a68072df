import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DB } from '../db/connection';
import type { SessionUser } from '../auth/sessions';
import { hasRole } from '../auth/guards';
import { nowIso } from '../clock';
import { Refusal } from '../errors';
import { renderMarkdown } from '../markdown';
import { assessmentCards } from '../assessment/cards';
import { evidenceOf, uploadsDirectory } from '../assessment/evidence';
import { ALLOWED_EVIDENCE_TYPES, neutralEvidenceName } from '../../domain/evidence';
import { addressNamesSomeone, anonymisedText } from '../../domain/city-moderation';

/**
 * A teacher's blind marking of work from other schools of their city (docs/CITY-MODERATION.md).
 * The one rule, in `samplesOf`: a sample allocated to this teacher, from a school they do not
 * belong to in any role, in a round of the city their school belongs to. Whatever is returned carries the work
 * only: no learner, school, class, task title, grade or self-assessment.
 */

const NOT_YOURS = 'That sample does not exist, or is not yours to moderate.';

function samplesOf(db: DB, teacher: SessionUser) {
	return (
		db
			.selectFrom('city_moderation_samples as s')
			.innerJoin('city_moderation_rounds as r', 'r.id', 's.round_id')
			.innerJoin('schools as mine', (join) =>
				join.onRef('mine.city_id', '=', 'r.city_id').on('mine.id', '=', teacher.schoolId)
			)
			.innerJoin('schools as theirs', (join) =>
				join.onRef('theirs.id', '=', 's.school_id').onRef('theirs.city_id', '=', 'r.city_id')
			)
			.where('s.moderator_id', '=', teacher.id)
			.where('s.school_id', '<>', teacher.schoolId)
			// Nor from any other school they belong to (a teacher of two schools, or one who joined
			// the sampled school after the draw).
			.where(({ not, exists, selectFrom }) =>
				not(
					exists(
						selectFrom('memberships')
							.select('memberships.user_id')
							.where('memberships.user_id', '=', teacher.id)
							.whereRef('memberships.school_id', '=', 's.school_id')
					)
				)
			)
	);
}

/** A teacher (not an admin alone) of a school: the only people who moderate. */
function requireTeacher(user: SessionUser) {
	if (!hasRole(user, 'teacher') || user.schoolId === 0)
		throw new Refusal('Only teachers moderate work of other schools.', 403);
}

/** The samples waiting for this teacher, by round (newest first), each by its code. */
export async function samplesToModerate(db: DB, teacher: SessionUser) {
	if (!hasRole(teacher, 'teacher')) return [];
	const rows = await samplesOf(db, teacher)
		.select([
			's.id',
			's.code',
			's.marked_at as markedAt',
			'r.id as roundId',
			'r.title as roundTitle',
			'r.closed_at as closedAt',
			'r.created_at as createdAt'
		])
		.orderBy('r.created_at', 'desc')
		.orderBy('r.id', 'desc')
		.orderBy('s.code')
		.execute();
	const rounds: {
		id: number;
		title: string;
		closed: boolean;
		samples: { id: number; code: string; marked: boolean }[];
	}[] = [];
	for (const row of rows) {
		let round = rounds.find((r) => r.id === row.roundId);
		if (!round) {
			round = {
				id: row.roundId,
				title: row.roundTitle,
				closed: row.closedAt !== null,
				samples: []
			};
			rounds.push(round);
		}
		round.samples.push({ id: row.id, code: row.code, marked: row.markedAt !== null });
	}
	return rounds;
}

export async function requireSampleToModerate(db: DB, teacher: SessionUser, sampleId: number) {
	requireTeacher(teacher);
	const sample = await samplesOf(db, teacher)
		.innerJoin('submissions', 'submissions.id', 's.submission_id')
		.innerJoin('tasks', 'tasks.id', 'submissions.task_id')
		.innerJoin('classes', 'classes.id', 'tasks.class_id')
		.innerJoin('users as learner', 'learner.id', 'submissions.learner_id')
		.select([
			's.id',
			's.code',
			's.submission_id as submissionId',
			's.marked_at as markedAt',
			'r.title as roundTitle',
			'r.criterion_codes as codes',
			'r.closed_at as closedAt',
			'tasks.id as taskId',
			'tasks.scale_id as scaleId',
			'tasks.brief_markdown as brief',
			// Read only to take these names out of what the learner wrote; never returned.
			'learner.given_name as givenName',
			'learner.family_name as familyName',
			'learner.username',
			'theirs.name as schoolName',
			'classes.name as className'
		])
		.where('s.id', '=', sampleId)
		// The work is still the school's it was drawn from (a class moved elsewhere is not served).
		.whereRef('classes.school_id', '=', 's.school_id')
		.executeTakeFirst();
	if (!sample) throw new Refusal(NOT_YOURS, 404);
	return { ...sample, codes: JSON.parse(sample.codes) as string[] };
}

/** The criteria of the round found on the piece's task, in the task's order. */
async function sampleCriteria(db: DB, sample: Awaited<ReturnType<typeof requireSampleToModerate>>) {
	const cards = await assessmentCards(db, sample.taskId, sample.scaleId);
	return {
		bands: cards.bands,
		criteria: cards.criteria.filter((c) => sample.codes.includes(c.code))
	};
}

/**
 * The piece as its moderator sees it: the brief and the learner's evidence with the learner's,
 * class's and school's names taken out of the text, files named "Evidence 1.png" and served by
 * `sampleEvidenceFile`; the round's criteria on the task's scale, and this moderator's own marks.
 */
export async function sampleToMark(db: DB, teacher: SessionUser, sampleId: number) {
	const sample = await requireSampleToModerate(db, teacher, sampleId);
	const who = {
		givenName: sample.givenName,
		familyName: sample.familyName,
		username: sample.username,
		schoolName: sample.schoolName,
		className: sample.className
	};
	const [{ bands, criteria }, evidence, marks] = await Promise.all([
		sampleCriteria(db, sample),
		evidenceOf(db, sample.submissionId),
		db
			.selectFrom('city_moderation_marks')
			.select(['criterion_id as criterionId', 'value'])
			.where('sample_id', '=', sample.id)
			.orderBy('criterion_id')
			.execute()
	]);
	let filePosition = 0;
	return {
		sample: {
			id: sample.id,
			code: sample.code,
			roundTitle: sample.roundTitle,
			closed: sample.closedAt !== null,
			marked: sample.markedAt !== null
		},
		briefHtml: renderMarkdown(anonymisedText(sample.brief, who)),
		evidence: evidence.map((item) => {
			if (item.kind === 'file') {
				const position = ++filePosition;
				const name = neutralEvidenceName(position, item.fileMime);
				return { kind: 'file' as const, title: name, position, mime: item.fileMime ?? '' };
			}
			if (item.kind === 'link')
				return {
					kind: 'link' as const,
					title: anonymisedText(item.title, who),
					// An address that names the learner or the school is not shown at all.
					url: addressNamesSomeone(item.url ?? '', who) ? null : (item.url ?? '')
				};
			return {
				kind: 'text' as const,
				title: anonymisedText(item.title, who),
				body: anonymisedText(item.body, who)
			};
		}),
		bands,
		criteria: criteria.map((c) => ({
			criterionId: c.criterionId,
			code: c.code,
			title: c.title,
			description: c.description,
			colour: c.colour,
			categoryTitle: c.categoryTitle,
			descriptors: c.descriptors,
			value: marks.find((m) => m.criterionId === c.criterionId)?.value ?? null
		}))
	};
}

/**
 * Saves the moderator's marks on the piece (a null clears one), all in one transaction; the piece
 * counts as marked once every criterion is placed. Refused once the round is closed.
 */
export async function saveSampleMarks(
	db: DB,
	teacher: SessionUser,
	sampleId: number,
	marks: readonly { criterionId: number; value: number | null }[]
) {
	const sample = await requireSampleToModerate(db, teacher, sampleId);
	if (sample.closedAt !== null)
		throw new Refusal('This moderation round is closed: its marks no longer change.', 409);
	const { criteria } = await sampleCriteria(db, sample);
	const ids = new Set(criteria.map((c) => c.criterionId));
	if (marks.some((m) => !ids.has(m.criterionId)))
		throw new Refusal('Mark only this piece’s criteria.');
	return db.transaction().execute(async (trx) => {
		const now = nowIso();
		for (const mark of marks) {
			if (mark.value === null)
				await trx
					.deleteFrom('city_moderation_marks')
					.where('sample_id', '=', sample.id)
					.where('criterion_id', '=', mark.criterionId)
					.execute();
			else
				await trx
					.insertInto('city_moderation_marks')
					.values({
						sample_id: sample.id,
						criterion_id: mark.criterionId,
						value: mark.value,
						updated_at: now
					})
					.onConflict((oc) =>
						oc
							.columns(['sample_id', 'criterion_id'])
							.doUpdateSet({ value: mark.value!, updated_at: now })
					)
					.execute();
		}
		const placed = await trx
			.selectFrom('city_moderation_marks')
			.select((eb) => eb.fn.countAll().as('placed'))
			.where('sample_id', '=', sample.id)
			.where('criterion_id', 'in', [...ids])
			.executeTakeFirstOrThrow();
		const complete = Number(placed.placed) === ids.size;
		await trx
			.updateTable('city_moderation_samples')
			.set({ marked_at: complete ? now : null })
			.where('id', '=', sample.id)
			.execute();
		return { complete, placed: Number(placed.placed), of: ids.size };
	});
}

/**
 * The piece's n-th file, to its moderator only, under its neutral name. Only a file cleaned of its
 * metadata (`evidence.cleaned_at`) is served: one that could not be cleaned is refused.
 */
export async function sampleEvidenceFile(
	db: DB,
	teacher: SessionUser,
	sampleId: number,
	position: number
) {
	const sample = await requireSampleToModerate(db, teacher, sampleId);
	const files = await db
		.selectFrom('evidence')
		.select(['id', 'file_mime as mime', 'storage_key as storageKey', 'cleaned_at as cleanedAt'])
		.where('submission_id', '=', sample.submissionId)
		.where('kind', '=', 'file')
		.orderBy('id')
		.execute();
	const file = files[position - 1];
	if (!file || !file.storageKey || !file.mime)
		throw new Refusal('That file is not part of this sample.', 404);
	if (!file.cleanedAt)
		throw new Refusal(
			'That file could not be checked for hidden details (such as where a photo was taken), so it is not shown to moderators.',
			403
		);
	const bytes = await readFile(join(uploadsDirectory(), file.storageKey)).catch(() => null);
	if (!bytes) throw new Refusal('That file is missing from storage.', 404);
	return {
		bytes,
		mime: file.mime,
		fileName: neutralEvidenceName(position, file.mime),
		inline: ALLOWED_EVIDENCE_TYPES[file.mime]?.inline ?? false
	};
}
