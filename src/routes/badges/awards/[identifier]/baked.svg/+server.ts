import { error } from '@sveltejs/kit';
import { getDb } from '$lib/server/db/connection';
import { ERASED_AWARD_MESSAGE, isErasedAward, publicAward } from '$lib/server/badges/awards';
import { badgeClass } from '$lib/server/badges/public';
import { bakeSvg } from '$lib/server/badges/baking';
import { generatedBadgeSvg } from '$lib/server/badges/images';
import type { RequestHandler } from './$types';

/** The badge image with the signed credential baked in. */
export const GET: RequestHandler = async (event) => {
	const db = getDb();
	if (await isErasedAward(db, event.params.identifier)) error(410, ERASED_AWARD_MESSAGE);
	const award = await publicAward(db, event.params.identifier, event.url.origin);
	if (!award) error(404, 'There is no badge at this address.');
	const badge = (await badgeClass(db, award.badgeIdentifier))!;
	const svg =
		badge.imageMime === 'image/svg+xml'
			? Buffer.from(badge.imageData).toString('utf8')
			: generatedBadgeSvg(badge.name, badge.layer);
	return new Response(bakeSvg(svg, JSON.stringify(award.credential)), {
		headers: {
			'content-type': 'image/svg+xml',
			'content-disposition': `attachment; filename="badge-${award.identifier}.svg"`,
			'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; sandbox"
		}
	});
};
