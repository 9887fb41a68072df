import type { DB } from '../db/connection';
import { chunks } from '../db/chunks';
import { crosswalkFor, fusionSkills } from '../frameworks/frameworks';
import { criterionSkillWeights } from '../../domain/crosswalk';
import { teacherResult } from '../../domain/results';
import { gradesVisibleToLearnerSql } from '../assessment/grade-visibility';
import type { CriterionResult } from '../../domain/profiles';
import type { Band } from '../../domain/scales';

export interface ResultScope {
	schoolId: number;
	learnerId?: number;
	/** several learners at once (the aggregates' refresh) */
	learnerIds?: readonly number[];
	classId?: number;
	/** one task's results only (with `learnerIds`: what a release adds to their totals) */
	taskId?: number;
	yearGroup?: string;
	/**
	 * the learner's own judgements too (profiles need them; school reports do not, and skipping them
	 * halves the rows read)
	 */
	includeSelf?: boolean;
}

/**
 * Every released result in scope, per learner: one entry per (task, criterion) with the teacher
 * result (agreed grades first), the learner's own judgement, the criterion's task weight and its
 * Fusion Skill shares. "Released" means the learner may see it (`gradesVisibleToLearnerSql`): grades
 * held back until the learner submits their self-assessment count nowhere yet, so no profile,
 * report or badge rule shows what the task page still holds back. Set-based whatever the number of
 * learners: six queries for a school or class, and for some learners their submissions first, then
 * five by those submissions and tasks (a few more past 1,000 submissions).
 */
export async function releasedResults(
	db: DB,
	scope: ResultScope
): Promise<Map<number, CriterionResult[]>> {
	const submissionsQuery = db
		.selectFrom('submissions')
		.innerJoin('tasks', 'tasks.id', 'submissions.task_id')
		.innerJoin('classes', 'classes.id', 'tasks.class_id')
		.where('classes.school_id', '=', scope.schoolId)
		.where(gradesVisibleToLearnerSql())
		.$if(scope.learnerId !== undefined, (qb) =>
			qb.where('submissions.learner_id', '=', scope.learnerId!)
		)
		.$if(scope.learnerIds !== undefined, (qb) =>
			qb.where('submissions.learner_id', 'in', scope.learnerIds!.length ? scope.learnerIds! : [-1])
		)
		.$if(scope.classId !== undefined, (qb) => qb.where('tasks.class_id', '=', scope.classId!))
		.$if(scope.taskId !== undefined, (qb) => qb.where('submissions.task_id', '=', scope.taskId!))
		.$if(scope.yearGroup !== undefined, (qb) =>
			qb.where('submissions.learner_id', 'in', (eb) =>
				eb
					.selectFrom('memberships')
					.select('user_id')
					.where('school_id', '=', scope.schoolId)
					.where('year_group', '=', scope.yearGroup!)
			)
		);

	const taskCriteriaQuery = () =>
		db
			.selectFrom('task_criteria')
			.innerJoin('tasks', 'tasks.id', 'task_criteria.task_id')
			.innerJoin('classes', 'classes.id', 'tasks.class_id')
			.innerJoin('criteria', 'criteria.id', 'task_criteria.criterion_id')
			.innerJoin('framework_items as sub', 'sub.id', 'criteria.capri_item_id')
			.innerJoin('framework_items as category', 'category.id', 'sub.parent_id')
			.select([
				'task_criteria.task_id as taskId',
				'task_criteria.criterion_id as criterionId',
				'task_criteria.weight',
				'criteria.code',
				'criteria.capri_item_id as capriItemId',
				'category.code as category'
			])
			.where('classes.school_id', '=', scope.schoolId);
	const ownTasksOnly = scope.learnerId !== undefined || scope.learnerIds !== undefined;
	const roles: ('self' | 'teacher')[] =
		scope.includeSelf === false ? ['teacher'] : ['self', 'teacher'];
	const judgementColumns = [
		'assessments.submission_id as submissionId',
		'assessments.criterion_id as criterionId',
		'assessments.value'
	] as const;
	const agreedColumns = [
		'agreed_grades.submission_id as submissionId',
		'agreed_grades.criterion_id as criterionId',
		'agreed_grades.value'
	] as const;
	const readSubmissions = () =>
		submissionsQuery
			.select([
				'submissions.id',
				'submissions.learner_id as learnerId',
				'tasks.id as taskId',
				'tasks.title',
				'tasks.scale_id as scaleId',
				'submissions.released_at as releasedAt'
			])
			.execute();
	// Some learners' results (a profile, a PDF, the aggregates' refresh): their submissions first,
	// then the judgements, agreed grades and criteria of exactly those submissions and tasks, each
	// by its own index. Joined in one query instead, PostgreSQL planned the judgements as a scan of
	// every submission of the database (140 ms for a class of 29 at 10,000 learners).
	// A whole school or class reads everything in scope by joins, as the submissions' list would be
	// the school's.
	const [submissions, assessments, agreed, taskCriteria, crosswalk, scaleBands] =
		await (async () => {
			// Started inside each Promise.all below, so a failure is always someone's to handle.
			const common = () =>
				[
					crosswalkFor(db, scope.schoolId),
					db
						.selectFrom('grade_bands')
						.select(['scale_id as scaleId', 'position', 'min_value as minValue', 'label'])
						.orderBy('scale_id')
						.orderBy('position')
						.execute()
				] as const;
			if (ownTasksOnly) {
				const submissions = await readSubmissions();
				const ids = chunks(
					submissions.map((s) => s.id),
					1000
				);
				const taskIds = chunks([...new Set(submissions.map((s) => s.taskId))], 1000);
				const [judgements, agreed, taskCriteria, crosswalk, scaleBands] = await Promise.all([
					Promise.all(
						ids.map((part) =>
							db
								.selectFrom('assessments')
								.select((eb) => [
									...judgementColumns,
									eb('assessments.role', '=', 'self').$castTo<0 | 1>().as('isSelf')
								])
								.where('assessments.submission_id', 'in', part)
								.where('assessments.role', 'in', roles)
								.where('assessments.value', 'is not', null)
								.execute()
						)
					),
					Promise.all(
						ids.map((part) =>
							db
								.selectFrom('agreed_grades')
								.select(agreedColumns)
								.where('agreed_grades.submission_id', 'in', part)
								.execute()
						)
					),
					Promise.all(
						taskIds.map((part) =>
							taskCriteriaQuery().where('task_criteria.task_id', 'in', part).execute()
						)
					),
					...common()
				]);
				return [
					submissions,
					judgements.flat(),
					agreed.flat(),
					taskCriteria.flat(),
					crosswalk,
					scaleBands
				] as const;
			}
			return Promise.all([
				readSubmissions(),
				submissionsQuery
					.innerJoin('assessments', 'assessments.submission_id', 'submissions.id')
					.select((eb) => [
						...judgementColumns,
						// a number, not the role's text: one string fewer per row on a read of hundreds of thousands
						eb('assessments.role', '=', 'self').$castTo<0 | 1>().as('isSelf')
					])
					.where('assessments.role', 'in', roles)
					.where('assessments.value', 'is not', null)
					.execute(),
				submissionsQuery
					.innerJoin('agreed_grades', 'agreed_grades.submission_id', 'submissions.id')
					.select(agreedColumns)
					.execute(),
				taskCriteriaQuery()
					.$if(scope.classId !== undefined, (qb) => qb.where('tasks.class_id', '=', scope.classId!))
					.$if(scope.taskId !== undefined, (qb) =>
						qb.where('task_criteria.task_id', '=', scope.taskId!)
					)
					.execute(),
				...common()
			]);
		})();

	const criterionIds = [...new Set(taskCriteria.map((t) => t.criterionId))];
	const overrides = criterionIds.length
		? await db
				.selectFrom('criterion_skill_weights')
				.innerJoin('criteria', 'criteria.id', 'criterion_skill_weights.criterion_id')
				.select([
					'criterion_skill_weights.criterion_id as criterionId',
					'criterion_skill_weights.fusion_item_id as fusionItemId',
					'criterion_skill_weights.weight'
				])
				.where('criteria.school_id', '=', scope.schoolId)
				.$if(ownTasksOnly, (qb) =>
					qb.where('criterion_skill_weights.criterion_id', 'in', criterionIds)
				)
				.execute()
		: [];

	const bandsByScale = new Map<number, Pick<Band, 'minValue' | 'label'>[]>();
	for (const b of scaleBands)
		pushTo(bandsByScale, b.scaleId, { minValue: b.minValue, label: b.label });
	const overridesByCriterion = new Map<number, typeof overrides>();
	for (const o of overrides) pushTo(overridesByCriterion, o.criterionId, o);
	const sharesByCriterion = new Map<number, Map<number, number>>();
	for (const c of taskCriteria) {
		if (sharesByCriterion.has(c.criterionId)) continue;
		sharesByCriterion.set(
			c.criterionId,
			criterionSkillWeights(
				{ capriItemId: c.capriItemId, overrides: overridesByCriterion.get(c.criterionId) ?? [] },
				crosswalk
			)
		);
	}
	const criteriaByTask = new Map<number, typeof taskCriteria>();
	for (const c of taskCriteria) pushTo(criteriaByTask, c.taskId, c);
	// Grouped by submission (a handful of rows each) rather than keyed by "submission:criterion"
	// strings: a whole-school report reads hundreds of thousands of rows, and the strings were
	// most of its garbage.
	const judgementsBySubmission = new Map<number, typeof assessments>();
	for (const a of assessments) pushTo(judgementsBySubmission, a.submissionId, a);
	const agreedBySubmission = new Map<number, typeof agreed>();
	for (const a of agreed) pushTo(agreedBySubmission, a.submissionId, a);

	const byLearner = new Map<number, CriterionResult[]>();
	for (const s of submissions) {
		let list = byLearner.get(s.learnerId);
		if (!list) byLearner.set(s.learnerId, (list = []));
		const judgements = judgementsBySubmission.get(s.id) ?? [];
		const agreedHere = agreedBySubmission.get(s.id);
		for (const c of criteriaByTask.get(s.taskId) ?? []) {
			const teacherValues: number[] = [];
			let selfValue: number | null = null;
			for (const j of judgements) {
				if (j.criterionId !== c.criterionId) continue;
				if (j.isSelf) selfValue = j.value;
				else teacherValues.push(j.value!);
			}
			const agreedValue = agreedHere?.find((a) => a.criterionId === c.criterionId)?.value ?? null;
			const result = teacherResult(teacherValues, agreedValue);
			if (!result) continue;
			list.push({
				taskId: s.taskId,
				taskTitle: s.title,
				releasedAt: s.releasedAt!,
				criterionId: c.criterionId,
				criterionCode: c.code,
				capriCategory: c.category ?? '',
				taskWeight: c.weight,
				bands: bandsByScale.get(s.scaleId) ?? [],
				teacherValue: result.value,
				selfValue,
				skillShares: sharesByCriterion.get(c.criterionId) ?? new Map()
			});
		}
	}
	return byLearner;
}

export async function skillList(db: DB) {
	return (await fusionSkills(db)).map((s) => ({
		id: s.id,
		code: s.code,
		title: s.title,
		identifier: s.identifier
	}));
}

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
	const list = map.get(key);
	if (list) list.push(value);
	else map.set(key, [value]);
}
