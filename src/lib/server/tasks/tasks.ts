import type { DB } from '../db/connection';
import type { SessionUser } from '../auth/sessions';
import { requireClassAccess } from '../auth/guards';
import { requireTaskToTeach } from '../auth/task-guards';
import { recordAudit } from '../audit';
import { learnerTaskStatus } from '../../domain/task-status';
import type { TaskSettings } from '../../schemas/tasks';
import { Refusal } from '../errors';

function settingsColumns(s: TaskSettings) {
	return {
		title: s.title,
		brief_markdown: s.brief,
		due_at: s.dueAt,
		scale_id: s.scaleId,
		self_required_before_release: s.selfRequiredBeforeRelease ? 1 : 0,
		self_marker_visibility: s.selfMarkerVisibility,
		peer_enabled: s.peerEnabled ? 1 : 0,
		peer_reviewers_per_learner: s.peerReviewersPerLearner,
		peer_allocation: s.peerAllocation,
		peer_anonymous: s.peerAnonymous ? 1 : 0,
		peer_opens_at: s.peerOpensAt,
		peer_closes_at: s.peerClosesAt,
		group_task: s.groupTask ? 1 : 0
	} as const;
}

async function requireUsableScale(db: DB, schoolId: number, scaleId: number) {
	const scale = await db
		.selectFrom('grade_scales')
		.select('id')
		.where('id', '=', scaleId)
		.where((eb) => eb.or([eb('school_id', 'is', null), eb('school_id', '=', schoolId)]))
		.executeTakeFirst();
	if (!scale) throw new Refusal('Choose one of your school’s grade scales.');
}

export async function createTask(db: DB, teacher: SessionUser, classId: number, settings: TaskSettings): Promise<number> {
	await requireClassAccess(db, teacher, classId, 'teach');
	await requireUsableScale(db, teacher.schoolId, settings.scaleId);
	return db.transaction().execute(async (trx) => {
		const now = new Date().toISOString();
		const { id } = await trx
			.insertInto('tasks')
			.values({ class_id: classId, ...settingsColumns(settings), state: 'draft', created_by: teacher.id, created_at: now, updated_at: now })
			.returning('id')
			.executeTakeFirstOrThrow();
		await recordAudit(trx, { schoolId: teacher.schoolId, actorId: teacher.id, action: 'task.create', entityType: 'task', entityId: String(id), after: { title: settings.title, classId } });
		return id;
	});
}

export async function updateTaskSettings(db: DB, user: SessionUser, taskId: number, settings: TaskSettings) {
	const task = await requireTaskToTeach(db, user, taskId);
	await requireUsableScale(db, user.schoolId, settings.scaleId);
	if (settings.scaleId !== task.scale_id) {
		const attached = await db.selectFrom('task_criteria').select('id').where('task_id', '=', taskId).limit(1).executeTakeFirst();
		if (attached) throw new Refusal('Remove the criteria before changing the scale: each criterion describes the bands of its own scale.');
	}
	await db.transaction().execute(async (trx) => {
		await trx.updateTable('tasks').set({ ...settingsColumns(settings), updated_at: new Date().toISOString() }).where('id', '=', taskId).execute();
		await recordAudit(trx, { schoolId: user.schoolId, actorId: user.id, action: 'task.settings', entityType: 'task', entityId: String(taskId), after: settings });
	});
}

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
export async function descriptorsFor(db: DB, criterionIds: number[]): Promise<Map<number, string[]>> {
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

export async function addTaskCriterion(db: DB, user: SessionUser, taskId: number, criterionId: number) {
	const task = await requireTaskToTeach(db, user, taskId);
	const criterion = await db
		.selectFrom('criteria')
		.select(['id', 'scale_id', 'superseded_at', 'lineage_id', 'title'])
		.where('id', '=', criterionId)
		.where('school_id', '=', user.schoolId)
		.executeTakeFirst();
	if (!criterion) throw new Refusal('That criterion is not in your school’s bank.');
	if (criterion.superseded_at) throw new Refusal('That is an old version of the criterion; add the current one.');
	if (criterion.scale_id !== task.scale_id) {
		throw new Refusal(`“${criterion.title}” is written for a different grade scale from this task’s. Copy it onto this scale in the bank, or change the task’s scale.`);
	}
	const existing = await taskCriteria(db, taskId);
	if (existing.some((c) => c.lineageId === criterion.lineage_id)) throw new Refusal(`“${criterion.title}” is already in this task.`);
	if (existing.length >= 20) throw new Refusal('A task can have at most 20 criteria.');
	await db.transaction().execute(async (trx) => {
		await trx
			.insertInto('task_criteria')
			.values({ task_id: taskId, criterion_id: criterionId, position: (existing.at(-1)?.position ?? 0) + 1, weight: 1 })
			.execute();
		await recordAudit(trx, { schoolId: user.schoolId, actorId: user.id, action: 'task.add_criterion', entityType: 'task', entityId: String(taskId), after: { criterionId } });
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

export async function removeTaskCriterion(db: DB, user: SessionUser, taskId: number, taskCriterionId: number) {
	await requireTaskToTeach(db, user, taskId);
	const row = await requireTaskCriterion(db, taskId, taskCriterionId);
	if (await hasAssessmentsOn(db, taskId, row.criterion_id)) {
		throw new Refusal('Learners have already been assessed on this criterion, so it stays in the task to keep their record intact.');
	}
	await db.transaction().execute(async (trx) => {
		await trx.deleteFrom('task_criteria').where('id', '=', taskCriterionId).execute();
		await recordAudit(trx, { schoolId: user.schoolId, actorId: user.id, action: 'task.remove_criterion', entityType: 'task', entityId: String(taskId), before: { criterionId: row.criterion_id } });
	});
}

export async function moveTaskCriterion(db: DB, user: SessionUser, taskId: number, taskCriterionId: number, direction: 'up' | 'down') {
	await requireTaskToTeach(db, user, taskId);
	await requireTaskCriterion(db, taskId, taskCriterionId);
	const ordered = await taskCriteria(db, taskId);
	const index = ordered.findIndex((c) => c.taskCriterionId === taskCriterionId);
	const swapWith = ordered[direction === 'up' ? index - 1 : index + 1];
	if (!swapWith) return;
	const self = ordered[index]!;
	await db.transaction().execute(async (trx) => {
		await trx.updateTable('task_criteria').set({ position: swapWith.position }).where('id', '=', self.taskCriterionId).execute();
		await trx.updateTable('task_criteria').set({ position: self.position }).where('id', '=', swapWith.taskCriterionId).execute();
	});
}

export async function setTaskCriterionWeight(db: DB, user: SessionUser, taskId: number, taskCriterionId: number, weight: number) {
	await requireTaskToTeach(db, user, taskId);
	const row = await requireTaskCriterion(db, taskId, taskCriterionId);
	await db.transaction().execute(async (trx) => {
		await trx.updateTable('task_criteria').set({ weight }).where('id', '=', taskCriterionId).execute();
		await recordAudit(trx, { schoolId: user.schoolId, actorId: user.id, action: 'task.weight', entityType: 'task', entityId: String(taskId), before: { criterionId: row.criterion_id, weight: row.weight }, after: { weight } });
	});
}

export async function setTaskState(db: DB, user: SessionUser, taskId: number, state: 'draft' | 'published' | 'archived') {
	const task = await requireTaskToTeach(db, user, taskId);
	if (state === 'published') {
		const count = (await taskCriteria(db, taskId)).length;
		if (count === 0) throw new Refusal('Add at least one criterion before publishing the task.');
	}
	if (state === 'draft' && task.state === 'published') {
		const started = await db.selectFrom('submissions').select('id').where('task_id', '=', taskId).limit(1).executeTakeFirst();
		if (started) throw new Refusal('Learners have started this task, so it cannot go back to draft. Archive it instead.');
	}
	await db.transaction().execute(async (trx) => {
		await trx.updateTable('tasks').set({ state, updated_at: new Date().toISOString() }).where('id', '=', taskId).execute();
		await recordAudit(trx, { schoolId: user.schoolId, actorId: user.id, action: `task.${state}`, entityType: 'task', entityId: String(taskId), before: { state: task.state }, after: { state } });
	});
}

/** A class's tasks for its teacher, with progress counts, in one query. */
export async function listClassTasks(db: DB, classId: number) {
	const rows = await db
		.selectFrom('tasks')
		.select((eb) => [
			'tasks.id',
			'tasks.title',
			'tasks.state',
			'tasks.due_at as dueAt',
			'tasks.peer_enabled as peerEnabled',
			eb.selectFrom('task_criteria').select((e) => e.fn.countAll<number>().as('n')).whereRef('task_criteria.task_id', '=', 'tasks.id').as('criteriaCount'),
			eb
				.selectFrom('submissions')
				.select((e) => e.fn.countAll<number>().as('n'))
				.whereRef('submissions.task_id', '=', 'tasks.id')
				.where('submissions.self_state', '=', 'submitted')
				.as('selfSubmitted'),
			eb
				.selectFrom('submissions')
				.select((e) => e.fn.countAll<number>().as('n'))
				.whereRef('submissions.task_id', '=', 'tasks.id')
				.where('submissions.released_at', 'is not', null)
				.as('released')
		])
		.where('tasks.class_id', '=', classId)
		.where('tasks.state', '!=', 'archived')
		.orderBy('tasks.created_at', 'desc')
		.execute();
	return rows.map((r) => ({
		...r,
		criteriaCount: Number(r.criteriaCount ?? 0),
		selfSubmitted: Number(r.selfSubmitted ?? 0),
		released: Number(r.released ?? 0)
	}));
}

/** Every published task of a learner's classes with where they stand on it (one query). */
export async function listLearnerTasks(db: DB, learnerId: number) {
	const rows = await db
		.selectFrom('tasks')
		.innerJoin('enrolments', 'enrolments.class_id', 'tasks.class_id')
		.innerJoin('classes', 'classes.id', 'tasks.class_id')
		.leftJoin('submissions', (join) =>
			join.onRef('submissions.task_id', '=', 'tasks.id').on('submissions.learner_id', '=', learnerId)
		)
		.select((eb) => [
			'tasks.id',
			'tasks.title',
			'tasks.due_at as dueAt',
			'classes.name as className',
			'submissions.self_state as selfState',
			'submissions.released_at as releasedAt',
			eb.selectFrom('task_criteria').select((e) => e.fn.countAll<number>().as('n')).whereRef('task_criteria.task_id', '=', 'tasks.id').as('criteriaCount'),
			eb
				.selectFrom('assessments')
				.select((e) => e.fn.count<number>('assessments.criterion_id').distinct().as('n'))
				.whereRef('assessments.submission_id', '=', 'submissions.id')
				.where('assessments.role', '=', 'teacher')
				.where('assessments.value', 'is not', null)
				.as('teacherGraded')
		])
		.where('enrolments.learner_id', '=', learnerId)
		.where('tasks.state', '=', 'published')
		.orderBy('tasks.due_at')
		.orderBy('tasks.created_at', 'desc')
		.execute();
	return rows.map((r) => ({
		id: r.id,
		title: r.title,
		dueAt: r.dueAt,
		className: r.className,
		status: learnerTaskStatus({
			selfState: r.selfState,
			releasedAt: r.releasedAt,
			criteriaCount: Number(r.criteriaCount ?? 0),
			teacherGradedCount: Number(r.teacherGraded ?? 0)
		})
	}));
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
			? db.selectFrom('criterion_skill_weights').select(['criterion_id as criterionId', 'fusion_item_id as fusionItemId', 'weight']).where('criterion_id', 'in', ids).execute()
			: Promise.resolve([]),
		ids.length ? db.selectFrom('criteria').select(['id', 'capri_item_id as capriItemId']).where('id', 'in', ids).execute() : Promise.resolve([])
	]);
	const mapping = (criterionId: number) => ({
		capriItemId: capri.find((c) => c.id === criterionId)!.capriItemId,
		overrides: overrides.filter((o) => o.criterionId === criterionId)
	});
	const { weights, unmappedCriterionIds } = taskSkillWeights(
		criteria.map((c) => ({ criterionId: c.criterionId, taskWeight: c.weight, mapping: mapping(c.criterionId) })),
		crosswalk
	);
	const skillName = new Map(skills.map((s) => [s.id, s]));
	return {
		skills: skills.filter((s) => weights.has(s.id)).map((s) => ({ code: s.code, title: s.title, share: weights.get(s.id)! })),
		perCriterion: criteria.map((c) => {
			const m = mapping(c.criterionId);
			return {
				code: c.code,
				title: c.title,
				taskWeight: c.weight,
				source: m.overrides.length ? 'own weights' : 'sub-category crosswalk',
				shares: [...criterionSkillWeights(m, crosswalk)].map(([id, share]) => ({ code: skillName.get(id)!.code, share }))
			};
		}),
		unmapped: criteria.filter((c) => unmappedCriterionIds.includes(c.criterionId)).map((c) => c.code)
	};
}
