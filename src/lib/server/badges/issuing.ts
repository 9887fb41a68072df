import type { DB } from '../db/connection';
import { schoolDid } from '../../domain/did-web';
import { schoolKey } from './keys';
import { signCredential } from './signing';

/**
 * The one way a school signs a verifiable credential (an OB 3.0 badge, a status list, a CLR): with
 * the school's current key, an eddsa-rdfc-2022 Data Integrity proof whose verification method is
 * `did:web:…#key-…`. The credential's issuer should be `schoolIssuer(…)` (or its `id`): verifiers
 * check that the key belongs to the issuer.
 */
export async function signForSchool<T extends Record<string, unknown>>(
	db: DB,
	schoolId: number,
	origin: string,
	credential: T
): Promise<T & { proof: unknown[] }> {
	return signCredential(credential, await schoolKey(db, schoolId, origin));
}

/**
 * The school as an Open Badges 3.0 issuer Profile: its DID, its name and its web address. Nothing
 * invented: no e-mail or phone unless a school sets one.
 */
export async function schoolIssuer(db: DB, schoolId: number, origin: string) {
	const school = await db
		.selectFrom('schools')
		.select(['name', 'slug'])
		.where('id', '=', schoolId)
		.executeTakeFirstOrThrow();
	return {
		id: schoolDid(origin, school.slug),
		type: ['Profile'],
		name: school.name,
		url: origin
	};
}
