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
import { DEFAULT_SCHOOL_SCALE, UNIVERSITY_SCALE } from '../../domain/scales';
import { nowIso } from '../clock';

/**
 * What every installation needs, demo or not: the shared frameworks (Fusion Skills, CAPRI, the
 * Cities of Learning layers), the default crosswalk and the
 * shipped grade scales. Idempotent: run at every start; adds only what is missing.
 */
export async function ensureReferenceData(db: DB): Promise<void> {
	await db.transaction().execute(async (trx) => {
		for (const framework of [FUSION_SKILLS, CAPRI, COL_LAYERS])
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

async function ensureDefaultCrosswalk(trx: Transaction<Database>) {
	const any = await trx
		.selectFrom('crosswalk_weights')
		.select('id')
		.where('school_id', 'is', null)
		.limit(1)
		.executeTakeFirst();
	if (any) return;
	const items = await trx
		.selectFrom('framework_items')
		.innerJoin('frameworks', 'frameworks.id', 'framework_items.framework_id')
		.select(['framework_items.id', 'framework_items.code', 'frameworks.kind'])
		.where('frameworks.identifier', 'in', [FUSION_SKILLS.identifier, CAPRI.identifier])
		.execute();
	const idOf = (kind: string, code: string) =>
		items.find((i) => i.kind === kind && i.code === code)!.id;
	const rows = Object.entries(DEFAULT_CROSSWALK).flatMap(([capriCode, skills]) =>
		Object.entries(skills).map(([fusionCode, weight]) => ({
			school_id: null,
			source_item_id: idOf('capri', capriCode),
			target_item_id: idOf('fusion', fusionCode),
			weight
		}))
	);
	await trx.insertInto('crosswalk_weights').values(rows).execute();
}
