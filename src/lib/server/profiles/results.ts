import type { DB } from '../db/connection';
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
 * report or badge rule shows what the task page still holds back. Six set-based queries whatever the number of learners, so a whole-school
 * report costs the same number of round trips as one learner's profile.
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
		.$if(scope.yearGroup !== undefined, (qb) =>
			qb.where('submissions.learner_id', 'in', (eb) =>
				eb
					.selectFrom('memberships')
					.select('user_id')
					.where('school_id', '=', scope.schoolId)
					.where('year_group', '=', scope.yearGroup!)
			)
		);

	const ownTasksOnly = scope.learnerId !== undefined || scope.learnerIds !== undefined;
	const [submissions, assessments, agreed, taskCriteria, crosswalk, scaleBands] = await Promise.all(
		[
			submissionsQuery
				.select([
					'submissions.id',
					'submissions.learner_id as learnerId',
					'tasks.id as taskId',
					'tasks.title',
					'tasks.scale_id as scaleId',
					'submissions.released_at as releasedAt'
				])
				.execute(),
			submissionsQuery
				.innerJoin('assessments', 'assessments.submission_id', 'submissions.id')
				.select((eb) => [
					'assessments.submission_id as submissionId',
					'assessments.criterion_id as criterionId',
					// a number, not the role's text: one string fewer per row on a read of hundreds of thousands
					eb('assessments.role', '=', 'self').$castTo<0 | 1>().as('isSelf'),
					'assessments.value'
				])
				.where(
					'assessments.role',
					'in',
					scope.includeSelf === false ? ['teacher'] : ['self', 'teacher']
				)
				.where('assessments.value', 'is not', null)
				.execute(),
			submissionsQuery
				.innerJoin('agreed_grades', 'agreed_grades.submission_id', 'submissions.id')
				.select([
					'agreed_grades.submission_id as submissionId',
					'agreed_grades.criterion_id as criterionId',
					'agreed_grades.value'
				])
				.execute(),
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
				.where('classes.school_id', '=', scope.schoolId)
				.$if(scope.classId !== undefined, (qb) => qb.where('tasks.class_id', '=', scope.classId!))
				// One learner's profile reads that learner's tasks, not the whole school's: its cost
				// stays the same however big the school grows.
				.$if(ownTasksOnly, (qb) =>
					qb.where('task_criteria.task_id', 'in', submissionsQuery.select('submissions.task_id'))
				)
				.execute(),
			crosswalkFor(db, scope.schoolId),
			db
				.selectFrom('grade_bands')
				.select(['scale_id as scaleId', 'position', 'min_value as minValue', 'label'])
				.orderBy('scale_id')
				.orderBy('position')
				.execute()
		]
	);

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
