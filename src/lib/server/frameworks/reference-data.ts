import type { Transaction } from 'kysely';
import type { DB } from '../db/connection';
import type { Database } from '../db/schema';
import {
	CAPRI,
	COL_LAYERS,
	DEFAULT_CROSSWALK,
	FUSION_SKILLS,
	type FrameworkData,
	type FrameworkItemData
} from '../../domain/frameworks';
import {
	DEFAULT_MAPPINGS,
	OECD_LEARNING_COMPASS,
	SKILLS_BUILDER
} from '../../domain/mapped-frameworks';
import { DEFAULT_SCHOOL_SCALE, UNIVERSITY_SCALE } from '../../domain/scales';
import { nowIso } from '../clock';

/**
 * What every installation needs, demo or not: the Fusion Skills and CAPRI, the Cities of Learning
 * layers, the frameworks schools already use (Skills Builder, the OECD Learning Compass), the default crosswalks and the shipped
 * grade scales. Idempotent: run at every start; adds only what is missing, so an installation made
 * before a framework shipped gains it (and its default crosswalk) at its next start.
 */
export async function ensureReferenceData(db: DB): Promise<void> {
	await db.transaction().execute(async (trx) => {
		for (const framework of [
			FUSION_SKILLS,
			CAPRI,
			COL_LAYERS,
			SKILLS_BUILDER,
			OECD_LEARNING_COMPASS
		])
			await ensureFramework(trx, framework);
		await ensureDefaultCrosswalk(trx);
		for (const scale of [DEFAULT_SCHOOL_SCALE, UNIVERSITY_SCALE]) {
			const existing = await trx
				.selectFrom('grade_scales')
				.select('id')
				.where('school_id', 'is', null)
				.where('name', '=', scale.name)
				.executeTakeFirst();
			if (existing) continue;
			const { id } = await trx
				.insertInto('grade_scales')
				.values({
					school_id: null,
					name: scale.name,
					description: scale.description,
					created_at: nowIso()
				})
				.returning('id')
				.executeTakeFirstOrThrow();
			await trx
				.insertInto('grade_bands')
				.values(
					scale.bands.map((b, position) => ({
						scale_id: id,
						position,
						label: b.label,
						min_value: b.minValue,
						descriptor: b.descriptor
					}))
				)
				.execute();
		}
	});
}

async function ensureFramework(trx: Transaction<Database>, framework: FrameworkData) {
	let frameworkId = (
		await trx
			.selectFrom('frameworks')
			.select('id')
			.where('identifier', '=', framework.identifier)
			.executeTakeFirst()
	)?.id;
	if (!frameworkId) {
		frameworkId = (
			await trx
				.insertInto('frameworks')
				.values({
					school_id: null,
					identifier: framework.identifier,
					kind: framework.kind,
					title: framework.title,
					description: framework.description,
					creator: framework.creator,
					version: framework.version,
					last_change_at: framework.lastChangeAt
				})
				.returning('id')
				.executeTakeFirstOrThrow()
		).id;
	}
	const insertItems = async (items: FrameworkItemData[], parentId: number | null) => {
		for (const [index, item] of items.entries()) {
			let itemId = (
				await trx
					.selectFrom('framework_items')
					.select('id')
					.where('identifier', '=', item.identifier)
					.executeTakeFirst()
			)?.id;
			if (!itemId) {
				itemId = (
					await trx
						.insertInto('framework_items')
						.values({
							framework_id: frameworkId,
							identifier: item.identifier,
							code: item.code,
							title: item.title,
							description: item.description,
							parent_id: parentId,
							colour: item.colour ?? null,
							position: index + 1,
							last_change_at: framework.lastChangeAt
						})
						.returning('id')
						.executeTakeFirstOrThrow()
				).id;
			}
			if (item.children) await insertItems(item.children, itemId);
		}
	};
	await insertItems(framework.items, null);
}

/**
 * The shipped crosswalk rows (school_id null): CAPRI → Fusion Skills, and each other framework's
 * items → the Fusion Skills they draw on. Added per source item that has no default row yet, so a
 * framework shipped later gets its defaults without touching the ones already there.
 */
async function ensureDefaultCrosswalk(trx: Transaction<Database>) {
	const frameworks = [FUSION_SKILLS, CAPRI, SKILLS_BUILDER, OECD_LEARNING_COMPASS];
	const items = await trx
		.selectFrom('framework_items')
		.innerJoin('frameworks', 'frameworks.id', 'framework_items.framework_id')
		.select(['framework_items.id', 'framework_items.code', 'frameworks.identifier'])
		.where(
			'frameworks.identifier',
			'in',
			frameworks.map((f) => f.identifier)
		)
		.execute();
	const idOf = (framework: string, code: string) =>
		items.find((i) => i.identifier === framework && i.code === code)!.id;
	const mappings: Record<string, Record<string, Record<string, number>>> = {
		[CAPRI.identifier]: DEFAULT_CROSSWALK,
		...DEFAULT_MAPPINGS
	};
	const rows = Object.entries(mappings).flatMap(([framework, mapping]) =>
		Object.entries(mapping).flatMap(([sourceCode, skills]) =>
			Object.entries(skills).map(([fusionCode, weight]) => ({
				school_id: null,
				source_item_id: idOf(framework, sourceCode),
				target_item_id: idOf(FUSION_SKILLS.identifier, fusionCode),
				weight
			}))
		)
	);
	const present = new Set(
		(
			await trx
				.selectFrom('crosswalk_weights')
				.select('source_item_id')
				.distinct()
				.where('school_id', 'is', null)
				.execute()
		).map((r) => r.source_item_id)
	);
	const missing = rows.filter((r) => !present.has(r.source_item_id));
	if (missing.length === 0) return;
	await trx.insertInto('crosswalk_weights').values(missing).execute();
	// Defaults shipped after learners were counted: a CAPRI sub-category's give criteria their Fusion
	// Skill shares (every learner's totals move), another framework's item's are read from the
	// Fusion Skills (its totals are counted). In every school that counts anyone, in id order.
	const capri = new Set(items.filter((i) => i.identifier === CAPRI.identifier).map((i) => i.id));
	const sharesMoved = missing.some((r) => capri.has(r.source_item_id));
	const itemsAdded = missing.some((r) => !capri.has(r.source_item_id));
	const schools = await trx
		.selectFrom('report_group_members')
		.select('school_id')
		.union(trx.selectFrom('learner_skill_aggregates').select('school_id'))
		.orderBy('school_id')
		.execute();
	if (schools.length === 0) return;
	const { refreshAggregatesForSchool, recountSchoolItemTotals } =
		await import('../profiles/aggregates');
	for (const { school_id } of schools) {
		if (sharesMoved) await refreshAggregatesForSchool(trx, school_id);
		if (itemsAdded) await recountSchoolItemTotals(trx, school_id);
	}
}
