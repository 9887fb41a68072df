import { error } from '@sveltejs/kit';
import { getDb } from '$lib/server/db/connection';
import { badgeClass, ob2BadgeClass, publicJson } from '$lib/server/badges/public';
import type { RequestHandler } from './$types';

/** The Open Badges 2.0 BadgeClass. */
export const GET: RequestHandler = async (event) => {
	const badge = await badgeClass(getDb(), event.params.identifier);
	if (!badge) error(404, 'There is no badge at this address.');
	return publicJson(ob2BadgeClass(event.url.origin, badge));
};
