import type { Transaction } from 'kysely';
import type { DB } from '../db/connection';
import type { Database } from '../db/schema';
import type { SessionUser } from '../auth/sessions';
import { requireClassAccess } from '../auth/guards';
import { recordAudit } from '../audit';
import { nowIso } from '../clock';
import { Refusal } from '../errors';
import { adoptCityCriterion, schoolCityOf } from './criteria';
import {
	templateSettingsSchema,
	type TemplateInput,
	type TemplateSettings
} from '../../schemas/city';

/**
 * City task templates: a title, a brief, task settings and a list of the city's criteria with
 * weights, versioned as criteria are (an edit to a version a task was made from is a new version).
 * A teacher of a school in the city makes a draft task in their class from the current version:
 * each criterion comes from the school's bank, adopted from the city first where the school has no
 * copy yet, and the task records the template version (`tasks.city_template_id`). The task is then
 * the teacher's, edited and published as any other.
 */

async function checkTemplate(db: DB, cityId: number, input: TemplateInput) {
	const scale = await db
		.selectFrom('grade_scales')
		.select('id')
		.where('id', '=', input.scaleId)
		.where('school_id', 'is', null)
		.executeTakeFirst();
	if (!scale) throw new Refusal('Choose one of the shared grade scales (every school has them).');
	const ids = [...new Set(input.criteria.map((c) => c.cityCriterionId))];
	if (ids.length !== input.criteria.length) throw new Refusal('Name each criterion once.');
	const found = await db
		.selectFrom('city_criteria')
		.select(['id', 'scale_id', 'title'])
		.where('id', 'in', ids)
		.where('city_id', '=', cityId)
		.where('superseded_at', 'is', null)
		.execute();
	if (found.length !== ids.length)
		throw new Refusal('Choose the current version of the city’s own criteria.', 404);
	const other = found.find((c) => c.scale_id !== input.scaleId);
	if (other) throw new Refusal(`“${other.title}” is written for another grade scale.`);
}

export async function listCityTemplates(db: DB, cityId: number) {
	const [templates, criteria] = await Promise.all([
		db
			.selectFrom('city_task_templates as t')
			.innerJoin('grade_scales', 'grade_scales.id', 't.scale_id')
			.select((eb) => [
				't.id',
				't.lineage_id as lineageId',
				't.version',
				't.title',
				't.brief_markdown as brief',
				't.scale_id as scaleId',
				'grade_scales.name as scaleName',
				't.settings_json',
				eb
					.selectFrom('tasks')
					.innerJoin(
						'city_task_templates as any_version',
						'any_version.id',
						'tasks.city_template_id'
					)
					.select((e) => e.fn.countAll<number>().as('n'))
					.whereRef('any_version.lineage_id', '=', 't.lineage_id')
					.as('tasks')
			])
			.where('t.city_id', '=', cityId)
			.where('t.superseded_at', 'is', null)
			.orderBy('t.title')
			.orderBy('t.id')
			.execute(),
		db
			.selectFrom('city_task_template_criteria as tc')
			.innerJoin('city_task_templates as t', 't.id', 'tc.template_id')
			.innerJoin('city_criteria as cc', 'cc.id', 'tc.city_criterion_id')
			.select([
				'tc.template_id as templateId',
				'tc.position',
				'tc.weight',
				'cc.id as cityCriterionId',
				'cc.lineage_id as lineageId',
				'cc.title'
			])
			.where('t.city_id', '=', cityId)
			.where('t.superseded_at', 'is', null)
			.orderBy('tc.template_id')
			.orderBy('tc.position')
			.execute()
	]);
	return templates.map(({ settings_json, ...t }) => ({
		...t,
		tasks: Number(t.tasks ?? 0),
		settings: templateSettingsSchema.parse(JSON.parse(settings_json)) as TemplateSettings,
		criteria: criteria.filter((c) => c.templateId === t.id)
	}));
}

export async function createCityTemplate(
	db: DB,
	cityId: number,
	actorId: number,
	input: TemplateInput
): Promise<number> {
	await checkTemplate(db, cityId, input);
	return db.transaction().execute(async (trx) => {
		const { id } = await trx
			.insertInto('city_task_templates')
			.values({
				city_id: cityId,
				lineage_id: crypto.randomUUID(),
				version: 1,
				title: input.title,
				brief_markdown: input.brief,
				scale_id: input.scaleId,
				settings_json: JSON.stringify(input.settings),
				created_by: actorId,
				created_at: nowIso()
			})
			.returning('id')
			.executeTakeFirstOrThrow();
		await writeTemplateCriteria(trx, id, input);
		return id;
	});
}

async function writeTemplateCriteria(
	trx: Transaction<Database>,
	templateId: number,
	input: TemplateInput
) {
	await trx
		.insertInto('city_task_template_criteria')
		.values(
			input.criteria.map((c, i) => ({
				template_id: templateId,
				position: i + 1,
				city_criterion_id: c.cityCriterionId,
				weight: c.weight
			}))
		)
		.execute();
}

/** Edits the current version: in place until a task is made from it, then as a new version. */
export async function updateCityTemplate(
	db: DB,
	cityId: number,
	actorId: number,
	id: number,
	input: TemplateInput
): Promise<{ id: number; versioned: boolean }> {
	const current = await db
		.selectFrom('city_task_templates')
		.selectAll()
		.where('id', '=', id)
		.where('city_id', '=', cityId)
		.executeTakeFirst();
	if (!current) throw new Refusal('That template does not exist.', 404);
	if (current.superseded_at)
		throw new Refusal('This is an old version. Edit the current version instead.');
	await checkTemplate(db, cityId, input);
	return db.transaction().execute(async (trx) => {
		const used = await trx
			.selectFrom('tasks')
			.select('id')
			.where('city_template_id', '=', id)
			.limit(1)
			.executeTakeFirst();
		const content = {
			title: input.title,
			brief_markdown: input.brief,
			scale_id: input.scaleId,
			settings_json: JSON.stringify(input.settings)
		};
		if (!used) {
			await trx.updateTable('city_task_templates').set(content).where('id', '=', id).execute();
			await trx.deleteFrom('city_task_template_criteria').where('template_id', '=', id).execute();
			await writeTemplateCriteria(trx, id, input);
			return { id, versioned: false };
		}
		const superseded = await trx
			.updateTable('city_task_templates')
			.set({ superseded_at: nowIso() })
			.where('id', '=', id)
			.where('superseded_at', 'is', null)
			.executeTakeFirst();
		if (Number(superseded.numUpdatedRows) !== 1)
			throw new Refusal(
				'Someone has just published a newer version. Reload and edit that one.',
				409
			);
		const { id: newId } = await trx
			.insertInto('city_task_templates')
			.values({
				city_id: cityId,
				lineage_id: current.lineage_id,
				version: current.version + 1,
				...content,
				created_by: actorId,
				created_at: nowIso()
			})
			.returning('id')
			.executeTakeFirstOrThrow();
		await writeTemplateCriteria(trx, newId, input);
		return { id: newId, versioned: true };
	});
}

/** The current templates of the school's city (none outside a city). */
export async function templatesForSchool(db: DB, schoolId: number) {
	const city = await schoolCityOf(db, schoolId);
	return city ? listCityTemplates(db, city.id) : [];
}

/**
 * A draft task in the teacher's class from the template's current version, with its criteria
 * from the school's bank (adopted from the city where the school has no copy yet). Returns the
 * task's id.
 */
export async function taskFromTemplate(
	db: DB,
	teacher: SessionUser,
	classId: number,
	templateId: number
): Promise<number> {
	await requireClassAccess(db, teacher, classId, 'teach');
	const city = await schoolCityOf(db, teacher.schoolId);
	const template = city
		? (await listCityTemplates(db, city.id)).find((t) => t.id === templateId)
		: undefined;
	if (!template) throw new Refusal('That template does not exist, or has a newer version.', 404);
	// The school's copy of each criterion: the current version of the copy it adopted, else adopt.
	const schoolCriteria: { criterionId: number; weight: number }[] = [];
	for (const c of template.criteria) {
		const copy = await db
			.selectFrom('criteria')
			.innerJoin('city_criteria as cc', 'cc.id', 'criteria.city_criterion_id')
			.select(['criteria.id', 'criteria.scale_id'])
			.where('criteria.school_id', '=', teacher.schoolId)
			.where('criteria.superseded_at', 'is', null)
			.where('cc.lineage_id', '=', c.lineageId)
			.orderBy('criteria.id', 'desc')
			.executeTakeFirst();
		const criterionId = copy ? copy.id : await adoptCityCriterion(db, teacher, c.cityCriterionId);
		schoolCriteria.push({ criterionId, weight: c.weight });
	}
	return db.transaction().execute(async (trx) => {
		const now = nowIso();
		const s = template.settings;
		const { id } = await trx
			.insertInto('tasks')
			.values({
				class_id: classId,
				title: template.title,
				brief_markdown: template.brief,
				due_at: null,
				scale_id: template.scaleId,
				self_required_before_release: s.selfRequiredBeforeRelease ? 1 : 0,
				self_marker_visibility: s.selfMarkerVisibility,
				peer_enabled: s.peerEnabled ? 1 : 0,
				peer_reviewers_per_learner: s.peerReviewersPerLearner,
				peer_allocation: s.peerAllocation,
				peer_anonymous: s.peerAnonymous ? 1 : 0,
				peer_opens_at: null,
				peer_closes_at: null,
				group_task: s.groupTask ? 1 : 0,
				state: 'draft',
				created_by: teacher.id,
				created_at: now,
				updated_at: now,
				city_template_id: template.id
			})
			.returning('id')
			.executeTakeFirstOrThrow();
		await trx
			.insertInto('task_criteria')
			.values(
				schoolCriteria.map((c, i) => ({
					task_id: id,
					criterion_id: c.criterionId,
					position: i + 1,
					weight: c.weight
				}))
			)
			.execute();
		await recordAudit(trx, {
			schoolId: teacher.schoolId,
			actorId: teacher.id,
			action: 'task.create',
			entityType: 'task',
			entityId: String(id),
			after: {
				title: template.title,
				classId,
				cityTemplateId: template.id,
				version: template.version
			}
		});
		return id;
	});
}
