import { lockForTransaction } from './db/dialect';
import type { Kysely, Transaction } from 'kysely';
import type { Database } from './db/schema';
import type { WorkAction } from '../domain/states';
import { Refusal } from './errors';

/**
 * Limits on work a person can make the server do again and again (issue 12). Each is a number a
 * school would not notice in a normal week and a loop, a stuck key or a bored child would hit
 * quickly; each refusal says why and when to try again, and changes nothing. docs/SECURITY.md
 * ("Limits on repeated work") lists every one with the test that holds it.
 */
const SECOND_MS = 1000;
const MINUTE_MS = 60 * SECOND_MS;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

/** At most `max` pieces of one kind of work per person in any `windowMs`. */
export interface Allowance {
	max: number;
	windowMs: number;
}

/**
 * A learner's own PDF report: it changes only when a teacher releases results, so a few downloads
 * (one for home, one to print, a retry on a bad connection) are plenty; ten in ten minutes is
 * already generous for a child on a phone.
 */
export const LEARNER_PDFS_FOR_A_LEARNER: Allowance = { max: 10, windowMs: 10 * MINUTE_MS };

/**
 * A teacher or admin opening learners' PDFs one by one: a class of 30, each twice, in ten
 * minutes (parents' evening). More than that is what the class batch export is for.
 */
export const LEARNER_PDFS_FOR_STAFF: Allowance = { max: 60, windowMs: 10 * MINUTE_MS };

/**
 * Batch exports started per person per hour: a secondary teacher exporting each of their classes
 * at the end of term (eight to ten classes) fits; restarting an export the moment the last one
 * ends, all day, does not.
 */
export const BATCH_EXPORTS_PER_HOUR: Allowance = { max: 12, windowMs: HOUR_MS };

/**
 * Batch exports one person may have queued or running at once: an export renders a PDF for every
 * learner in it, and a second one asked for while the first is still being made is almost always
 * an impatient second click.
 */
export const RUNNING_EXPORTS_PER_PERSON = 1;

/**
 * Live sessions open (not closed) in one class at once: a lesson compares one or two exemplars,
 * and a second teacher of the class may have one of their own open. A fourth is a session
 * forgotten, and every open session is one more on each learner's list.
 */
export const OPEN_LIVE_SESSIONS_PER_CLASS = 3;

/**
 * Live-session codes a learner may try (each well-formed code typed, right or wrong): a lesson
 * joins one or two sessions, with a few typos; twenty in ten minutes is plenty for that and makes
 * trying codes at random hopeless. A code only ever admits learners of the session's own class, so
 * this guards what a code says exists, not what it lets in.
 */
export const LIVE_JOIN_CODES_PER_LEARNER: Allowance = { max: 20, windowMs: 10 * MINUTE_MS };

/**
 * After a teacher declines a badge request, how long before the learner may ask for the same badge
 * again: a day, time to act on what the teacher said (usually more evidence) rather than asking
 * again at once, and short enough that the next lesson is not held up.
 */
export const BADGE_REQUEST_COOL_DOWN_MS = DAY_MS;

/** "40 seconds", "4 minutes": how long until something may be tried again. */
export function describeWait(ms: number): string {
	const seconds = Math.max(1, Math.ceil(ms / SECOND_MS));
	if (seconds < 90) return `${seconds} second${seconds === 1 ? '' : 's'}`;
	const minutes = Math.ceil(seconds / 60);
	return `${minutes} minutes`;
}

/**
 * Takes one piece of `action` from the person's allowance, or refuses (429, with `tooMany(wait)` as
 * the message) and changes nothing. The piece is written first and the count checked after, in
 * one transaction: the write takes SQLite's write lock, so parallel requests (from this process or
 * another app server on the same database) are counted one after another, never from the same
 * count; a refusal rolls its row back. Given a transaction (the work's own writes), it runs inside
 * it, so the work and its count commit or roll back together. This person's rows of this action
 * that no longer count are pruned as it goes. The piece taken can be given back (`giveBack`) when
 * the work then fails through no doing of the person's (a report worker stopped), so a retry that
 * a failure page invites does not count twice (given a transaction, only before it commits).
 */
export async function takeAllowance(
	db: Kysely<Database>,
	userId: number,
	action: WorkAction,
	allowance: Allowance,
	tooMany: (wait: string) => string,
	now: Date = new Date()
): Promise<{ giveBack(): Promise<void> }> {
	let taken: number | undefined;
	const take = async (trx: Transaction<Database>) => {
		// Two servers taking the last of an allowance at once must not both get it (PostgreSQL).
		await lockForTransaction(trx, `work:${userId}:${action}`);
		const since = new Date(now.getTime() - allowance.windowMs).toISOString();
		({ id: taken } = await trx
			.insertInto('work_counts')
			.values({ user_id: userId, action, at: now.toISOString() })
			.returning('id')
			.executeTakeFirstOrThrow());
		const counted = await trx
			.selectFrom('work_counts')
			.select('at')
			.where('user_id', '=', userId)
			.where('action', '=', action)
			.where('at', '>', since)
			.orderBy('at')
			.execute();
		if (counted.length > allowance.max) {
			// The one that must drop out of the window before this request would fit.
			const frees = Date.parse(counted[counted.length - 1 - allowance.max]!.at);
			throw new Refusal(tooMany(describeWait(frees + allowance.windowMs - now.getTime())), 429);
		}
		await trx
			.deleteFrom('work_counts')
			.where('user_id', '=', userId)
			.where('action', '=', action)
			.where('at', '<=', since)
			.execute();
	};
	if (db.isTransaction) await take(db as Transaction<Database>);
	else await db.transaction().execute(take);
	return {
		giveBack: async () => {
			await db
				.deleteFrom('work_counts')
				.where('id', '=', taken!)
				.where('user_id', '=', userId)
				.execute();
		}
	};
}
