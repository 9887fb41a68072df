import type { Transaction } from 'kysely';
import type { DB } from '../db/connection';
import type { Database } from '../db/schema';
import { generateReadablePassword, hashPassword } from '../auth/passwords';
import { generateSessionToken, sessionIdFromToken } from '../auth/sessions';
import { writeStarterBank } from '../criteria/criteria';
import { ensureReferenceData } from '../frameworks/reference-data';
import { schoolKey } from '../badges/keys';
import { recordAudit } from '../audit';
import { Refusal } from '../errors';
import type { NewSchoolInput } from '../../schemas/people';

/**
 * A real school's first run: a school and its first admin, with the same reference data and
 * starter criteria bank as the demo but no demo people. Two ways in: a one-time set-up link the
 * server prints while no school exists (`/setup`), and `npm run setup` on the command line.
 */

const HOUR_MS = 60 * 60 * 1000;
export const SETUP_LINK_LIFETIME_MS = 24 * HOUR_MS;

export const ALREADY_SET_UP = 'This server already has a school. Sign in instead.';

/** Set up means: some school exists (the demo counts). The link works only before that. */
export async function isSetUp(db: DB | Transaction<Database>): Promise<boolean> {
	return Boolean(await db.selectFrom('schools').select('id').limit(1).executeTakeFirst());
}

/**
 * A new set-up link's token (printed, never stored: only its SHA-256 is, like a session's). Every
 * earlier link stops working, so a link left in an old log is void once the server restarts.
 */
export async function issueSetupToken(
	db: DB,
	now = new Date()
): Promise<{ token: string; expiresAt: Date }> {
	const token = generateSessionToken();
	const expiresAt = new Date(now.getTime() + SETUP_LINK_LIFETIME_MS);
	await db.transaction().execute(async (trx) => {
		await trx.deleteFrom('setup_tokens').execute();
		await trx
			.insertInto('setup_tokens')
			.values({
				id: sessionIdFromToken(token),
				expires_at: expiresAt.toISOString(),
				used_at: null,
				created_at: now.toISOString()
			})
			.execute();
	});
	return { token, expiresAt };
}

/** Refuses, with what to do, unless `token` opens set-up now. Changes nothing. */
export async function checkSetupToken(
	db: DB | Transaction<Database>,
	token: string,
	now = new Date()
): Promise<void> {
	if (await isSetUp(db)) throw new Refusal(ALREADY_SET_UP, 404);
	const row = await db
		.selectFrom('setup_tokens')
		.select(['expires_at', 'used_at'])
		.where('id', '=', sessionIdFromToken(token))
		.executeTakeFirst();
	if (!row || row.used_at !== null)
		throw new Refusal(
			'This set-up link is not valid. Use the latest link the server printed (each start prints a new one).',
			403
		);
	if (now.getTime() >= new Date(row.expires_at).getTime())
		throw new Refusal(
			'This set-up link has expired. Restart the server to print a new one, or run npm run setup.',
			403
		);
}

export interface CreatedSchool {
	schoolId: number;
	userId: number;
	username: string;
}

/**
 * Through the set-up link: the token is checked and spent in the same transaction that creates the
 * school, so two submissions cannot both succeed. A password the admin chose here is their own (no
 * change at first sign-in); `null` generates one, returned once.
 */
export async function setUpSchoolWithToken(
	db: DB,
	token: string,
	input: NewSchoolInput,
	password: string | null,
	origin: string,
	now = new Date()
): Promise<CreatedSchool & { generatedPassword: string | null }> {
	await checkSetupToken(db, token, now); // before the slow hash: a wrong link costs nothing
	const generatedPassword = password === null ? generateReadablePassword() : null;
	const passwordHash = await hashPassword(password ?? generatedPassword!);
	await ensureReferenceData(db);
	const created = await db.transaction().execute(async (trx) => {
		await checkSetupToken(trx, token, now);
		await trx
			.updateTable('setup_tokens')
			.set({ used_at: now.toISOString() })
			.where('id', '=', sessionIdFromToken(token))
			.execute();
		return insertSchoolAndAdmin(trx, input, passwordHash, false, 'link', now);
	});
	await schoolKey(db, created.schoolId, origin);
	return { ...created, generatedPassword };
}

/**
 * From the command line (`npm run setup`): a school and its admin with a generated one-time
 * password, which that admin must change at first sign-in. Refused beside the demo school: a real
 * school's children do not share a database with accounts whose password is published.
 */
export async function setUpSchoolFromCommand(
	db: DB,
	input: NewSchoolInput,
	origin: string,
	now = new Date()
): Promise<CreatedSchool & { password: string }> {
	const demo = await db.selectFrom('schools').select('id').where('demo', '=', 1).executeTakeFirst();
	if (demo)
		throw new Refusal(
			'This database holds the demo school, whose accounts share a published password. Set up a real school in a database of its own: set DATABASE_PATH to a new file.',
			409
		);
	const password = generateReadablePassword();
	const passwordHash = await hashPassword(password);
	await ensureReferenceData(db);
	const created = await db
		.transaction()
		.execute((trx) => insertSchoolAndAdmin(trx, input, passwordHash, true, 'command', now));
	// Once a school exists the set-up link has nothing left to do.
	await db.deleteFrom('setup_tokens').execute();
	await schoolKey(db, created.schoolId, origin);
	return { ...created, password };
}

/**
 * A city admin's new school in their city (server/city/schools.ts): the same school and first
 * admin as set-up makes, in the city, with a one-time password shown once to the city admin (the
 * school admin changes it at first sign-in). Beside the demo as anywhere: a city's database is the
 * city's.
 */
export async function setUpSchoolInCity(
	db: DB,
	cityId: number,
	actorId: number,
	input: NewSchoolInput,
	origin: string,
	now = new Date()
): Promise<CreatedSchool & { password: string }> {
	const password = generateReadablePassword();
	const passwordHash = await hashPassword(password);
	await ensureReferenceData(db);
	const created = await db
		.transaction()
		.execute((trx) =>
			insertSchoolAndAdmin(trx, input, passwordHash, true, 'city', now, { cityId, actorId })
		);
	await schoolKey(db, created.schoolId, origin);
	return { ...created, password };
}

async function insertSchoolAndAdmin(
	trx: Transaction<Database>,
	input: NewSchoolInput,
	passwordHash: string,
	mustChangePassword: boolean,
	via: 'link' | 'command' | 'city',
	now: Date,
	city: { cityId: number; actorId: number } | null = null
): Promise<CreatedSchool> {
	const taken = await trx
		.selectFrom('users')
		.select('id')
		.where('username', '=', input.username)
		.executeTakeFirst();
	if (taken) throw new Refusal(`The username ${input.username} is already taken. Choose another.`);
	const at = now.toISOString();
	const { id: schoolId } = await trx
		.insertInto('schools')
		.values({
			name: input.schoolName,
			slug: await freeSlug(trx, input.schoolName),
			city_id: city?.cityId ?? null,
			created_at: at
		})
		.returning('id')
		.executeTakeFirstOrThrow();
	const { id: userId } = await trx
		.insertInto('users')
		.values({
			username: input.username,
			given_name: input.givenName,
			family_name: input.familyName,
			password_hash: passwordHash,
			password_changed_at: at,
			must_change_password: mustChangePassword ? 1 : 0,
			created_at: at
		})
		.returning('id')
		.executeTakeFirstOrThrow();
	await trx
		.insertInto('memberships')
		.values({
			user_id: userId,
			school_id: schoolId,
			role: 'admin',
			year_group: null,
			created_at: at
		})
		.execute();
	await writeStarterBank(trx, schoolId);
	await recordAudit(trx, {
		schoolId,
		actorId: city?.actorId ?? userId,
		action: 'school.setup',
		entityType: 'school',
		entityId: String(schoolId),
		after: { name: input.schoolName, admin: input.username, via, cityId: city?.cityId ?? null }
	});
	return { schoolId, userId, username: input.username };
}

/** A URL-safe slug from the school's name (its public badge issuer address), unique. */
export function slugFor(name: string): string {
	const slug = name
		.normalize('NFKD')
		.replace(/[\u0300-\u036f]/g, '')
		.toLowerCase()
		.replace(/[^a-z0-9]+/g, '-')
		.replace(/^-+|-+$/g, '')
		.slice(0, 40)
		.replace(/-+$/, '');
	return slug || 'school';
}

async function freeSlug(trx: Transaction<Database>, name: string): Promise<string> {
	const base = slugFor(name);
	const taken = new Set(
		(
			await trx
				.selectFrom('schools')
				.select('slug')
				.where((eb) => eb.or([eb('slug', '=', base), eb('slug', 'like', `${base}-%`)]))
				.execute()
		).map((s) => s.slug)
	);
	let slug = base;
	for (let n = 2; taken.has(slug); n++) slug = `${base}-${n}`;
	return slug;
}
