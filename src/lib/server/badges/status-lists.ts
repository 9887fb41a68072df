import { randomInt } from 'node:crypto';
import { createCredential, createList } from '@digitalbazaar/vc-bitstring-status-list';
import type { DB } from '../db/connection';
import { nowIso } from '../clock';
import { schoolDid } from '../../domain/did-web';
import type { BitstringStatusListEntry } from '../../domain/badge-credential';
import { signForSchool } from './issuing';

/**
 * Revocation that every verifier can see: W3C Bitstring Status List v1.0. Each credential a school
 * signs carries a `BitstringStatusListEntry` naming an index in one of the school's lists; the list
 * is served as a `BitstringStatusListCredential` signed with the school's key, and revoking sets
 * the index's bit. Indices are drawn at random, so neighbouring indices say nothing about who was
 * awarded what when, and never handed out twice. A list holds no personal data: bits only.
 */

/** The specification's minimum length (16 KiB of bits), so one credential hides among many. */
export const STATUS_LIST_LENGTH = 131_072;
/** A list is closed at half full: random draws stay quick, and indices stay spread out. */
const LIST_FILL_LIMIT = STATUS_LIST_LENGTH / 2;
const DRAWS = 32;

export const statusListUrl = (origin: string, slug: string, number: number) =>
	`${origin}/schools/${slug}/status/${number}`;

export interface StatusEntry {
	listId: number;
	statusIndex: number;
	/** The credential's `credentialStatus`, as the specification and the OB 3.0 schema want it. */
	credentialStatus: BitstringStatusListEntry;
}

/** The school's open revocation list: the newest one not yet half full, or a new one. */
async function openList(trx: DB, schoolId: number) {
	const newest = await trx
		.selectFrom('status_lists')
		.select(['id', 'number', 'length'])
		.select((eb) =>
			eb
				.selectFrom('status_list_entries')
				.select((e) => e.fn.countAll<number>().as('n'))
				.whereRef('status_list_entries.list_id', '=', 'status_lists.id')
				.as('used')
		)
		.where('school_id', '=', schoolId)
		.where('purpose', '=', 'revocation')
		.orderBy('number', 'desc')
		.executeTakeFirst();
	if (newest && Number(newest.used) < Math.min(LIST_FILL_LIMIT, newest.length / 2)) return newest;
	const number = (newest?.number ?? 0) + 1;
	const created = await trx
		.insertInto('status_lists')
		.values({
			school_id: schoolId,
			number,
			purpose: 'revocation',
			length: STATUS_LIST_LENGTH,
			created_at: nowIso()
		})
		.returning(['id', 'number', 'length'])
		.executeTakeFirstOrThrow();
	return { ...created, used: 0 };
}

/**
 * Hands out a fresh revocation entry for a credential the school is about to sign: an index drawn
 * at random among those never used in the school's open list. Call it before signing; an entry
 * whose credential is never stored is simply never used again.
 */
export async function allocateStatusEntry(
	db: DB,
	schoolId: number,
	origin: string
): Promise<StatusEntry> {
	const school = await db
		.selectFrom('schools')
		.select('slug')
		.where('id', '=', schoolId)
		.executeTakeFirstOrThrow();
	return db.transaction().execute(async (trx) => {
		const list = await openList(trx, schoolId);
		for (let draw = 0; draw < DRAWS; draw++) {
			const statusIndex = randomInt(list.length);
			const inserted = await trx
				.insertInto('status_list_entries')
				.values({ list_id: list.id, status_index: statusIndex, allocated_at: nowIso() })
				.onConflict((oc) => oc.doNothing())
				.executeTakeFirst();
			if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) continue;
			const url = statusListUrl(origin, school.slug, list.number);
			return {
				listId: list.id,
				statusIndex,
				credentialStatus: {
					id: `${url}#${statusIndex}`,
					type: 'BitstringStatusListEntry',
					statusPurpose: 'revocation',
					statusListIndex: String(statusIndex),
					statusListCredential: url
				}
			};
		}
		// At most half the list is ever used, so 32 misses in a row do not happen by chance.
		throw new Error('No free index found in the status list.');
	});
}

/**
 * Sets the revoked bit of these entries (in the caller's transaction). The list's revision moves
 * on, so it is signed afresh the next time it is asked for.
 */
export async function revokeStatusEntries(
	trx: DB,
	entries: { listId: number; statusIndex: number }[]
) {
	const now = nowIso();
	for (const { listId, statusIndex } of entries)
		await trx
			.updateTable('status_list_entries')
			.set({ revoked: 1, revoked_at: now })
			.where('list_id', '=', listId)
			.where('status_index', '=', statusIndex)
			.where('revoked', '=', 0)
			.execute();
	const lists = [...new Set(entries.map((e) => e.listId))];
	if (lists.length)
		await trx
			.updateTable('status_lists')
			.set((eb) => ({ revision: eb('revision', '+', 1) }))
			.where('id', 'in', lists)
			.execute();
}

/**
 * The school's status list `number` as a signed `BitstringStatusListCredential` (eddsa-rdfc-2022,
 * the school's key, issuer its DID), or null if there is no such list. Signed again only when a bit
 * has changed since (or the list is asked for at another origin); otherwise the stored one is served.
 */
export async function statusListCredential(
	db: DB,
	slug: string,
	number: number,
	origin: string
): Promise<Record<string, unknown> | null> {
	const list = await db
		.selectFrom('status_lists')
		.innerJoin('schools', 'schools.id', 'status_lists.school_id')
		.select([
			'status_lists.id',
			'status_lists.school_id as schoolId',
			'status_lists.length',
			'status_lists.purpose',
			'status_lists.revision',
			'status_lists.signed_revision as signedRevision',
			'status_lists.credential_json as credentialJson'
		])
		.where('schools.slug', '=', slug)
		.where('status_lists.number', '=', number)
		.executeTakeFirst();
	if (!list) return null;
	const id = statusListUrl(origin, slug, number);
	if (list.credentialJson && list.signedRevision === list.revision) {
		const stored = JSON.parse(list.credentialJson) as Record<string, unknown>;
		if (stored.id === id) return stored;
	}
	const revoked = await db
		.selectFrom('status_list_entries')
		.select('status_index')
		.where('list_id', '=', list.id)
		.where('revoked', '=', 1)
		.execute();
	const bits = await createList({ length: list.length });
	for (const r of revoked) bits.setStatus(r.status_index, true);
	const unsigned = await createCredential({ id, list: bits, statusPurpose: list.purpose });
	const signed = await signForSchool(db, list.schoolId, origin, {
		...unsigned,
		issuer: schoolDid(origin, slug),
		validFrom: nowIso().replace(/\.\d{3}Z$/, 'Z')
	});
	// Kept only if no bit changed while it was being signed; the next request signs again if one did.
	await db
		.updateTable('status_lists')
		.set({ credential_json: JSON.stringify(signed), signed_revision: list.revision })
		.where('id', '=', list.id)
		.where('revision', '=', list.revision)
		.execute();
	return signed;
}
