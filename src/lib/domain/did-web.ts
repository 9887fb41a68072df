/**
 * A school's `did:web` identifier (W3C CCG did:web method specification): the host, with a port's
 * colon percent-encoded, then the path segments, all joined by colons. A verifier resolves
 * `did:web:<host>:schools:<slug>` by fetching `https://<host>/schools/<slug>/did.json`.
 * Pure: the caller passes the app's public origin.
 */

export const schoolDid = (origin: string, slug: string) =>
	`did:web:${encodeURIComponent(new URL(origin).host)}:schools:${slug}`;

/** Where the school's DID document is served on its own origin (the path did:web prescribes). */
export const schoolDidDocumentPath = (slug: string) => `/schools/${slug}/did.json`;

/**
 * The HTTPS address a did:web DID resolves to, or null if this is not a did:web DID. A DID URL's
 * fragment (a key) is not part of the address: it names an entry of the document.
 */
export function didWebDocumentUrl(did: string): string | null {
	const match = /^did:web:([^#?]+)/.exec(did);
	if (!match) return null;
	const [host, ...path] = match[1]!.split(':').map(decodeURIComponent);
	return `https://${host}/${path.length ? path.join('/') : '.well-known'}/did.json`;
}
