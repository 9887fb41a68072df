import { error, json } from '@sveltejs/kit';
import { getDb } from '$lib/server/db/connection';
import { frameworkUri, itemUri } from '$lib/domain/case';
import type { RequestHandler } from './$types';

/** Public: one CASE CFItem (a Fusion Skill or CAPRI category), the target of badge alignments. */
export const GET: RequestHandler = async ({ params, url }) => {
	const item = await getDb()
		.selectFrom('framework_items')
		.innerJoin('frameworks', 'frameworks.id', 'framework_items.framework_id')
		.select([
			'framework_items.identifier',
			'framework_items.code',
			'framework_items.title',
			'framework_items.description',
			'framework_items.last_change_at as lastChangeAt',
			'frameworks.identifier as documentIdentifier',
			'frameworks.title as documentTitle'
		])
		.where('framework_items.identifier', '=', params.identifier)
		.where('frameworks.school_id', 'is', null)
		.executeTakeFirst();
	if (!item) error(404, 'No published framework item with that identifier.');
	return json(
		{
			identifier: item.identifier,
			uri: itemUri(url.origin, item.identifier),
			fullStatement: item.title,
			notes: item.description,
			humanCodingScheme: item.code,
			lastChangeDateTime: item.lastChangeAt,
			CFDocumentURI: {
				title: item.documentTitle,
				identifier: item.documentIdentifier,
				uri: frameworkUri(url.origin, item.documentIdentifier)
			}
		},
		{ headers: { 'cache-control': 'public, max-age=3600', 'access-control-allow-origin': '*' } }
	);
};
