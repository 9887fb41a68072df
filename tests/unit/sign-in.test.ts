import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DB } from '../../src/lib/server/db/connection';
import { signIn } from '../../src/lib/server/auth/sign-in';
import {
	MAX_FAILURES_PER_IP,
	MAX_FAILURES_PER_USERNAME,
	LOGIN_WINDOW_MS,
	isLoginRateLimited
} from '../../src/lib/server/auth/rate-limit';
import { setAccountActive } from '../../src/lib/server/people/accounts';
import { demoDatabase, userId } from './helpers';

let db: DB;
let schoolId: number;
beforeEach(async () => ({ db, schoolId } = await demoDatabase()));
afterEach(async () => db.destroy());

describe('sign-in', () => {
	it('accepts the right password and refuses a wrong one or an unknown user', async () => {
		expect((await signIn(db, 'teacher', 'fusion-demo', '10.0.0.1')).kind).toBe('signed-in');
		expect((await signIn(db, 'teacher', 'wrong', '10.0.0.1')).kind).toBe('refused');
		expect((await signIn(db, 'nobody', 'fusion-demo', '10.0.0.1')).kind).toBe('refused');
	});

	it('refuses a deactivated account with the right password', async () => {
		await setAccountActive(
			db,
			schoolId,
			await userId(db, 'admin'),
			await userId(db, 'student5'),
			false
		);
		expect((await signIn(db, 'student5', 'fusion-demo', '10.0.0.2')).kind).toBe('refused');
	});

	it(`limits a username to ${MAX_FAILURES_PER_USERNAME} failures in 15 minutes, even with the right password after`, async () => {
		for (let i = 0; i < MAX_FAILURES_PER_USERNAME; i++) {
			expect((await signIn(db, 'student6', 'guess' + i, `10.1.0.${i}`)).kind).toBe('refused');
		}
		expect((await signIn(db, 'student6', 'fusion-demo', '10.1.1.1')).kind).toBe('rate-limited');
		// Another learner on the same network is not locked out by it.
		expect((await signIn(db, 'student7', 'fusion-demo', '10.1.0.1')).kind).toBe('signed-in');
	});

	it('limits one address across usernames, and forgets after the window', async () => {
		const now = new Date();
		for (let i = 0; i < MAX_FAILURES_PER_IP; i++) {
			await db
				.insertInto('login_attempts')
				.values({
					username: `u${i}`,
					ip: '10.9.9.9',
					succeeded: 0,
					attempted_at: now.toISOString()
				})
				.execute();
		}
		expect(await isLoginRateLimited(db, 'teacher', '10.9.9.9', now)).toBe(true);
		expect(await isLoginRateLimited(db, 'teacher', '10.9.9.8', now)).toBe(false);
		expect(
			await isLoginRateLimited(
				db,
				'teacher',
				'10.9.9.9',
				new Date(now.getTime() + LOGIN_WINDOW_MS + 1000)
			)
		).toBe(false);
	});
});
