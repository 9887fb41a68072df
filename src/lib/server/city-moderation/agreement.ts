import type { DB } from '../db/connection';
import { scaleBandsOf } from '../scales/scales';
import { teacherResult } from '../../domain/results';
import { agreementWorking, markerAgreement, type AgreementPair } from '../../domain/moderation';
import { round2 } from '../../domain/peer-review';
import { suppressed } from '../../domain/city-moderation';

/**
 * Agreement per school × criterion code of a round: the moderator's blind mark (first) against
 * the school's teacher result (second: the agreed grade, else the marker's grade, else the markers'
 * mean, `domain/results.ts`) on the same piece, each piece on its own task's scale, with the same
 * figures as second marking (`markerAgreement`, `agreementWorking` in `domain/moderation.ts`).
 * Only pieces whose grades are still released count. With `suppressSmall`, a cell resting on
 * 1 to 4 pieces carries no figure and no count: only that it is "fewer than 5" (a cell with none
 * is simply not marked yet).
 */
export async function roundAgreement(
	db: DB,
	roundId: number,
	codes: readonly string[],
	options: { suppressSmall: boolean; schoolId?: number }
) {
	if (codes.length === 0) return { criteria: [], cells: [] };
	let rowsQuery = db
		.selectFrom('city_moderation_samples as s')
		.innerJoin('submissions', 'submissions.id', 's.submission_id')
		.innerJoin('tasks', 'tasks.id', 'submissions.task_id')
		.innerJoin('task_criteria', 'task_criteria.task_id', 'tasks.id')
		.innerJoin('criteria', 'criteria.id', 'task_criteria.criterion_id')
		.leftJoin('city_moderation_marks as m', (join) =>
			join.onRef('m.sample_id', '=', 's.id').onRef('m.criterion_id', '=', 'criteria.id')
		)
		.leftJoin('agreed_grades as ag', (join) =>
			join
				.onRef('ag.submission_id', '=', 's.submission_id')
				.onRef('ag.criterion_id', '=', 'criteria.id')
		)
		.select([
			's.school_id as schoolId',
			's.submission_id as submissionId',
			'submissions.released_at as releasedAt',
			'criteria.id as criterionId',
			'criteria.code',
			'criteria.title',
			'tasks.scale_id as scaleId',
			'm.value as moderatorValue',
			'ag.value as agreedValue'
		])
		.where('s.round_id', '=', roundId)
		.where('criteria.code', 'in', [...codes]);
	if (options.schoolId !== undefined)
		rowsQuery = rowsQuery.where('s.school_id', '=', options.schoolId);
	const rows = await rowsQuery.orderBy('s.id').orderBy('criteria.id').execute();
	const submissionIds = [...new Set(rows.map((r) => r.submissionId))];
	const [markerGrades, bandsByScale] = await Promise.all([
		submissionIds.length
			? db
					.selectFrom('assessments')
					.select(['submission_id as submissionId', 'criterion_id as criterionId', 'value'])
					.where('role', '=', 'teacher')
					.where('value', 'is not', null)
					.where('submission_id', 'in', (eb) =>
						eb
							.selectFrom('city_moderation_samples')
							.select('submission_id')
							.where('round_id', '=', roundId)
					)
					.orderBy('id')
					.execute()
			: Promise.resolve([]),
		scaleBandsOf(db, [...new Set(rows.map((r) => r.scaleId))])
	]);

	const pairsByCell = new Map<string, AgreementPair[]>();
	for (const row of rows) {
		const key = `${row.schoolId} ${row.code}`;
		if (!pairsByCell.has(key)) pairsByCell.set(key, []);
		if (row.moderatorValue === null || row.releasedAt === null) continue;
		const result = teacherResult(
			markerGrades
				.filter((g) => g.submissionId === row.submissionId && g.criterionId === row.criterionId)
				.map((g) => g.value),
			row.agreedValue
		);
		if (!result) continue;
		pairsByCell.get(key)!.push({
			first: row.moderatorValue,
			second: result.value,
			bands: bandsByScale.get(row.scaleId) ?? []
		});
	}

	const titles = new Map<string, string>();
	for (const row of rows) if (!titles.has(row.code)) titles.set(row.code, row.title);
	const cells = [...pairsByCell.entries()].map(([key, pairs]) => {
		const [schoolId, code] = [Number(key.split(' ')[0]), key.slice(key.indexOf(' ') + 1)];
		if (options.suppressSmall && pairs.length > 0 && suppressed(pairs.length))
			return { schoolId, code, shown: false as const };
		const figures = markerAgreement([], pairs);
		const working = agreementWorking([], pairs);
		return {
			schoolId,
			code,
			shown: true as const,
			...figures,
			working: { ...working, differenceSum: round2(working.differenceSum) }
		};
	});
	return {
		criteria: [...codes].sort().map((code) => ({ code, title: titles.get(code) ?? '' })),
		cells
	};
}

export type RoundAgreement = Awaited<ReturnType<typeof roundAgreement>>;
export type AgreementCell = RoundAgreement['cells'][number];
