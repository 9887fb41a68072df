import type { DB } from '../db/connection';
import type { SessionUser } from '../auth/sessions';
import { createCriterion, getCriterion, updateCriterion } from '../criteria/criteria';
import { capriTree, fusionSkills } from '../frameworks/frameworks';
import { nowIso } from '../clock';
import { Refusal } from '../errors';
import type { CriterionInput } from '../../schemas/criteria';

/**
 * The city's criteria bank. A city criterion is written on the shared frameworks and a shared
 * grade scale (no school's own), so every school of the city can adopt it. Versioned as a school's
 * criteria are: an edit to a version a school has adopted (or a template names) is a new version,
 * the old one kept and marked superseded; otherwise the edit is made in place. A school adopts a
 * copy into its own bank (`criteria.city_criterion_id` names the version copied) and is offered the
 * newer version when the city publishes one.
 */

/** The city a school belongs to, or null. */
export async function schoolCityOf(db: DB, schoolId: number) {
	if (!schoolId) return null;
	const row = await db
		.selectFrom('schools')
		.innerJoin('cities', 'cities.id', 'schools.city_id')
		.select(['cities.id', 'cities.name'])
		.where('schools.id', '=', schoolId)
		.executeTakeFirst();
	return row ?? null;
}

interface CityCriterionContent {
	title: string;
	description: string;
	descriptors: string[];
	skillOverrides: { fusionItemId: number; weight: number }[];
}

const contentOf = (row: {
	title: string;
	description: string;
	descriptors_json: string;
	skill_weights_json: string;
}): CityCriterionContent => ({
	title: row.title,
	description: row.description,
	descriptors: JSON.parse(row.descriptors_json) as string[],
	skillOverrides: JSON.parse(row.skill_weights_json) as CityCriterionContent['skillOverrides']
});

/** The current version of each of the city's criteria, with how many schools use a copy. */
export async function listCityCriteria(db: DB, cityId: number) {
	const rows = await db
		.selectFrom('city_criteria as cc')
		.innerJoin('framework_items as sub', 'sub.id', 'cc.capri_item_id')
		.innerJoin('grade_scales', 'grade_scales.id', 'cc.scale_id')
		.select((eb) => [
			'cc.id',
			'cc.lineage_id as lineageId',
			'cc.version',
			'cc.title',
			'cc.description',
			'cc.scale_id as scaleId',
			'grade_scales.name as scaleName',
			'sub.code as subCategoryCode',
			'sub.title as subCategoryTitle',
			'cc.descriptors_json',
			'cc.skill_weights_json',
			eb
				.selectFrom('criteria')
				.innerJoin('city_criteria as any_version', 'any_version.id', 'criteria.city_criterion_id')
				.select((e) => e.fn.count<number>('criteria.school_id').distinct().as('n'))
				.whereRef('any_version.lineage_id', '=', 'cc.lineage_id')
				.as('schools')
		])
		.where('cc.city_id', '=', cityId)
		.where('cc.superseded_at', 'is', null)
		.orderBy('sub.code')
		.orderBy('cc.title')
		.orderBy('cc.id')
		.execute();
	return rows.map(({ descriptors_json, skill_weights_json, ...row }) => ({
		...row,
		schools: Number(row.schools ?? 0),
		...contentOf({ ...row, descriptors_json, skill_weights_json })
	}));
}

/** One city criterion version of this city (any version), or a 404 refusal. */
export async function requireCityCriterion(db: DB, cityId: number, id: number) {
	const row = await db
		.selectFrom('city_criteria')
		.selectAll()
		.where('id', '=', id)
		.where('city_id', '=', cityId)
		.executeTakeFirst();
	if (!row) throw new Refusal('That city criterion does not exist.', 404);
	return row;
}

export async function cityCriterionVersions(db: DB, cityId: number, lineageId: string) {
	return db
		.selectFrom('city_criteria')
		.select(['id', 'version', 'title', 'created_at as createdAt', 'superseded_at as supersededAt'])
		.where('city_id', '=', cityId)
		.where('lineage_id', '=', lineageId)
		.orderBy('version', 'desc')
		.execute();
}

/** What a city criterion may be written on: shared CAPRI sub-categories, skills and scales. */
async function checkSharedContent(
	db: DB,
	input: CriterionInput | (CityCriterionContent & { scaleId: number; subCategoryId: number })
) {
	const scale = await db
		.selectFrom('grade_scales')
		.select((eb) => [
			'id',
			eb
				.selectFrom('grade_bands')
				.select((e) => e.fn.countAll<number>().as('n'))
				.whereRef('grade_bands.scale_id', '=', 'grade_scales.id')
				.as('bands')
		])
		.where('id', '=', input.scaleId)
		.where('school_id', 'is', null)
		.executeTakeFirst();
	if (!scale) throw new Refusal('Choose one of the shared grade scales (every school has them).');
	if (input.descriptors.length !== Number(scale.bands))
		throw new Refusal(`Describe each of the scale’s ${Number(scale.bands)} bands.`);
	const subs = (await capriTree(db)).flatMap((c) => c.subCategories);
	if (!subs.some((s) => s.id === input.subCategoryId))
		throw new Refusal('Choose a CAPRI sub-category.');
	const skills = new Set((await fusionSkills(db)).map((s) => s.id));
	if (input.skillOverrides.some((o) => !skills.has(o.fusionItemId)))
		throw new Refusal('Those are not Fusion Skills.');
}

export async function createCityCriterion(
	db: DB,
	cityId: number,
	actorId: number,
	input: CriterionInput
): Promise<number> {
	await checkSharedContent(db, input);
	const { id } = await db
		.insertInto('city_criteria')
		.values({
			city_id: cityId,
			lineage_id: crypto.randomUUID(),
			version: 1,
			title: input.title,
			description: input.description,
			capri_item_id: input.subCategoryId,
			scale_id: input.scaleId,
			descriptors_json: JSON.stringify(input.descriptors),
			skill_weights_json: JSON.stringify(input.skillOverrides),
			created_by: actorId,
			created_at: nowIso()
		})
		.returning('id')
		.executeTakeFirstOrThrow();
	return id;
}

/**
 * Edits the current version: in place while no school has adopted it and no template names it,
 * else as a new version (schools that adopted the old one are then offered this one).
 */
export async function updateCityCriterion(
	db: DB,
	cityId: number,
	actorId: number,
	id: number,
	input: Omit<CriterionInput, 'subCategoryId' | 'scaleId'>
): Promise<{ id: number; versioned: boolean }> {
	const current = await requireCityCriterion(db, cityId, id);
	if (current.superseded_at)
		throw new Refusal('This is an old version. Edit the current version instead.');
	await checkSharedContent(db, {
		...input,
		scaleId: current.scale_id,
		subCategoryId: current.capri_item_id
	});
	return db.transaction().execute(async (trx) => {
		const inUse = await trx
			.selectFrom('criteria')
			.select('id')
			.where('city_criterion_id', '=', id)
			.limit(1)
			.executeTakeFirst();
		const content = {
			title: input.title,
			description: input.description,
			descriptors_json: JSON.stringify(input.descriptors),
			skill_weights_json: JSON.stringify(input.skillOverrides)
		};
		if (!inUse) {
			// Only while nobody adopted it: the superseded_at condition keeps a racing edit from
			// writing into a version another request has just superseded.
			await trx
				.updateTable('city_criteria')
				.set(content)
				.where('id', '=', id)
				.where('superseded_at', 'is', null)
				.execute();
			return { id, versioned: false };
		}
		const superseded = await trx
			.updateTable('city_criteria')
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
			.insertInto('city_criteria')
			.values({
				city_id: cityId,
				lineage_id: current.lineage_id,
				version: current.version + 1,
				capri_item_id: current.capri_item_id,
				scale_id: current.scale_id,
				...content,
				created_by: actorId,
				created_at: nowIso()
			})
			.returning('id')
			.executeTakeFirstOrThrow();
		// Templates name the lineage's current version.
		await trx
			.updateTable('city_task_template_criteria')
			.set({ city_criterion_id: newId })
			.where('city_criterion_id', '=', id)
			.execute();
		return { id: newId, versioned: true };
	});
}

/**
 * The city bank as a school sees it: the current version of each of its city's criteria, and the
 * school's copy if it has adopted one (with the version copied, so a newer one can be offered).
 * A school outside any city sees none; a school never sees another city's.
 */
export async function cityBankForSchool(db: DB, schoolId: number) {
	const city = await schoolCityOf(db, schoolId);
	if (!city) return { city: null, criteria: [] };
	const [criteria, copies] = await Promise.all([
		listCityCriteria(db, city.id),
		db
			.selectFrom('criteria')
			.innerJoin('city_criteria as cc', 'cc.id', 'criteria.city_criterion_id')
			.select([
				'criteria.id as criterionId',
				'criteria.code',
				'cc.lineage_id as lineageId',
				'cc.version as adoptedVersion'
			])
			.where('criteria.school_id', '=', schoolId)
			.where('criteria.superseded_at', 'is', null)
			.where('cc.city_id', '=', city.id)
			.orderBy('criteria.id')
			.execute()
	]);
	return {
		city,
		criteria: criteria.map(({ schools: _schools, ...c }) => {
			void _schools;
			const copy = copies.find((k) => k.lineageId === c.lineageId) ?? null;
			return { ...c, copy, newerVersion: copy !== null && copy.adoptedVersion < c.version };
		})
	};
}

/** Which city criterion (the current version, of the school's own city) a school may adopt. */
async function requireCurrentForSchool(db: DB, schoolId: number, cityCriterionId: number) {
	const city = await schoolCityOf(db, schoolId);
	// Another city's criterion answers as if it did not exist.
	const row = city
		? await db
				.selectFrom('city_criteria')
				.selectAll()
				.where('id', '=', cityCriterionId)
				.where('city_id', '=', city.id)
				.executeTakeFirst()
		: undefined;
	if (!row) throw new Refusal('That city criterion does not exist.', 404);
	if (row.superseded_at)
		throw new Refusal('The city has published a newer version of this criterion. Reload the page.');
	return row;
}

/** The school's copy of a city criterion: a criterion of its own bank, remembering the version. */
export async function adoptCityCriterion(
	db: DB,
	user: SessionUser,
	cityCriterionId: number
): Promise<number> {
	const row = await requireCurrentForSchool(db, user.schoolId, cityCriterionId);
	const existing = await schoolCopyOf(db, user.schoolId, row.lineage_id);
	if (existing) throw new Refusal(`Your bank has this criterion already (${existing.code}).`);
	const content = contentOf(row);
	try {
		return await createCriterion(
			db,
			user.schoolId,
			user.id,
			{
				subCategoryId: row.capri_item_id,
				scaleId: row.scale_id,
				...content
			},
			row.id
		);
	} catch (problem) {
		// Two adoptions at once (a double click, two servers): the unique index lets one through.
		const copy = await schoolCopyOf(db, user.schoolId, row.lineage_id);
		if (copy) throw new Refusal(`Your bank has this criterion already (${copy.code}).`);
		throw problem;
	}
}

async function schoolCopyOf(db: DB, schoolId: number, lineageId: string) {
	return db
		.selectFrom('criteria')
		.innerJoin('city_criteria as cc', 'cc.id', 'criteria.city_criterion_id')
		.select(['criteria.id', 'criteria.code', 'cc.version'])
		.where('criteria.school_id', '=', schoolId)
		.where('criteria.superseded_at', 'is', null)
		.where('cc.lineage_id', '=', lineageId)
		.orderBy('criteria.id', 'desc')
		.executeTakeFirst();
}

/**
 * The school's copy takes the city's current version. The school's own versioning applies: a copy
 * already used in assessed work keeps that wording as an old version, as any edit would.
 */
export async function takeNewerCityVersion(
	db: DB,
	user: SessionUser,
	cityCriterionId: number
): Promise<{ criterionId: number; versioned: boolean }> {
	const row = await requireCurrentForSchool(db, user.schoolId, cityCriterionId);
	const copy = await schoolCopyOf(db, user.schoolId, row.lineage_id);
	if (!copy) throw new Refusal('Your bank has no copy of this criterion. Adopt it first.');
	if (copy.version >= row.version)
		throw new Refusal('Your bank has the city’s current version already.');
	const criterion = await getCriterion(db, user.schoolId, copy.id);
	if (!criterion) throw new Refusal('That criterion does not exist.');
	const content = contentOf(row);
	if (content.descriptors.length !== criterion.bands.length)
		throw new Refusal(
			'The city’s version is written for another scale. Adopt it as a new criterion.'
		);
	return updateCriterion(db, user.schoolId, user.id, copy.id, content, row.id);
}
