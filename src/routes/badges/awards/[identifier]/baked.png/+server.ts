import { error } from '@sveltejs/kit';
import { getDb } from '$lib/server/db/connection';
import { ERASED_AWARD_MESSAGE, isErasedAward, publicAward } from '$lib/server/badges/awards';
import { badgeClass } from '$lib/server/badges/public';
import { bakePng } from '$lib/server/badges/baking';
import type { RequestHandler } from './$types';

/** A baked PNG, when the school uploaded a PNG image for the badge (generated images are SVG). */
export const GET: RequestHandler = async (event) => {
	const db = getDb();
	if (await isErasedAward(db, event.params.identifier)) error(410, ERASED_AWARD_MESSAGE);
	const award = await publicAward(db, event.params.identifier, event.url.origin);
	if (!award) error(404, 'There is no badge at this address.');
	const badge = (await badgeClass(db, award.badgeIdentifier))!;
	if (badge.imageMime !== 'image/png')
		error(404, 'This badge’s image is SVG: download the baked SVG instead.');
	return new Response(
		new Uint8Array(
			bakePng(Buffer.from(badge.imageData), 'openbadgecredential', JSON.stringify(award.credential))
		),
		{
			headers: {
				'content-type': 'image/png',
				'content-disposition': `attachment; filename="badge-${award.identifier}.png"`
			}
		}
	);
};
