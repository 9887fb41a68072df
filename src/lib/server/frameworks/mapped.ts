import type { DB } from '../db/connection';
import { crosswalkFor, crosswalksFor, frameworkItems } from './frameworks';
import { itemMapping, type MappingShare } from '../../domain/framework-conversion';
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

/** The items of every framework a report can be read in that are given a level (top-level only). */
export async function mappedItemIds(db: DB): Promise<number[]> {
	const items = await db
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
		.execute();
	return items.map((i) => i.id);
}

/**
 * Each school's items of every framework a report can be read in (Skills Builder, the OECD
 * Learning Compass), with the item's mapping onto the Fusion Skills through that school's
 * crosswalk, as `mappedFramework` gives it: what the class and year group totals of those
 * frameworks are counted with (`profiles/group-totals.ts`). Two queries for any number of schools.
 */
export async function schoolItemMappings(
	db: DB,
	schoolIds: readonly number[]
): Promise<Map<number, { itemId: number; mapping: MappingShare[] }[]>> {
	if (schoolIds.length === 0) return new Map();
	const [itemIds, crosswalks] = await Promise.all([
		mappedItemIds(db),
		crosswalksFor(db, schoolIds)
	]);
	return new Map(
		[...crosswalks].map(([schoolId, crosswalk]) => [
			schoolId,
			itemIds.map((itemId) => ({ itemId, mapping: itemMapping(crosswalk, itemId) }))
		])
	);
}
