import type { DB } from '../db/connection';
import { crosswalkFor, frameworkItems } from './frameworks';
import { itemMapping, type MappingShare } from '../../domain/framework-conversion';
import { effectiveCrosswalk } from '../../domain/crosswalk';
import {
	frameworkView,
	MAPPED_FRAMEWORKS,
	type MappedFrameworkSlug
} from '../../domain/mapped-frameworks';

/**
 * A framework a profile or report can be read in, with the school's crosswalk onto the Fusion
 * Skills (its own rows where it edited them, else the shipped default). Only the framework's
 * top-level items are mapped: Skills Builder's steps are structure, not something a level is
 * given for (see docs/CROSSWALK.md).
 */
export async function mappedFramework(db: DB, schoolId: number, slug: MappedFrameworkSlug) {
	const view = frameworkView(slug);
	const [items, crosswalk] = await Promise.all([
		frameworkItems(db, view.framework.identifier),
		crosswalkFor(db, schoolId)
	]);
	const topLevel = items.filter((i) => i.parentId === null);
	const itemIds = new Set(topLevel.map((i) => i.id));
	const rows = crosswalk.filter((r) => itemIds.has(r.sourceItemId));
	return {
		slug,
		identifier: view.framework.identifier,
		title: view.framework.title,
		shortTitle: view.shortTitle,
		creator: view.framework.creator,
		items: topLevel.map((i) => ({
			id: i.id,
			code: i.code,
			title: i.title,
			identifier: i.identifier,
			mapping: itemMapping(rows, i.id)
		})),
		crosswalk: rows
	};
}

export type MappedFramework = Awaited<ReturnType<typeof mappedFramework>>;

/**
 * Each school's items of every framework a report can be read in (Skills Builder, the OECD
 * Learning Compass: top-level items only), with the item's mapping onto the Fusion Skills through
 * that school's crosswalk: what the class and year group totals of those frameworks are counted
 * with (`profiles/group-totals.ts`). Two queries for any number of schools.
 */
export async function schoolItemMappings(
	db: DB,
	schoolIds: readonly number[]
): Promise<Map<number, { itemId: number; mapping: MappingShare[] }[]>> {
	const bySchool = new Map<number, { itemId: number; mapping: MappingShare[] }[]>();
	if (schoolIds.length === 0) return bySchool;
	const [items, rows] = await Promise.all([
		db
			.selectFrom('framework_items')
			.innerJoin('frameworks', 'frameworks.id', 'framework_items.framework_id')
			.select('framework_items.id')
			.where(
				'frameworks.identifier',
				'in',
				MAPPED_FRAMEWORKS.map((v) => v.framework.identifier)
			)
			.where('framework_items.parent_id', 'is', null)
			.orderBy('framework_items.id')
			.execute(),
		db
			.selectFrom('crosswalk_weights')
			.select([
				'school_id as schoolId',
				'source_item_id as sourceItemId',
				'target_item_id as targetItemId',
				'weight'
			])
			.where((eb) => eb.or([eb('school_id', 'is', null), eb('school_id', 'in', [...schoolIds])]))
			.execute()
	]);
	const itemIds = new Set(items.map((i) => i.id));
	const ofItems = rows.filter((r) => itemIds.has(r.sourceItemId));
	const defaults = ofItems.filter((r) => r.schoolId === null);
	for (const schoolId of new Set(schoolIds)) {
		const crosswalk = effectiveCrosswalk(
			defaults,
			ofItems.filter((r) => r.schoolId === schoolId)
		);
		bySchool.set(
			schoolId,
			items.map((i) => ({ itemId: i.id, mapping: itemMapping(crosswalk, i.id) }))
		);
	}
	return bySchool;
}
