import type { DB } from '../db/connection';
import { crosswalkFor, frameworkItems } from './frameworks';
import { itemMapping } from '../../domain/framework-conversion';
import { frameworkView, type MappedFrameworkSlug } from '../../domain/mapped-frameworks';

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
