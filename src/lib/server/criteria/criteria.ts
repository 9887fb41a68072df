import { sql, type Transaction } from 'kysely';
import type { DB } from '../db/connection';
import type { Database } from '../db/schema';
import { criterionSkillWeights, type CrosswalkWeight } from '../../domain/crosswalk';
import { DEFAULT_SCHOOL_SCALE } from '../../domain/scales';
import { capriTree, crosswalkFor, fusionSkills } from '../frameworks/frameworks';
import { recordAudit } from '../audit';
import { lockForTransaction } from '../db/dialect';
import { nowIso } from '../clock';
import { STARTER_BANK } from './starter-bank';
import type { CriterionInput } from '../../schemas/criteria';
import { Refusal } from '../errors';
import { NEUTRAL_COLOUR } from '../../domain/frameworks';

type Executor = DB | Transaction<Database>;

/** The next free code in a sub-category: C2 → C2.1, C2.2 … (numbers are never reused). */
async function nextCriterionCode(
	db: Executor,
	schoolId: number,
	subCategoryCode: string
): Promise<string> {
	const codes = await db
		.selectFrom('criteria')
		.select('code')
		.where('school_id', '=', schoolId)
		.where('code', 'like', `${subCategoryCode}.%`)
		.execute();
	const highest = codes.reduce(
		(max, { code }) => Math.max(max, Number(code.split('.')[1]) || 0),
		0
	);
	return `${subCategoryCode}.${highest + 1}`;
}

async function insertCriterion(
	trx: Transaction<Database>,
	values: {
		schoolId: number;
		lineageId: string;
		version: number;
		code: string;
		title: string;
		description: string;
		capriItemId: number;
		scaleId: number;
		createdBy: number | null;
		descriptors: string[];
		skillOverrides: { fusionItemId: number; weight: number }[];
		/** the city criterion version this copies (server/city/criteria.ts) */
		cityCriterionId?: number | null;
	}
): Promise<number> {
	const { id } = await trx
		.insertInto('criteria')
		.values({
			school_id: values.schoolId,
			lineage_id: values.lineageId,
			version: values.version,
			code: values.code,
			title: values.title,
			description: values.description,
			capri_item_id: values.capriItemId,
			scale_id: values.scaleId,
			created_by: values.createdBy,
			created_at: nowIso(),
			city_criterion_id: values.cityCriterionId ?? null
		})
		.returning('id')
		.executeTakeFirstOrThrow();
	await trx
		.insertInto('criterion_band_descriptors')
		.values(
			values.descriptors.map((descriptor, band_position) => ({
				criterion_id: id,
				band_position,
				descriptor
			}))
		)
		.execute();
	if (values.skillOverrides.length) {
		await trx
			.insertInto('criterion_skill_weights')
			.values(
				values.skillOverrides.map((o) => ({
					criterion_id: id,
					fusion_item_id: o.fusionItemId,
					weight: o.weight
				}))
			)
			.execute();
	}
	return id;
}

/** Gives a school the starter bank (see starter-bank.ts) on the shared default scale. */
export async function seedStarterBank(db: DB, schoolId: number): Promise<void> {
	await db.transaction().execute((trx) => writeStarterBank(trx, schoolId));
}

/** The starter criteria, written in the caller's transaction (a school's set-up is all or nothing). */
export async function writeStarterBank(
	trx: Transaction<Database>,
	schoolId: number
): Promise<void> {
	const scale = await trx
		.selectFrom('grade_scales')
		.select('id')
		.where('school_id', 'is', null)
		.where('name', '=', DEFAULT_SCHOOL_SCALE.name)
		.executeTakeFirstOrThrow();
	const subCategories = (await capriTree(trx)).flatMap((c) => c.subCategories);
	for (const starter of STARTER_BANK) {
		const sub = subCategories.find((s) => s.code === starter.subCategory)!;
		await insertCriterion(trx, {
			schoolId,
			lineageId: crypto.randomUUID(),
			version: 1,
			code: await nextCriterionCode(trx, schoolId, sub.code),
			title: starter.title,
			description: starter.description,
			capriItemId: sub.id,
			scaleId: scale.id,
			createdBy: null,
			descriptors: starter.bands,
			skillOverrides: []
		});
	}
}

export interface BankFilter {
	capri?: string; // a CAPRI letter
	fusionItemId?: number;
	search?: string;
}

export interface BankCriterion {
	id: number;
	lineageId: string;
	version: number;
	code: string;
	title: string;
	description: string;
	subCategoryCode: string;
	subCategoryTitle: string;
	categoryCode: string;
	categoryTitle: string;
	colour: string;
	scaleId: number;
	scaleName: string;
	taskCount: number;
	skills: { id: number; code: string; title: string; share: number }[];
}

/**
 * The current version of every criterion in the school's bank, with its Fusion Skills worked out
 * through the crosswalk (or its own weights). Four set-based queries, whatever the bank's size.
 */
export async function listBank(
	db: DB,
	schoolId: number,
	filter: BankFilter = {}
): Promise<BankCriterion[]> {
	let query = db
		.selectFrom('criteria')
		.innerJoin('framework_items as sub', 'sub.id', 'criteria.capri_item_id')
		.innerJoin('framework_items as category', 'category.id', 'sub.parent_id')
		.innerJoin('grade_scales', 'grade_scales.id', 'criteria.scale_id')
		.select((eb) => [
			'criteria.id',
			'criteria.lineage_id as lineageId',
			'criteria.version',
			'criteria.code',
			'criteria.title',
			'criteria.description',
			'criteria.capri_item_id as capriItemId',
			'sub.code as subCategoryCode',
			'sub.title as subCategoryTitle',
			'category.code as categoryCode',
			'category.title as categoryTitle',
			'category.colour',
			'criteria.scale_id as scaleId',
			'grade_scales.name as scaleName',
			eb
				.selectFrom('task_criteria')
				.innerJoin('criteria as used', 'used.id', 'task_criteria.criterion_id')
				.select((e) => e.fn.count<number>('task_criteria.task_id').distinct().as('n'))
				.whereRef('used.lineage_id', '=', 'criteria.lineage_id')
				.as('taskCount')
		])
		.where('criteria.school_id', '=', schoolId)
		.where('criteria.superseded_at', 'is', null);
	if (filter.capri) query = query.where('category.code', '=', filter.capri);
	if (filter.search) {
		const pattern = `%${filter.search.replace(/[%_\\]/g, (c) => `\\${c}`)}%`;
		query = query.where((eb) =>
			eb.or([
				sql<boolean>`lower(criteria.title) like lower(${pattern}) escape '\\'`,
				sql<boolean>`lower(criteria.description) like lower(${pattern}) escape '\\'`,
				sql<boolean>`lower(criteria.code) like lower(${pattern}) escape '\\'`
			])
		);
	}
	const rows = await query
		.orderBy('category.position')
		.orderBy('sub.position')
		.orderBy('criteria.code')
		.execute();
	const [crosswalk, skills, overrides] = await Promise.all([
		crosswalkFor(db, schoolId),
		fusionSkills(db),
		rows.length
			? db
					.selectFrom('criterion_skill_weights')
					.select(['criterion_id as criterionId', 'fusion_item_id as fusionItemId', 'weight'])
					.where(
						'criterion_id',
						'in',
						rows.map((r) => r.id)
					)
					.execute()
			: Promise.resolve([])
	]);
	const bank = rows.map((row) => ({
		...row,
		colour: row.colour ?? NEUTRAL_COLOUR,
		taskCount: Number(row.taskCount ?? 0),
		skills: skillShares(
			row.capriItemId,
			overrides.filter((o) => o.criterionId === row.id),
			crosswalk,
			skills
		)
	}));
	return filter.fusionItemId
		? bank.filter((c) => c.skills.some((s) => s.id === filter.fusionItemId))
		: bank;
}

function skillShares(
	capriItemId: number,
	overrides: { fusionItemId: number; weight: number }[],
	crosswalk: CrosswalkWeight[],
	skills: { id: number; code: string; title: string }[]
) {
	const weights = criterionSkillWeights({ capriItemId, overrides }, crosswalk);
	return skills
		.filter((s) => weights.has(s.id))
		.map((s) => ({ id: s.id, code: s.code, title: s.title, share: weights.get(s.id)! }));
}

/** One criterion version of this school with everything needed to show, edit or assess it. */
export async function getCriterion(db: DB, schoolId: number, criterionId: number) {
	const criterion = await db
		.selectFrom('criteria')
		.innerJoin('framework_items as sub', 'sub.id', 'criteria.capri_item_id')
		.innerJoin('framework_items as category', 'category.id', 'sub.parent_id')
		.innerJoin('grade_scales', 'grade_scales.id', 'criteria.scale_id')
		.select([
			'criteria.id',
			'criteria.lineage_id as lineageId',
			'criteria.version',
			'criteria.code',
			'criteria.title',
			'criteria.description',
			'criteria.capri_item_id as capriItemId',
			'criteria.superseded_at as supersededAt',
			'criteria.created_at as createdAt',
			'sub.code as subCategoryCode',
			'sub.title as subCategoryTitle',
			'category.code as categoryCode',
			'category.title as categoryTitle',
			'category.colour',
			'criteria.scale_id as scaleId',
			'grade_scales.name as scaleName'
		])
		.where('criteria.id', '=', criterionId)
		.where('criteria.school_id', '=', schoolId)
		.executeTakeFirst();
	if (!criterion) return undefined;
	const [bands, descriptors, overrides, versions, assessed, crosswalk, skills] = await Promise.all([
		db
			.selectFrom('grade_bands')
			.select(['position', 'label', 'min_value as minValue'])
			.where('scale_id', '=', criterion.scaleId)
			.orderBy('position')
			.execute(),
		db
			.selectFrom('criterion_band_descriptors')
			.select(['band_position as position', 'descriptor'])
			.where('criterion_id', '=', criterionId)
			.execute(),
		db
			.selectFrom('criterion_skill_weights')
			.select(['fusion_item_id as fusionItemId', 'weight'])
			.where('criterion_id', '=', criterionId)
			.execute(),
		db
			.selectFrom('criteria')
			.select([
				'id',
				'version',
				'title',
				'created_at as createdAt',
				'superseded_at as supersededAt'
			])
			.where('lineage_id', '=', criterion.lineageId)
			.orderBy('version', 'desc')
			.execute(),
		isAssessed(db, criterionId),
		crosswalkFor(db, schoolId),
		fusionSkills(db)
	]);
	return {
		...criterion,
		colour: criterion.colour ?? NEUTRAL_COLOUR,
		bands: bands.map((b) => ({
			...b,
			descriptor: descriptors.find((d) => d.position === b.position)?.descriptor ?? ''
		})),
		overrides,
		versions,
		assessed,
		skills: skillShares(criterion.capriItemId, overrides, crosswalk, skills)
	};
}

async function isAssessed(db: Executor, criterionId: number): Promise<boolean> {
	const row = await db
		.selectFrom('assessments')
		.select('id')
		.where('criterion_id', '=', criterionId)
		.limit(1)
		.executeTakeFirst();
	return Boolean(row);
}

async function requireScaleBandCount(
	db: Executor,
	schoolId: number,
	scaleId: number
): Promise<number> {
	const scale = await db
		.selectFrom('grade_scales')
		.select((eb) => [
			'id',
			eb
				.selectFrom('grade_bands')
				.select((e) => e.fn.countAll<number>().as('n'))
				.whereRef('grade_bands.scale_id', '=', 'grade_scales.id')
				.as('bandCount')
		])
		.where('id', '=', scaleId)
		.where((eb) => eb.or([eb('school_id', 'is', null), eb('school_id', '=', schoolId)]))
		.executeTakeFirst();
	if (!scale) throw new Refusal('Choose one of your school’s grade scales.');
	return Number(scale.bandCount);
}

/**
 * A school builds criteria only on items of the shared frameworks (no school) and of its own
 * imports: another school's private framework answers as if it did not exist (404), as its
 * download does.
 */
async function requireSubCategory(db: Executor, schoolId: number, subCategoryId: number) {
	const sub = await db
		.selectFrom('framework_items as sub')
		.innerJoin('frameworks', 'frameworks.id', 'sub.framework_id')
		.select(['sub.id', 'sub.code', 'sub.parent_id as parentId', 'frameworks.kind'])
		.where('sub.id', '=', subCategoryId)
		.where((eb) =>
			eb.or([eb('frameworks.school_id', 'is', null), eb('frameworks.school_id', '=', schoolId)])
		)
		.executeTakeFirst();
	if (!sub) throw new Refusal('That CAPRI sub-category does not exist.', 404);
	if (sub.kind !== 'capri' || sub.parentId === null)
		throw new Refusal('Choose a CAPRI sub-category.');
	return sub;
}

async function requireFusionSkills(
	db: Executor,
	schoolId: number,
	overrides: { fusionItemId: number }[]
) {
	if (!overrides.length) return;
	const asked = new Set(overrides.map((o) => o.fusionItemId));
	const found = await db
		.selectFrom('framework_items')
		.innerJoin('frameworks', 'frameworks.id', 'framework_items.framework_id')
		.select(['framework_items.id', 'frameworks.kind'])
		.where('framework_items.id', 'in', [...asked])
		.where((eb) =>
			eb.or([eb('frameworks.school_id', 'is', null), eb('frameworks.school_id', '=', schoolId)])
		)
		.execute();
	if (found.length !== asked.size)
		throw new Refusal('One of those Fusion Skills does not exist.', 404);
	if (found.some((item) => item.kind !== 'fusion'))
		throw new Refusal('Those are not Fusion Skills.');
}

/**
 * A new criterion in the school's bank; `adoptedFrom` (a city criterion version, checked by
 * server/city/criteria.ts) makes it the school's copy of the city's, in the same transaction.
 */
export async function createCriterion(
	db: DB,
	schoolId: number,
	actorId: number,
	input: CriterionInput,
	adoptedFrom: number | null = null
): Promise<number> {
	const bandCount = await requireScaleBandCount(db, schoolId, input.scaleId);
	if (input.descriptors.length !== bandCount)
		throw new Refusal(`Describe each of the scale’s ${bandCount} bands.`);
	const sub = await requireSubCategory(db, schoolId, input.subCategoryId);
	await requireFusionSkills(db, schoolId, input.skillOverrides);
	return db.transaction().execute(async (trx) => {
		const id = await insertCriterion(trx, {
			schoolId,
			lineageId: crypto.randomUUID(),
			version: 1,
			code: await nextCriterionCode(trx, schoolId, sub.code),
			title: input.title,
			description: input.description,
			capriItemId: sub.id,
			scaleId: input.scaleId,
			createdBy: actorId,
			descriptors: input.descriptors,
			skillOverrides: input.skillOverrides,
			cityCriterionId: adoptedFrom
		});
		await recordAudit(trx, {
			schoolId,
			actorId,
			action: adoptedFrom ? 'criterion.adopt' : 'criterion.create',
			entityType: 'criterion',
			entityId: String(id),
			after: { title: input.title, cityCriterionId: adoptedFrom }
		});
		return id;
	});
}

const CHANGED_ELSEWHERE =
	'This criterion was changed elsewhere (another tab or another person) since you opened it, so it has a newer version now. Your wording is still below: copy what you want to keep, reload the page and make your edit to the newest version.';

/**
 * Edits a criterion. If any assessment was made against this version, the edit becomes a new
 * version and the old one is kept (marked superseded) so assessed work keeps the wording it was
 * judged against; tasks not yet assessed on it move to the new version. Otherwise it is edited in
 * place. The sub-category and scale stay as they are (copy the criterion to change them).
 */
export async function updateCriterion(
	db: DB,
	schoolId: number,
	actorId: number,
	criterionId: number,
	input: Omit<CriterionInput, 'subCategoryId' | 'scaleId'>,
	/** a city criterion's newer version the school's copy takes (server/city/criteria.ts) */
	adoptedFrom: number | null = null
): Promise<{ criterionId: number; versioned: boolean }> {
	const current = await getCriterion(db, schoolId, criterionId);
	if (!current) throw new Refusal('That criterion does not exist.');
	if (current.supersededAt)
		throw new Refusal('This is an old version. Edit the current version instead.');
	if (input.descriptors.length !== current.bands.length)
		throw new Refusal(`Describe each of the scale’s ${current.bands.length} bands.`);
	await requireFusionSkills(db, schoolId, input.skillOverrides);
	const before = {
		title: current.title,
		description: current.description,
		descriptors: current.bands.map((b) => b.descriptor),
		overrides: current.overrides
	};
	return db.transaction().execute(async (trx) => {
		// Two saves of one criterion at once (two tabs, two teachers, two app servers) take turns, and
		// the second finds the version it read gone: refused, never a second "version n + 1".
		await lockForTransaction(trx, `criterion-lineage:${current.lineageId}`);
		const still = await trx
			.selectFrom('criteria')
			.select('superseded_at')
			.where('id', '=', criterionId)
			.executeTakeFirst();
		if (!still || still.superseded_at !== null) throw new Refusal(CHANGED_ELSEWHERE, 409);
		if (!(await isAssessed(trx, criterionId))) {
			await trx
				.updateTable('criteria')
				.set({
					title: input.title,
					description: input.description,
					...(adoptedFrom ? { city_criterion_id: adoptedFrom } : {})
				})
				.where('id', '=', criterionId)
				.execute();
			await trx
				.deleteFrom('criterion_band_descriptors')
				.where('criterion_id', '=', criterionId)
				.execute();
			await trx
				.insertInto('criterion_band_descriptors')
				.values(
					input.descriptors.map((descriptor, band_position) => ({
						criterion_id: criterionId,
						band_position,
						descriptor
					}))
				)
				.execute();
			await trx
				.deleteFrom('criterion_skill_weights')
				.where('criterion_id', '=', criterionId)
				.execute();
			if (input.skillOverrides.length) {
				await trx
					.insertInto('criterion_skill_weights')
					.values(
						input.skillOverrides.map((o) => ({
							criterion_id: criterionId,
							fusion_item_id: o.fusionItemId,
							weight: o.weight
						}))
					)
					.execute();
			}
			await recordAudit(trx, {
				schoolId,
				actorId,
				action: 'criterion.edit',
				entityType: 'criterion',
				entityId: String(criterionId),
				before,
				after: input
			});
			return { criterionId, versioned: false };
		}
		const now = nowIso();
		await trx
			.updateTable('criteria')
			.set({ superseded_at: now })
			.where('id', '=', criterionId)
			.execute();
		const { highest } = await trx
			.selectFrom('criteria')
			.select((e) => e.fn.max('version').as('highest'))
			.where('lineage_id', '=', current.lineageId)
			.executeTakeFirstOrThrow();
		const newId = await insertCriterion(trx, {
			schoolId,
			lineageId: current.lineageId,
			version: Number(highest) + 1,
			code: current.code,
			title: input.title,
			description: input.description,
			capriItemId: current.capriItemId,
			scaleId: current.scaleId,
			createdBy: actorId,
			descriptors: input.descriptors,
			skillOverrides: input.skillOverrides,
			cityCriterionId: adoptedFrom
		});
		// Tasks with no assessment on the old version yet take the new wording.
		await trx
			.updateTable('task_criteria')
			.set({ criterion_id: newId })
			.where('criterion_id', '=', criterionId)
			.where((eb) =>
				eb.not(
					eb.exists(
						eb
							.selectFrom('assessments')
							.innerJoin('submissions', 'submissions.id', 'assessments.submission_id')
							.select('assessments.id')
							.whereRef('submissions.task_id', '=', 'task_criteria.task_id')
							.where('assessments.criterion_id', '=', criterionId)
					)
				)
			)
			.execute();
		await recordAudit(trx, {
			schoolId,
			actorId,
			action: 'criterion.new_version',
			entityType: 'criterion',
			entityId: String(newId),
			before: { ...before, criterionId },
			after: input,
			reason:
				'The criterion had been used in assessed work, so the edit was saved as a new version.'
		});
		return { criterionId: newId, versioned: true };
	});
}

/** A new criterion (its own lineage and code) starting from another's wording. */
export async function copyCriterion(
	db: DB,
	schoolId: number,
	actorId: number,
	criterionId: number
): Promise<number> {
	const source = await getCriterion(db, schoolId, criterionId);
	if (!source) throw new Refusal('That criterion does not exist.');
	return createCriterion(db, schoolId, actorId, {
		subCategoryId: source.capriItemId,
		scaleId: source.scaleId,
		title: `${source.title} (copy)`.slice(0, 120),
		description: source.description,
		descriptors: source.bands.map((b) => b.descriptor),
		skillOverrides: source.overrides
	});
}

export async function bankFilters(db: DB) {
	const [capri, skills] = await Promise.all([capriTree(db), fusionSkills(db)]);
	return {
		categories: capri.map((c) => ({
			code: c.code,
			title: c.title,
			colour: c.colour,
			subCategories: c.subCategories.map((s) => ({ id: s.id, code: s.code, title: s.title }))
		})),
		skills: skills.map((s) => ({ id: s.id, code: s.code, title: s.title }))
	};
}
