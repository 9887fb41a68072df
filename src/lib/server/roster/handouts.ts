import { randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import { z } from 'zod';
import type { DB } from '../db/connection';
import type { Database } from '../db/schema';
import { serverSecret } from '../auth/server-secrets';
import { recordAudit } from '../audit';
import { Refusal } from '../errors';
import { toCsv } from '../reports/csv';
import { seal, unseal } from '../seal';
import { enqueueJob, registerJobHandler } from '../jobs/queue';

/**
 * The one-time passwords a roster import made, kept so the admin who ran the import can print the
 * sign-in slips and download the list: they are secrets about children, so
 * - only that admin, in that school, can read them (another admin of the school gets a 404);
 * - for an hour at most, or until the admin says they are handed out ("Forget the passwords");
 *   an expired list is deleted by a timer at its expiry, by every read and at server start;
 * - stored sealed (AES-256-GCM under a server key, the school and admin bound in as associated
 *   data, so a row moved to another admin does not open), never in plain text, never in the audit
 *   log (which records only that slips were made or downloaded, and how many).
 */
export const HANDOUT_LIFETIME_MS = 60 * 60 * 1000;
const KEY_NAME = 'roster_handout_key';

const entrySchema = z.object({
	givenName: z.string(),
	familyName: z.string(),
	name: z.string(),
	username: z.string(),
	role: z.enum(['student', 'teacher', 'admin']),
	classes: z.array(z.string()),
	password: z.string()
});
/** One new account's sign-in details, as its slip and its row of the list show them. */
export type HandoutEntry = z.infer<typeof entrySchema>;

export interface HandoutSummary {
	id: string;
	people: number;
	createdAt: string;
	expiresAt: string;
}

const boundTo = (schoolId: number, adminId: number) =>
	`roster-handout school=${schoolId} admin=${adminId}`;

/** The key comes from the database: fetch it before a transaction, never inside one. */
export const handoutKey = (db: DB) => serverSecret(db, KEY_NAME);

export function sealHandout(
	key: Buffer,
	owner: { schoolId: number; adminId: number },
	entries: HandoutEntry[]
): string {
	return seal(key, boundTo(owner.schoolId, owner.adminId), JSON.stringify(entries));
}

export function unsealHandout(
	key: Buffer,
	owner: { schoolId: number; adminId: number },
	sealed: string
): HandoutEntry[] {
	const text = unseal(key, boundTo(owner.schoolId, owner.adminId), sealed);
	return z.array(entrySchema).parse(JSON.parse(text));
}

/** Written in the import's transaction, so slips exist only for accounts that do. */
export async function storeHandout(
	trx: Transaction<Database>,
	key: Buffer,
	owner: { schoolId: number; adminId: number },
	entries: HandoutEntry[],
	now: Date
): Promise<HandoutSummary> {
	const summary: HandoutSummary = {
		id: randomUUID(),
		people: entries.length,
		createdAt: now.toISOString(),
		expiresAt: new Date(now.getTime() + HANDOUT_LIFETIME_MS).toISOString()
	};
	await trx
		.insertInto('roster_handouts')
		.values({
			id: summary.id,
			school_id: owner.schoolId,
			admin_id: owner.adminId,
			people: summary.people,
			sealed: sealHandout(key, owner, entries),
			created_at: summary.createdAt,
			expires_at: summary.expiresAt
		})
		.execute();
	await deleteHandoutAtExpiry(trx, summary);
	return summary;
}

const HANDOUT_EXPIRY_JOB = 'roster.handout_expiry';

/**
 * Deletes the list at its expiry even if nobody asks for a page meanwhile: a job in the jobs table
 * (keyed by the list, written in the import's transaction), so a restart does not forget it and
 * two app servers delete it once. Every read sweeps too.
 */
export async function deleteHandoutAtExpiry(
	db: DB | Transaction<Database>,
	handout: Pick<HandoutSummary, 'id' | 'expiresAt'>
): Promise<void> {
	await enqueueJob(db, {
		kind: HANDOUT_EXPIRY_JOB,
		key: `roster.handout_expiry:${handout.id}`,
		runAt: new Date(Date.parse(handout.expiresAt) + 1000)
	});
}

registerJobHandler(HANDOUT_EXPIRY_JOB, async (db, _job, now) => {
	await sweepExpiredHandouts(db, now);
});

export async function sweepExpiredHandouts(db: DB, now = new Date()): Promise<number> {
	const deleted = await db
		.deleteFrom('roster_handouts')
		.where('expires_at', '<=', now.toISOString())
		.executeTakeFirst();
	return Number(deleted.numDeletedRows);
}

/** The lists this admin can still download, newest first (no passwords: only what and until when). */
export async function ownHandouts(
	db: DB,
	admin: { id: number; schoolId: number },
	now = new Date()
): Promise<HandoutSummary[]> {
	await sweepExpiredHandouts(db, now);
	const rows = await db
		.selectFrom('roster_handouts')
		.select(['id', 'people', 'created_at', 'expires_at'])
		.where('admin_id', '=', admin.id)
		.where('school_id', '=', admin.schoolId)
		.orderBy('created_at', 'desc')
		.execute();
	return rows.map((r) => ({
		id: r.id,
		people: r.people,
		createdAt: r.created_at,
		expiresAt: r.expires_at
	}));
}

const GONE =
	'These sign-in slips are no longer available: they are kept for an hour after the import, only for the admin who ran it, until they are forgotten. Reset the passwords under People to make new ones.';

/**
 * The entries of a list for the admin who made it, and an audit entry saying it was downloaded
 * (what, never the passwords). Anyone else, or after expiry: 404, saying nothing of whose it is.
 */
export async function openOwnHandout(
	db: DB,
	admin: { id: number; schoolId: number },
	id: string,
	what: 'slips' | 'passwords',
	now = new Date()
): Promise<{ entries: HandoutEntry[]; createdAt: string }> {
	const key = await handoutKey(db);
	await sweepExpiredHandouts(db, now);
	const row = await db
		.selectFrom('roster_handouts')
		.select(['sealed', 'created_at', 'people'])
		.where('id', '=', id)
		.where('admin_id', '=', admin.id)
		.where('school_id', '=', admin.schoolId)
		.executeTakeFirst();
	if (!row) throw new Refusal(GONE, 404);
	const entries = unsealHandout(key, { schoolId: admin.schoolId, adminId: admin.id }, row.sealed);
	await recordAudit(db, {
		schoolId: admin.schoolId,
		actorId: admin.id,
		action: what === 'slips' ? 'roster.slips_download' : 'roster.passwords_download',
		entityType: 'roster_handout',
		entityId: id,
		after: { people: row.people }
	});
	return { entries, createdAt: row.created_at };
}

/** "They are handed out": the passwords are deleted now. Someone else's list is not found. */
export async function forgetHandout(
	db: DB,
	admin: { id: number; schoolId: number },
	id: string
): Promise<void> {
	await db.transaction().execute(async (trx) => {
		const deleted = await trx
			.deleteFrom('roster_handouts')
			.where('id', '=', id)
			.where('admin_id', '=', admin.id)
			.where('school_id', '=', admin.schoolId)
			.executeTakeFirst();
		if (Number(deleted.numDeletedRows) === 0) throw new Refusal(GONE, 404);
		await recordAudit(trx, {
			schoolId: admin.schoolId,
			actorId: admin.id,
			action: 'roster.passwords_forgotten',
			entityType: 'roster_handout',
			entityId: id
		});
	});
}

/** Slips and list in the order a teacher hands them out: by class, then family and given name. */
export function handoutOrder(entries: HandoutEntry[]): HandoutEntry[] {
	const classOf = (e: HandoutEntry) => e.classes[0] ?? '\uffff';
	return [...entries].sort(
		(a, b) =>
			classOf(a).localeCompare(classOf(b)) ||
			a.familyName.localeCompare(b.familyName) ||
			a.givenName.localeCompare(b.givenName) ||
			a.username.localeCompare(b.username)
	);
}

/** The list as CSV (UTF-8 with a BOM, for Excel), one row per new account, in handout order. */
export function handoutPasswordsCsv(entries: HandoutEntry[], signInUrl: string): string {
	return toCsv(
		['class', 'family_name', 'given_name', 'username', 'role', 'one_time_password', 'sign_in_at'],
		entries.map((e) => [
			e.classes.join('; '),
			e.familyName,
			e.givenName,
			e.username,
			e.role,
			e.password,
			signInUrl
		]),
		{ bom: true }
	);
}

/**
 * At server start: expired lists go now, and each one still open has its expiry job (lists stored
 * before expiry became a job get theirs here; for the others the keyed job exists already).
 */
export async function scheduleHandoutExpiry(db: DB): Promise<void> {
	await sweepExpiredHandouts(db);
	const open = await db.selectFrom('roster_handouts').select(['id', 'expires_at']).execute();
	for (const h of open) await deleteHandoutAtExpiry(db, { id: h.id, expiresAt: h.expires_at });
}
