import { webcrypto } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';
import type { SessionUser } from '../auth/sessions';
import { Refusal } from '../errors';
import { LIVE_JOIN_CODES_PER_LEARNER, takeAllowance } from '../limits';
import { joinCodeFromBytes, normaliseJoinCode } from '../../domain/join-codes';

/**
 * The one answer for a code that finds nothing the learner may join: no such code, a closed
 * session's code, or another class's. Telling them apart would tell a guesser which codes exist.
 */
export const NO_SESSION_WITH_CODE =
	'No session with this code is open for you. Check the code on the projector and type it again.';
export const NOT_A_CODE = 'Type the 6-character code shown on the projector, for example BCD 234.';

/** A code no open session has, from the system's CSPRNG. */
export async function drawJoinCode(db: Kysely<Database>): Promise<string> {
	for (;;) {
		const code = joinCodeFromBytes(webcrypto.getRandomValues(new Uint8Array(16)));
		if (code === null) continue;
		// The partial unique index (migration 0011) is what holds; this only avoids a needless clash.
		const taken = await db
			.selectFrom('live_sessions')
			.select('id')
			.where('join_code', '=', code)
			.where('state', '!=', 'closed')
			.executeTakeFirst();
		if (!taken) return code;
	}
}

/**
 * The open session a learner joins with the code they typed: only a session of a class they are
 * enrolled in, in their school, not closed. Every well-formed code tried is counted against the
 * learner's allowance first, so trying codes at random is refused (429) before it can find one.
 */
export async function sessionForJoinCode(
	db: Kysely<Database>,
	learner: SessionUser,
	typed: string
): Promise<number> {
	const code = normaliseJoinCode(typed);
	if (code === null) throw new Refusal(NOT_A_CODE, 400);
	await takeAllowance(
		db,
		learner.id,
		'live_join_code',
		LIVE_JOIN_CODES_PER_LEARNER,
		(wait) => `Too many codes tried. Wait ${wait}, then type the code again.`
	);
	const session = await db
		.selectFrom('live_sessions')
		.innerJoin('classes', 'classes.id', 'live_sessions.class_id')
		.innerJoin('enrolments', 'enrolments.class_id', 'live_sessions.class_id')
		.select('live_sessions.id')
		.where('live_sessions.join_code', '=', code)
		.where('live_sessions.state', '!=', 'closed')
		.where('classes.school_id', '=', learner.schoolId)
		.where('enrolments.learner_id', '=', learner.id)
		.executeTakeFirst();
	if (!session) throw new Refusal(NO_SESSION_WITH_CODE, 404);
	return session.id;
}
