import { error } from '@sveltejs/kit';
import { getDb } from '$lib/server/db/connection';
import { issuerDocument } from '$lib/server/badges/keys';
import { publicJson } from '$lib/server/badges/public';
import type { RequestHandler } from './$types';

/** The issuer's controller document: the public keys that verify its badges' signatures. */
export const GET: RequestHandler = async (event) => {
	const document = await issuerDocument(getDb(), event.params.slug, event.url.origin);
	if (!document) error(404, 'There is no issuer at this address.');
	return publicJson(document, { contentType: 'application/ld+json' });
};
