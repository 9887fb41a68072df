import { sha256 } from '@oslojs/crypto/sha2';
import { encodeBase32LowerCaseNoPadding, encodeHexLowerCase } from '@oslojs/encoding';
import type { Cookies } from '@sveltejs/kit';
import { sessionCacheOf, type DB } from '../db/connection';
import type { Role, SignInMethod } from '../db/schema';

/**
 * Sessions as in the lucia-auth.com guide: the cookie holds a random token, the table only its
 * SHA-256.
 */

const DAY_MS = 24 * 60 * 60 * 1000;
/**
 * A session unused for 7 days ends (sliding expiry: one used with less than 6 days left is pushed
 * out to 7 again, at most one write a day), and every session ends 30 days after sign-in however
 * much it is used (absolute lifetime): a shared or lost school device is not signed in for longer
 * than a month, or across a week's holiday. See docs/SECURITY.md.
 */
export const SESSION_LIFETIME_MS = 7 * DAY_MS;
const RENEW_WHEN_LESS_THAN_MS = 6 * DAY_MS;
export const SESSION_ABSOLUTE_LIFETIME_MS = 30 * DAY_MS;
export const SESSION_COOKIE = 'fusion_session';

export interface SessionUser {
	id: number;
	username: string;
	givenName: string;
	familyName: string;
	/** 0 (no school) for someone who is only a city admin: every school guard then refuses them. */
	schoolId: number;
	schoolName: string;
	roles: Role[];
	/** The city this person administers (migration 0025), if any: a city role, not a school one. */
	city: { id: number; name: string } | null;
	/** Someone else set the password: only /account and /logout until it is changed. */
	mustChangePassword: boolean;
}

export interface Session {
	id: string;
	userId: number;
	expiresAt: Date;
	createdAt: Date;
}

export type SessionValidation =
	| { session: Session; user: SessionUser; renewed: boolean }
	| { session: null; user: null; renewed: false };

export function generateSessionToken(): string {
	const bytes = new Uint8Array(20);
	crypto.getRandomValues(bytes);
	return encodeBase32LowerCaseNoPadding(bytes);
}

export function sessionIdFromToken(token: string): string {
	return encodeHexLowerCase(sha256(new TextEncoder().encode(token)));
}

export async function createSession(
	db: DB,
	token: string,
	userId: number,
	now = new Date(),
	method: SignInMethod = 'password'
): Promise<Session> {
	const session: Session = {
		id: sessionIdFromToken(token),
		userId,
		expiresAt: new Date(now.getTime() + SESSION_LIFETIME_MS),
		createdAt: now
	};
	await db
		.insertInto('sessions')
		.values({
			id: session.id,
			user_id: userId,
			expires_at: session.expiresAt.toISOString(),
			created_at: now.toISOString(),
			sign_in_method: method
		})
		.execute();
	return session;
}

type CachedSession = { session: Session; user: SessionUser };

/** The latest a session may ever expire: its absolute lifetime from sign-in. */
function absoluteEndOf(session: Pick<Session, 'createdAt'>): number {
	return session.createdAt.getTime() + SESSION_ABSOLUTE_LIFETIME_MS;
}

/**
 * Until when a validated session needs no database visit: until it is due for renewal, or, when it
 * can no longer be renewed (its expiry already at the absolute end), until it expires.
 */
function renewalDueAt(session: Session): number {
	const expires = session.expiresAt.getTime();
	return expires >= absoluteEndOf(session) ? expires : expires - RENEW_WHEN_LESS_THAN_MS;
}

/**
 * The session, its user (who must be active) and the user's roles in their school: one query, or
 * none when the session was validated in the last few seconds (see session-cache.ts for why that
 * is safe). Only valid sessions are cached, so unknown tokens cannot fill the cache.
 */
export async function validateSessionToken(
	db: DB,
	token: string,
	now = new Date()
): Promise<SessionValidation> {
	return validateSessionId(db, sessionIdFromToken(token), now);
}

/**
 * The same check by the session's id (as `locals.session` holds it): for a long-lived response,
 * such as a live event stream, asking again whether its viewer is still signed in.
 */
export async function validateSessionId(
	db: DB,
	sessionId: string,
	now = new Date()
): Promise<SessionValidation> {
	const cache = sessionCacheOf<CachedSession>(db);
	const cached = cache?.get(sessionId, now.getTime());
	if (cached && now.getTime() < renewalDueAt(cached.session)) {
		return { session: cached.session, user: cached.user, renewed: false };
	}
	const epochAtRead = cache?.epoch ?? 0;
	const validation = await lookUpSession(db, sessionId, now);
	if (validation.session && cache) {
		cache.store(
			sessionId,
			{ session: validation.session, user: validation.user },
			epochAtRead,
			now.getTime()
		);
	}
	return validation;
}

async function lookUpSession(db: DB, sessionId: string, now: Date): Promise<SessionValidation> {
	const rows = await db
		.selectFrom('sessions')
		.innerJoin('users', 'users.id', 'sessions.user_id')
		.leftJoin('memberships', 'memberships.user_id', 'users.id')
		.leftJoin('schools', 'schools.id', 'memberships.school_id')
		.leftJoin('city_admins', 'city_admins.user_id', 'users.id')
		.leftJoin('cities', 'cities.id', 'city_admins.city_id')
		.select([
			'sessions.id as sessionId',
			'sessions.expires_at as expiresAt',
			'sessions.created_at as createdAt',
			'sessions.sign_in_method as signInMethod',
			'users.must_change_password as mustChangePassword',
			...PERSON_COLUMNS
		])
		.where('sessions.id', '=', sessionId)
		.orderBy('memberships.school_id')
		.orderBy('cities.id')
		.execute();
	const first = rows[0];
	if (!maySignIn(first)) return { session: null, user: null, renewed: false };

	const createdAt = new Date(first.createdAt);
	// A row from before the absolute lifetime, or edited by hand, never outlives it either.
	const expiresAt = new Date(
		Math.min(new Date(first.expiresAt).getTime(), absoluteEndOf({ createdAt }))
	);
	if (!(now.getTime() < expiresAt.getTime())) {
		await invalidateSession(db, sessionId);
		return { session: null, user: null, renewed: false };
	}
	const session: Session = { id: sessionId, userId: first.userId, expiresAt, createdAt };
	const renewed = now.getTime() >= renewalDueAt(session);
	if (renewed) {
		session.expiresAt = new Date(
			Math.min(now.getTime() + SESSION_LIFETIME_MS, absoluteEndOf(session))
		);
		await db
			.updateTable('sessions')
			.set({ expires_at: session.expiresAt.toISOString() })
			.where('id', '=', sessionId)
			.execute();
	}
	return {
		session,
		renewed,
		user: {
			...personOfRows(rows),
			// A child who came in with a sign-in card has no password to change (a roster import's
			// one-time password may never have reached them): the flag waits for a password sign-in.
			mustChangePassword: first.mustChangePassword === 1 && first.signInMethod === 'password'
		}
	};
}

/**
 * The person's columns a session is read with, and a job's acting user (`actingUser`): each query
 * joins users to memberships, schools, city_admins and cities (left joins, one row per school role)
 * the same way, so the two can never disagree on who someone is.
 */
const PERSON_COLUMNS = [
	'users.id as userId',
	'users.username',
	'users.given_name as givenName',
	'users.family_name as familyName',
	'users.active',
	'users.awaiting_approval as awaitingApproval',
	'memberships.school_id as schoolId',
	'memberships.role',
	'schools.name as schoolName',
	'cities.id as cityId',
	'cities.name as cityName'
] as const;

/**
 * Whether the person of these rows may act at all: active, not awaiting approval, and with a school
 * or a city (someone with neither has nothing to sign in to). One rule for sessions and jobs.
 */
function maySignIn<
	Row extends {
		active: number;
		awaitingApproval: number;
		schoolId: number | null;
		cityId: number | null;
	}
>(first: Row | undefined): first is Row {
	if (!first || first.active !== 1 || first.awaitingApproval !== 0) return false;
	return first.schoolId !== null || first.cityId !== null;
}

/** A person's membership rows (one per school role, city joined) as a session sees them. */
function personOfRows(
	rows: {
		userId: number;
		username: string;
		givenName: string;
		familyName: string;
		schoolId: number | null;
		role: Role | null;
		schoolName: string | null;
		cityId: number | null;
		cityName: string | null;
	}[]
): Omit<SessionUser, 'mustChangePassword'> {
	const first = rows[0]!;
	// A person belongs to one school in this version; with several, the first is used.
	const roles = [
		...new Set(rows.filter((r) => r.schoolId === first.schoolId && r.role).map((r) => r.role!))
	];
	const cityRow = rows.find((r) => r.cityId !== null);
	return {
		id: first.userId,
		username: first.username,
		givenName: first.givenName,
		familyName: first.familyName,
		schoolId: first.schoolId ?? 0,
		schoolName: first.schoolName ?? '',
		roles,
		city: cityRow ? { id: cityRow.cityId!, name: cityRow.cityName! } : null
	};
}

/**
 * The person as a session of theirs would see them now, for work done later on their behalf (a
 * queued export reads each learner's report as its requester may): null when they could not sign
 * in (deactivated, awaiting approval, erased, or with neither a school nor a city).
 */
export async function actingUser(db: DB, userId: number): Promise<SessionUser | null> {
	const rows = await db
		.selectFrom('users')
		.leftJoin('memberships', 'memberships.user_id', 'users.id')
		.leftJoin('schools', 'schools.id', 'memberships.school_id')
		.leftJoin('city_admins', 'city_admins.user_id', 'users.id')
		.leftJoin('cities', 'cities.id', 'city_admins.city_id')
		.select(PERSON_COLUMNS)
		.where('users.id', '=', userId)
		.orderBy('memberships.school_id')
		.orderBy('cities.id')
		.execute();
	if (!maySignIn(rows[0])) return null;
	return { ...personOfRows(rows), mustChangePassword: false };
}

/**
 * Calls `listener` whenever something that decides who is signed in may have changed (a sign-out,
 * password change, deactivation, role change or erasure, through any code path). It runs as the
 * write is about to happen; re-read after a moment, not at once.
 */
export function whenSignInsMayChange(db: DB, listener: () => void): () => void {
	return sessionCacheOf(db)?.onClear(listener) ?? (() => {});
}

/**
 * Another app server (or the database, for a script's write) says who is signed in may have
 * changed: forget every cached validation, as a write here would (see cluster/events.ts).
 */
export function signInsChangedElsewhere(db: DB): void {
	sessionCacheOf(db)?.clear();
}

/** Cache validations only while this server hears the others' auth changes (several servers). */
export function cacheSessionValidations(db: DB, enabled: boolean): void {
	sessionCacheOf(db)?.setEnabled(enabled);
}

export async function invalidateSession(db: DB, sessionId: string): Promise<void> {
	await db.deleteFrom('sessions').where('id', '=', sessionId).execute();
}

export async function invalidateAllSessions(db: DB, userId: number): Promise<void> {
	await db.deleteFrom('sessions').where('user_id', '=', userId).execute();
}

type CookieJar = Pick<Cookies, 'set' | 'delete'>;

/** Secure whenever the app is served over HTTPS (production); plain-HTTP school LANs still work. */
export function setSessionTokenCookie(
	cookies: CookieJar,
	token: string,
	expiresAt: Date,
	secure: boolean
): void {
	cookies.set(SESSION_COOKIE, token, {
		httpOnly: true,
		sameSite: 'lax',
		secure,
		expires: expiresAt,
		path: '/'
	});
}

export function deleteSessionTokenCookie(cookies: CookieJar, secure: boolean): void {
	cookies.delete(SESSION_COOKIE, { httpOnly: true, sameSite: 'lax', secure, path: '/' });
}
