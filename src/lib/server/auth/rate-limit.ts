import type { DB } from '../db/connection';
import { lockForTransaction } from '../db/dialect';

/**
 * Password guesses are slowed, never locked out (OWASP's authentication and credential-stuffing
 * guidance). Failures are counted per key; after a key's free allowance each further attempt must
 * wait 1 s, 2 s, 4 s … (up to the key's cap) after that key's last failure, and is answered "wait N
 * seconds" without its password being looked at. A whole school shares one public address, so the
 * address is only a much higher, short-capped ceiling, and a device that has signed in as the
 * person before (a signed device cookie, `device-cookie.ts`) is limited by its own failures alone:
 * a classmate's guesses cannot keep a child's own device out.
 *
 * The attempt is reserved (its row written, counted as a failure until it succeeds) in the same
 * transaction as the check and before the slow hash, so a parallel burst is counted as it arrives.
 */
const SECOND_MS = 1000;
const MINUTE_MS = 60 * SECOND_MS;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

export interface DelayRule {
	/** Failures allowed before any wait. */
	free: number;
	/** How far back failures count. */
	windowMs: number;
	/** The longest wait. */
	capMs: number;
	/**
	 * Whether a success under this key wipes its earlier failures (the person proved themself there;
	 * for the pair, only a success without a device cookie, which was itself checked as a pair).
	 */
	successClears: boolean;
}

export const DELAY_RULES = {
	/** A known device signing in as the person it knows. */
	device: { free: 10, windowMs: HOUR_MS, capMs: MINUTE_MS, successClears: true },
	/** One username from one address (a guesser at the school, or the child on a new device there). */
	pair: { free: 5, windowMs: HOUR_MS, capMs: 5 * MINUTE_MS, successClears: true },
	/** One username from anywhere (a spread-out attack on one account). */
	username: { free: 10, windowMs: DAY_MS, capMs: 5 * MINUTE_MS, successClears: false },
	/** One address across usernames (credential stuffing); high, since a school shares it. */
	address: { free: 300, windowMs: 15 * MINUTE_MS, capMs: 30 * SECOND_MS, successClears: false }
} as const satisfies Record<string, DelayRule>;

export type DelayKey = keyof typeof DELAY_RULES;

/** How long (ms) an attempt must still wait under one rule, given that key's failures. */
export function waitUnder(
	rule: DelayRule,
	failures: number,
	lastFailureAt: number | null,
	now: number
): number {
	if (failures < rule.free || lastFailureAt === null) return 0;
	const delay = Math.min(SECOND_MS * 2 ** (failures - rule.free), rule.capMs);
	return Math.max(0, lastFailureAt + delay - now);
}

export interface AttemptKeys {
	username: string;
	ip: string;
	/** The device id from a valid device cookie for this username, else null. */
	device: string | null;
}

export type Reservation =
	{ kind: 'reserved'; attemptId: number } | { kind: 'delayed'; retryAfterSeconds: number };

/**
 * Checks every rule that applies and, if none asks for a wait, records the attempt (as failed until
 * `settleAttempt` says otherwise), all in one transaction. `rules` narrows which apply, for
 * attempts that are not at one account (a sign-in card's typed code: see sign-in-cards.ts).
 */
export async function reserveAttempt(
	db: DB,
	keys: AttemptKeys,
	now = new Date(),
	rules?: DelayKey[]
): Promise<Reservation> {
	const applicable: DelayKey[] =
		rules ?? (keys.device ? ['device'] : ['pair', 'username', 'address']);
	return db.transaction().execute(async (trx) => {
		// Several app servers (PostgreSQL): a burst spread over them is counted as one burst. The
		// username is the lock (an address's ceiling is high and only approximate anyway).
		await lockForTransaction(trx, `sign-in:${keys.username}`);
		let wait = 0;
		for (const key of applicable) {
			const rule = DELAY_RULES[key];
			const scoped = () => {
				let query = trx.selectFrom('login_attempts');
				if (key === 'device') query = query.where('device', '=', keys.device);
				if (key === 'pair')
					query = query.where('username', '=', keys.username).where('ip', '=', keys.ip);
				if (key === 'username') query = query.where('username', '=', keys.username);
				if (key === 'address') query = query.where('ip', '=', keys.ip);
				return query;
			};
			let since = new Date(now.getTime() - rule.windowMs).toISOString();
			if (rule.successClears) {
				// A known device's success proves nothing about the guesser sharing its address.
				const successes = key === 'pair' ? scoped().where('device', 'is', null) : scoped();
				const lastSuccess = await successes
					.select((eb) => eb.fn.max('attempted_at').as('at'))
					.where('succeeded', '=', 1)
					.where('attempted_at', '>=', since)
					.executeTakeFirst();
				if (lastSuccess?.at && lastSuccess.at > since) since = lastSuccess.at;
			}
			const failures = await scoped()
				.select((eb) => [
					eb.fn.countAll<number>().as('count'),
					eb.fn.max('attempted_at').as('last')
				])
				.where('succeeded', '=', 0)
				.where('attempted_at', '>=', since)
				.executeTakeFirst();
			const last = failures?.last ? new Date(failures.last).getTime() : null;
			wait = Math.max(wait, waitUnder(rule, Number(failures?.count ?? 0), last, now.getTime()));
		}
		if (wait > 0) return { kind: 'delayed', retryAfterSeconds: Math.ceil(wait / SECOND_MS) };
		const { id } = await trx
			.insertInto('login_attempts')
			.values({
				username: keys.username,
				ip: keys.ip,
				device: keys.device,
				succeeded: 0,
				attempted_at: now.toISOString()
			})
			.returning('id')
			.executeTakeFirstOrThrow();
		// Keep the table small: no rule looks back further than a day.
		await trx
			.deleteFrom('login_attempts')
			.where('attempted_at', '<', new Date(now.getTime() - DAY_MS).toISOString())
			.execute();
		return { kind: 'reserved', attemptId: id };
	});
}

/** Marks a reserved attempt as the success it turned out to be (failures stay as reserved). */
export async function settleAttempt(db: DB, attemptId: number, succeeded: boolean): Promise<void> {
	if (succeeded)
		await db
			.updateTable('login_attempts')
			.set({ succeeded: 1 })
			.where('id', '=', attemptId)
			.execute();
}

/** What the person is told when an attempt must wait. */
export function waitMessage(retryAfterSeconds: number, tried = 'wrong passwords'): string {
	const wait =
		retryAfterSeconds < 90
			? `${retryAfterSeconds} second${retryAfterSeconds === 1 ? '' : 's'}`
			: `${Math.ceil(retryAfterSeconds / 60)} minutes`;
	return `Too many ${tried}. Wait ${wait} and try again.`;
}
