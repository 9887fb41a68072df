import type { DB } from '../db/connection';

/**
 * Failed sign-ins are counted per username and per IP address over a sliding window. The IP limit
 * is higher because a whole school often shares one public address behind its router.
 */
export const LOGIN_WINDOW_MS = 15 * 60 * 1000;
export const MAX_FAILURES_PER_USERNAME = 10;
export const MAX_FAILURES_PER_IP = 50;

export async function isLoginRateLimited(
	db: DB,
	username: string,
	ip: string,
	now = new Date()
): Promise<boolean> {
	const since = new Date(now.getTime() - LOGIN_WINDOW_MS).toISOString();
	const failures = await db
		.selectFrom('login_attempts')
		.select([
			(eb) =>
				eb.fn
					.sum<number>(eb.case().when('username', '=', username).then(1).else(0).end())
					.as('byUsername'),
			(eb) => eb.fn.sum<number>(eb.case().when('ip', '=', ip).then(1).else(0).end()).as('byIp')
		])
		.where('succeeded', '=', 0)
		.where('attempted_at', '>=', since)
		.where((eb) => eb.or([eb('username', '=', username), eb('ip', '=', ip)]))
		.executeTakeFirst();
	return (
		Number(failures?.byUsername ?? 0) >= MAX_FAILURES_PER_USERNAME ||
		Number(failures?.byIp ?? 0) >= MAX_FAILURES_PER_IP
	);
}

export async function recordLoginAttempt(
	db: DB,
	username: string,
	ip: string,
	succeeded: boolean,
	now = new Date()
) {
	await db
		.insertInto('login_attempts')
		.values({ username, ip, succeeded: succeeded ? 1 : 0, attempted_at: now.toISOString() })
		.execute();
	// Keep the table small: attempts older than a day are no longer evidence of anything.
	await db
		.deleteFrom('login_attempts')
		.where('attempted_at', '<', new Date(now.getTime() - 24 * 60 * 60 * 1000).toISOString())
		.execute();
}
