import { error } from '@sveltejs/kit';
import { getDb } from '$lib/server/db/connection';
import { achievementDocument, badgeClass, publicJson } from '$lib/server/badges/public';
import type { RequestHandler } from './$types';

/** The badge's Achievement (OB 3.0), the target of every award's `achievement.id`. */
export const GET: RequestHandler = async (event) => {
	const badge = await badgeClass(getDb(), event.params.identifier);
	if (!badge) error(404, 'There is no badge at this address.');
	return publicJson(achievementDocument(event.url.origin, badge), {
		contentType: 'application/ld+json'
	});
};
