import type { DB } from '../db/connection';
import { issuerUrl } from '../../domain/badge-credential';
import { schoolDid } from '../../domain/did-web';
import { didDocument, issuerDocument } from './keys';
import { documentLoaderFor, MULTIKEY_CONTEXT, verifyCredentialWith } from './signing';
import { statusListCredential } from './status-lists';

/**
 * Verifying a credential the way an outside verifier does: every document it needs (the issuer's
 * DID document or old controller document, the key, the status list credential) is loaded from
 * what this app publishes at those addresses, exactly what a verifier fetching them would get, and
 * checked by Digital Bazaar's libraries: the credential's proof, the status list's proof, that both
 * have the same issuer, then the bit. Addresses of other origins are refused, never fetched.
 */

/** A verification method out of its controller document, as a DID URL dereferences to it. */
function entryOf(document: { verificationMethod: { id: string }[] } | null, url: string) {
	const method = document?.verificationMethod.find((m) => m.id === url);
	return method ? { '@context': MULTIKEY_CONTEXT, ...method } : null;
}

/** What this app serves at `url` (a DID, a DID URL, an issuer or status list address), or null. */
export async function publishedDocument(db: DB, origin: string, url: string) {
	const [address = '', fragment] = url.split('#');
	const didPrefix = schoolDid(origin, '');
	const issuerPrefix = issuerUrl(origin, '');
	const statusPrefix = `${origin}/schools/`;
	if (address.startsWith(didPrefix)) {
		const document = await didDocument(db, address.slice(didPrefix.length), origin);
		return fragment === undefined ? document : entryOf(document, url);
	}
	if (address.startsWith(issuerPrefix)) {
		const document = await issuerDocument(db, address.slice(issuerPrefix.length), origin);
		return fragment === undefined ? document : entryOf(document, url);
	}
	const status = address.startsWith(statusPrefix)
		? /^([^/]+)\/status\/([1-9]\d{0,8})$/.exec(address.slice(statusPrefix.length))
		: null;
	if (status && fragment === undefined)
		return statusListCredential(db, status[1]!, Number(status[2]), origin);
	return null;
}

/** Verifies a credential (signature and status) against what this app publishes at `origin`. */
export async function verifyAsOutsider(
	db: DB,
	credential: Record<string, unknown>,
	origin: string
) {
	return verifyCredentialWith(
		credential,
		documentLoaderFor([], (url) => publishedDocument(db, origin, url))
	);
}
