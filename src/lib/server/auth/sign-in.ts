import type { DB } from '../db/connection';
import type { Role } from '../db/schema';
import { verifyAgainstDecoy, verifyPassword } from './passwords';
import { isLoginRateLimited, recordLoginAttempt } from './rate-limit';

export type SignInOutcome =
	| { kind: 'signed-in'; user: { id: number; roles: Role[] } }
	| { kind: 'refused' }
	| { kind: 'rate-limited' };

/** Checks the limit first, verifies in constant-ish time, and records every attempt. */
export async function signIn(
	db: DB,
	username: string,
	password: string,
	ip: string
): Promise<SignInOutcome> {
	if (await isLoginRateLimited(db, username, ip)) return { kind: 'rate-limited' };
	const user = await db
		.selectFrom('users')
		.select(['id', 'password_hash', 'active'])
		.where('username', '=', username)
		.executeTakeFirst();
	const valid = user
		? await verifyPassword(user.password_hash, password)
		: await verifyAgainstDecoy(password);
	const roles = user
		? (
				await db.selectFrom('memberships').select('role').where('user_id', '=', user.id).execute()
			).map((m) => m.role)
		: [];
	const succeeded = Boolean(user && valid && user.active === 1 && roles.length > 0);
	await recordLoginAttempt(db, username, ip, succeeded);
	return succeeded ? { kind: 'signed-in', user: { id: user!.id, roles } } : { kind: 'refused' };
}
