import type { DB } from '../db/connection';
import { nowIso } from '../clock';
import { issuerUrl } from '../../domain/badge-credential';
import { schoolDid } from '../../domain/did-web';
import { DID_CONTEXT, generateIssuerKey, MULTIKEY_CONTEXT, type IssuerKey } from './signing';

/**
 * A school's signing keys and the documents that publish them.
 *
 * The school's identifier is its `did:web` DID; its DID document lists every key it has made
 * (retired ones still verify old awards). Credentials signed before the DID existed name the
 * issuer profile URL (`/badges/issuers/{slug}`) and `…#key-…` under it: that controller document
 * keeps answering, with the same keys under the same fragments, so they still verify.
 * A key row's `key_id` is the name it was made under (the old URL or the DID); its fragment is the
 * same under either name.
 */

interface KeyRow {
	fragment: string;
	publicKeyMultibase: string;
	secretKeyMultibase: string;
	retired: boolean;
}

/** The school's keys made for this origin, under either name, oldest first. */
async function keyRows(db: DB, slug: string, origin: string): Promise<KeyRow[]> {
	const names = [`${issuerUrl(origin, slug)}#`, `${schoolDid(origin, slug)}#`];
	const rows = await db
		.selectFrom('signing_keys')
		.innerJoin('schools', 'schools.id', 'signing_keys.school_id')
		.select([
			'signing_keys.key_id',
			'signing_keys.public_key_multibase',
			'signing_keys.secret_key_multibase',
			'signing_keys.retired_at'
		])
		.where('schools.slug', '=', slug)
		.orderBy('signing_keys.id')
		.execute();
	return rows
		.filter((r) => names.some((name) => r.key_id.startsWith(name)))
		.map((r) => ({
			fragment: r.key_id.slice(r.key_id.indexOf('#') + 1),
			publicKeyMultibase: r.public_key_multibase,
			secretKeyMultibase: r.secret_key_multibase,
			retired: r.retired_at !== null
		}));
}

/**
 * The school's current signing key, named under its DID; made the first time it is needed (at
 * set-up or the first award). A key made before the DID existed is kept: only its name changes.
 */
export async function schoolKey(
	db: DB,
	schoolId: number,
	origin: string
): Promise<Required<IssuerKey>> {
	const school = await db
		.selectFrom('schools')
		.select(['slug'])
		.where('id', '=', schoolId)
		.executeTakeFirstOrThrow();
	const controller = schoolDid(origin, school.slug);
	const current = (await keyRows(db, school.slug, origin)).filter((k) => !k.retired).at(-1);
	if (current)
		return {
			controller,
			keyId: `${controller}#${current.fragment}`,
			publicKeyMultibase: current.publicKeyMultibase,
			secretKeyMultibase: current.secretKeyMultibase
		};
	const key = await generateIssuerKey(controller);
	await db
		.insertInto('signing_keys')
		.values({
			school_id: schoolId,
			key_id: key.keyId,
			public_key_multibase: key.publicKeyMultibase,
			secret_key_multibase: key.secretKeyMultibase,
			created_at: nowIso()
		})
		.execute();
	return key;
}

/**
 * Every key the school has published, under both names: its DID and the old issuer profile URL.
 */
export async function publishedKeys(db: DB, slug: string, origin: string): Promise<IssuerKey[]> {
	const rows = await keyRows(db, slug, origin);
	return [schoolDid(origin, slug), issuerUrl(origin, slug)].flatMap((controller) =>
		rows.map((r) => ({
			controller,
			keyId: `${controller}#${r.fragment}`,
			publicKeyMultibase: r.publicKeyMultibase
		}))
	);
}

/** A controller document: the keys, as Multikey verification methods, that assert for it. */
function controllerDocument(controller: string, rows: KeyRow[], extra: Record<string, unknown>) {
	return {
		'@context': [DID_CONTEXT, MULTIKEY_CONTEXT],
		id: controller,
		...extra,
		verificationMethod: rows.map((r) => ({
			id: `${controller}#${r.fragment}`,
			type: 'Multikey',
			controller,
			publicKeyMultibase: r.publicKeyMultibase
		})),
		assertionMethod: rows.map((r) => `${controller}#${r.fragment}`)
	};
}

async function schoolSlug(db: DB, slug: string) {
	return db.selectFrom('schools').select('slug').where('slug', '=', slug).executeTakeFirst();
}

/** The school's DID document, served at `/schools/{slug}/did.json`. */
export async function didDocument(db: DB, slug: string, origin: string) {
	if (!(await schoolSlug(db, slug))) return null;
	return controllerDocument(schoolDid(origin, slug), await keyRows(db, slug, origin), {
		// The same school under the name its first credentials used.
		alsoKnownAs: [issuerUrl(origin, slug)]
	});
}

/**
 * The old issuer URL's controller document, which credentials signed before the DID name: the same
 * keys, so they keep verifying.
 */
export async function issuerDocument(db: DB, slug: string, origin: string) {
	if (!(await schoolSlug(db, slug))) return null;
	return controllerDocument(issuerUrl(origin, slug), await keyRows(db, slug, origin), {});
}
