import type { DB } from '../db/connection';
import type { SessionUser } from '../auth/sessions';
import { requireTaskToTeach, type TaskToTeach } from '../auth/task-guards';
import { recordAudit } from '../audit';
import { Refusal } from '../errors';
import { refreshAggregatesForTasks } from '../profiles/aggregates';

// A task's criteria: which, in what order and weight, with their descriptors and what they assess.

/** The task's criteria in order, with each criterion's CAPRI colour and codes. */
export async function taskCriteria(db: DB, taskId: number) {
	return db
		.selectFrom('task_criteria')
		.innerJoin('criteria', 'criteria.id', 'task_criteria.criterion_id')
		.innerJoin('framework_items as sub', 'sub.id', 'criteria.capri_item_id')
		.innerJoin('framework_items as category', 'category.id', 'sub.parent_id')
		.select([
			'task_criteria.id as taskCriterionId',
			'task_criteria.position',
			'task_criteria.weight',
			'criteria.id as criterionId',
			'criteria.lineage_id as lineageId',
			'criteria.version',
			'criteria.superseded_at as supersededAt',
			'criteria.code',
			'criteria.title',
			'criteria.description',
			'sub.title as subCategoryTitle',
			'category.code as categoryCode',
			'category.title as categoryTitle',
			'category.colour'
		])
		.where('task_criteria.task_id', '=', taskId)
		.orderBy('task_criteria.position')
		.execute();
}

/** Band descriptors for a set of criteria, keyed by criterion id (one query). */
export async function descriptorsFor(
	db: DB,
	criterionIds: number[]
): Promise<Map<number, string[]>> {
	const rows = criterionIds.length
		? await db
				.selectFrom('criterion_band_descriptors')
				.select(['criterion_id as criterionId', 'band_position as position', 'descriptor'])
				.where('criterion_id', 'in', criterionIds)
				.orderBy('band_position')
				.execute()
		: [];
	const map = new Map<number, string[]>();
	for (const row of rows) {
		const list = map.get(row.criterionId) ?? [];
		list[row.position] = row.descriptor;
		map.set(row.criterionId, list);
	}
	return map;
}

async function hasAssessmentsOn(db: DB, taskId: number, criterionId: number): Promise<boolean> {
	const row = await db
		.selectFrom('assessments')
		.innerJoin('submissions', 'submissions.id', 'assessments.submission_id')
		.select('assessments.id')
		.where('submissions.task_id', '=', taskId)
		.where('assessments.criterion_id', '=', criterionId)
		.limit(1)
		.executeTakeFirst();
	return Boolean(row);
}

export async function addTaskCriterion(
	db: DB,
	user: SessionUser,
	taskOrId: number | TaskToTeach,
	criterionId: number
) {
	const task = await requireTaskToTeach(db, user, taskOrId);
	const taskId = task.id;
	const criterion = await db
		.selectFrom('criteria')
		.select(['id', 'scale_id', 'superseded_at', 'lineage_id', 'title'])
		.where('id', '=', criterionId)
		.where('school_id', '=', user.schoolId)
		.executeTakeFirst();
	if (!criterion) throw new Refusal('That criterion is not in your school’s bank.');
	if (criterion.superseded_at)
		throw new Refusal('That is an old version of the criterion; add the current one.');
	if (criterion.scale_id !== task.scale_id) {
		throw new Refusal(
			`“${criterion.title}” is written for a different grade scale from this task’s. Copy it onto this scale in the bank, or change the task’s scale.`
		);
	}
	const existing = await taskCriteria(db, taskId);
	if (existing.some((c) => c.lineageId === criterion.lineage_id))
		throw new Refusal(`“${criterion.title}” is already in this task.`);
	if (existing.length >= 20) throw new Refusal('A task can have at most 20 criteria.');
	await db.transaction().execute(async (trx) => {
		await trx
			.insertInto('task_criteria')
			.values({
				task_id: taskId,
				criterion_id: criterionId,
				position: (existing.at(-1)?.position ?? 0) + 1,
				weight: 1
			})
			.execute();
		await refreshAggregatesForTasks(trx, [taskId]);
		await recordAudit(trx, {
			schoolId: user.schoolId,
			actorId: user.id,
			action: 'task.add_criterion',
			entityType: 'task',
			entityId: String(taskId),
			after: { criterionId }
		});
	});
}

async function requireTaskCriterion(db: DB, taskId: number, taskCriterionId: number) {
	const row = await db
		.selectFrom('task_criteria')
		.selectAll()
		.where('id', '=', taskCriterionId)
		.where('task_id', '=', taskId)
		.executeTakeFirst();
	if (!row) throw new Refusal('That criterion is not part of this task.');
	return row;
}

export async function removeTaskCriterion(
	db: DB,
	user: SessionUser,
	taskOrId: number | TaskToTeach,
	taskCriterionId: number
) {
	const taskId = (await requireTaskToTeach(db, user, taskOrId)).id;
	const row = await requireTaskCriterion(db, taskId, taskCriterionId);
	if (await hasAssessmentsOn(db, taskId, row.criterion_id)) {
		throw new Refusal(
			'Learners have already been assessed on this criterion, so it stays in the task to keep their record intact.'
		);
	}
	await db.transaction().execute(async (trx) => {
		await trx.deleteFrom('task_criteria').where('id', '=', taskCriterionId).execute();
		await refreshAggregatesForTasks(trx, [taskId]);
		await recordAudit(trx, {
			schoolId: user.schoolId,
			actorId: user.id,
			action: 'task.remove_criterion',
			entityType: 'task',
			entityId: String(taskId),
			before: { criterionId: row.criterion_id }
		});
	});
}

export async function moveTaskCriterion(
	db: DB,
	user: SessionUser,
	taskOrId: number | TaskToTeach,
	taskCriterionId: number,
	direction: 'up' | 'down'
) {
	const taskId = (await requireTaskToTeach(db, user, taskOrId)).id;
	await requireTaskCriterion(db, taskId, taskCriterionId);
	const ordered = await taskCriteria(db, taskId);
	const index = ordered.findIndex((c) => c.taskCriterionId === taskCriterionId);
	const swapWith = ordered[direction === 'up' ? index - 1 : index + 1];
	if (!swapWith) return;
	const self = ordered[index]!;
	await db.transaction().execute(async (trx) => {
		await trx
			.updateTable('task_criteria')
			.set({ position: swapWith.position })
			.where('id', '=', self.taskCriterionId)
			.execute();
		await trx
			.updateTable('task_criteria')
			.set({ position: self.position })
			.where('id', '=', swapWith.taskCriterionId)
			.execute();
	});
}

export async function setTaskCriterionWeight(
	db: DB,
	user: SessionUser,
	taskOrId: number | TaskToTeach,
	taskCriterionId: number,
	weight: number
) {
	const taskId = (await requireTaskToTeach(db, user, taskOrId)).id;
	const row = await requireTaskCriterion(db, taskId, taskCriterionId);
	await db.transaction().execute(async (trx) => {
		await trx
			.updateTable('task_criteria')
			.set({ weight })
			.where('id', '=', taskCriterionId)
			.execute();
		await refreshAggregatesForTasks(trx, [taskId]);
		await recordAudit(trx, {
			schoolId: user.schoolId,
			actorId: user.id,
			action: 'task.weight',
			entityType: 'task',
			entityId: String(taskId),
			before: { criterionId: row.criterion_id, weight: row.weight },
			after: { weight }
		});
	});
}

/**
 * Which Fusion Skills a task assesses and how much, with the working: each criterion's shares and
 * whether they come from its sub-category's crosswalk or its own weights.
 */
export async function taskSkillSummary(db: DB, schoolId: number, taskId: number) {
	const { crosswalkFor, fusionSkills } = await import('../frameworks/frameworks');
	const { criterionSkillWeights, taskSkillWeights } = await import('../../domain/crosswalk');
	const criteria = await taskCriteria(db, taskId);
	const ids = criteria.map((c) => c.criterionId);
	const [crosswalk, skills, overrides, capri] = await Promise.all([
		crosswalkFor(db, schoolId),
		fusionSkills(db),
		ids.length
			? db
					.selectFrom('criterion_skill_weights')
					.select(['criterion_id as criterionId', 'fusion_item_id as fusionItemId', 'weight'])
					.where('criterion_id', 'in', ids)
					.execute()
			: Promise.resolve([]),
		ids.length
			? db
					.selectFrom('criteria')
					.select(['id', 'capri_item_id as capriItemId'])
					.where('id', 'in', ids)
					.execute()
			: Promise.resolve([])
	]);
	const mapping = (criterionId: number) => ({
		capriItemId: capri.find((c) => c.id === criterionId)!.capriItemId,
		overrides: overrides.filter((o) => o.criterionId === criterionId)
	});
	const { weights, unmappedCriterionIds } = taskSkillWeights(
		criteria.map((c) => ({
			criterionId: c.criterionId,
			taskWeight: c.weight,
			mapping: mapping(c.criterionId)
		})),
		crosswalk
	);
	const skillName = new Map(skills.map((s) => [s.id, s]));
	return {
		skills: skills
			.filter((s) => weights.has(s.id))
			.map((s) => ({ code: s.code, title: s.title, share: weights.get(s.id)! })),
		perCriterion: criteria.map((c) => {
			const m = mapping(c.criterionId);
			return {
				code: c.code,
				title: c.title,
				taskWeight: c.weight,
				source: m.overrides.length ? 'own weights' : 'sub-category crosswalk',
				shares: [...criterionSkillWeights(m, crosswalk)].map(([id, share]) => ({
					code: skillName.get(id)!.code,
					share
				}))
			};
		}),
		unmapped: criteria
			.filter((c) => unmappedCriterionIds.includes(c.criterionId))
			.map((c) => c.code)
	};
}
