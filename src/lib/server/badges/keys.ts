import type { DB } from '../db/connection';
import { nowIso } from '../clock';
import { issuerUrl } from '../../domain/badge-credential';
import { generateIssuerKey, keyDocuments, type IssuerKey } from './signing';

/** The school's signing key, made the first time it is needed (at set-up or the first award). */
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
	const controller = issuerUrl(origin, school.slug);
	const existing = await db
		.selectFrom('signing_keys')
		.select(['key_id', 'public_key_multibase', 'secret_key_multibase'])
		.where('school_id', '=', schoolId)
		.where('retired_at', 'is', null)
		.where('key_id', 'like', `${controller}#%`)
		.orderBy('id', 'desc')
		.executeTakeFirst();
	if (existing)
		return {
			controller,
			keyId: existing.key_id,
			publicKeyMultibase: existing.public_key_multibase,
			secretKeyMultibase: existing.secret_key_multibase
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

/** Every key the school has published (retired ones still verify old awards). */
export async function publishedKeys(db: DB, slug: string, origin: string): Promise<IssuerKey[]> {
	const controller = issuerUrl(origin, slug);
	const rows = await db
		.selectFrom('signing_keys')
		.innerJoin('schools', 'schools.id', 'signing_keys.school_id')
		.select(['signing_keys.key_id', 'signing_keys.public_key_multibase'])
		.where('schools.slug', '=', slug)
		.execute();
	return rows
		.filter((r) => r.key_id.startsWith(`${controller}#`))
		.map((r) => ({ controller, keyId: r.key_id, publicKeyMultibase: r.public_key_multibase }));
}

/** The issuer profile, which is also the controller document listing the school's keys. */
export async function issuerDocument(db: DB, slug: string, origin: string) {
	const school = await db
		.selectFrom('schools')
		.select(['name', 'slug'])
		.where('slug', '=', slug)
		.executeTakeFirst();
	if (!school) return null;
	const keys = await publishedKeys(db, slug, origin);
	const controller = issuerUrl(origin, slug);
	return {
		'@context': keys.length
			? keyDocuments(keys[0]!).controller['@context']
			: ['https://www.w3.org/ns/did/v1'],
		id: controller,
		assertionMethod: keys.map((k) => k.keyId),
		verificationMethod: keys.map((k) => ({
			id: k.keyId,
			type: 'Multikey',
			controller,
			publicKeyMultibase: k.publicKeyMultibase
		}))
	};
}
