import type { DB } from '../db/connection';
import type { Role } from '../db/schema';
import { verifyAgainstDecoy, verifyPassword } from './passwords';
import { reserveAttempt, settleAttempt } from './rate-limit';
import { cookieAfterSignIn, knownDevice } from './device-cookie';

export type SignInOutcome =
	| {
			kind: 'signed-in';
			user: { id: number; roles: Role[]; city: { id: number } | null };
			deviceCookie: string;
	  }
	| { kind: 'refused' }
	/** The password was right, but the school signs in with its providers (admins excepted). */
	| { kind: 'use-provider' }
	| { kind: 'delayed'; retryAfterSeconds: number };

/** Where an attempt comes from: the client's address and the browser's device cookie, if any. */
export interface AttemptOrigin {
	ip: string;
	deviceCookie?: string;
}

/**
 * Reserves the attempt under the delay rules first (so a burst is counted before any hash runs),
 * verifies in constant-ish time (an unknown username costs the same as a wrong password), and on
 * success renews this browser's device cookie for the person.
 */
export async function signIn(
	db: DB,
	username: string,
	password: string,
	origin: AttemptOrigin | string,
	now = new Date()
): Promise<SignInOutcome> {
	const from = typeof origin === 'string' ? { ip: origin } : origin; // an address alone: no device
	const device = await knownDevice(db, from.deviceCookie, username, now);
	const reservation = await reserveAttempt(db, { username, ip: from.ip, device }, now);
	if (reservation.kind === 'delayed') return reservation;
	const user = await db
		.selectFrom('users')
		.select(['id', 'password_hash', 'active', 'awaiting_approval'])
		.where('username', '=', username)
		.executeTakeFirst();
	const valid = user
		? await verifyPassword(user.password_hash, password)
		: await verifyAgainstDecoy(password);
	const memberships = user
		? await db
				.selectFrom('memberships')
				.innerJoin('schools', 'schools.id', 'memberships.school_id')
				.select(['memberships.role', 'schools.passwords_enabled'])
				.where('memberships.user_id', '=', user.id)
				.execute()
		: [];
	const roles = memberships.map((m) => m.role);
	// A city admin may belong to no school: the city is then what they sign in to.
	const city = user
		? await db
				.selectFrom('city_admins')
				.select('city_id')
				.where('user_id', '=', user.id)
				.executeTakeFirst()
		: undefined;
	const succeeded = Boolean(
		user &&
		valid &&
		user.active === 1 &&
		user.awaiting_approval === 0 &&
		(roles.length > 0 || city !== undefined)
	);
	await settleAttempt(db, reservation.attemptId, succeeded);
	if (!succeeded) return { kind: 'refused' };
	// Passwords off at the school: only its admins keep a password sign-in (break-glass, so a
	// provider that stops working cannot lock the school out of its own settings).
	if (memberships.some((m) => m.passwords_enabled === 0) && !roles.includes('admin'))
		return { kind: 'use-provider' };
	return {
		kind: 'signed-in',
		user: { id: user!.id, roles, city: city ? { id: city.city_id } : null },
		deviceCookie: await cookieAfterSignIn(db, from.deviceCookie, username, now)
	};
}

/**
 * A signed-in person's current password, checked under the same delay rules as sign-in (a stolen
 * session must not become a free password-guessing oracle): true, false, or how long to wait.
 */
export async function checkCurrentPassword(
	db: DB,
	userId: number,
	password: string,
	from: AttemptOrigin,
	now = new Date()
): Promise<{ kind: 'right' } | { kind: 'wrong' } | { kind: 'delayed'; retryAfterSeconds: number }> {
	const user = await db
		.selectFrom('users')
		.select(['username', 'password_hash'])
		.where('id', '=', userId)
		.executeTakeFirstOrThrow();
	const device = await knownDevice(db, from.deviceCookie, user.username, now);
	const reservation = await reserveAttempt(
		db,
		{ username: user.username, ip: from.ip, device },
		now
	);
	if (reservation.kind === 'delayed') return reservation;
	const right = await verifyPassword(user.password_hash, password);
	await settleAttempt(db, reservation.attemptId, right);
	return { kind: right ? 'right' : 'wrong' };
}
