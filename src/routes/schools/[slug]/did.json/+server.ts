import { error } from '@sveltejs/kit';
import { getDb } from '$lib/server/db/connection';
import { didDocument } from '$lib/server/badges/keys';
import { publicJson } from '$lib/server/badges/public';
import type { RequestHandler } from './$types';

/**
 * The school's DID document, where did:web puts it: `did:web:<host>:schools:<slug>` resolves to
 * this address. It lists the keys that sign the school's credentials (public keys only).
 */
export const GET: RequestHandler = async (event) => {
	const document = await didDocument(getDb(), event.params.slug, event.url.origin);
	if (!document) error(404, 'There is no school at this address.');
	return publicJson(document, { contentType: 'application/did+ld+json' });
};
