import { cacheSessionValidations } from '../../src/lib/server/auth/sessions';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DB } from '../../src/lib/server/db/connection';
import {
	SESSION_ABSOLUTE_LIFETIME_MS,
	SESSION_LIFETIME_MS,
	createSession,
	generateSessionToken,
	invalidateAllSessions,
	invalidateSession,
	sessionIdFromToken,
	validateSessionToken
} from '../../src/lib/server/auth/sessions';
import {
	changeOwnPassword,
	resetPassword,
	setAccountActive
} from '../../src/lib/server/people/accounts';
import { demoDatabase, userId } from './helpers';
import { sessionCacheOf } from '../../src/lib/server/db/connection';
import { SessionCache, changesAuthTable } from '../../src/lib/server/auth/session-cache';

const DAY = 24 * 60 * 60 * 1000;
let db: DB;
let schoolId: number;

beforeEach(async () => ({ db, schoolId } = await demoDatabase()));
afterEach(async () => db.destroy());

describe('sessions', () => {
	it('stores only the SHA-256 of the token, never the token', async () => {
		const token = generateSessionToken();
		const session = await createSession(db, token, await userId(db, 'teacher'));
		const rows = await db.selectFrom('sessions').selectAll().execute();
		expect(rows).toHaveLength(1);
		expect(rows[0]!.id).toBe(sessionIdFromToken(token));
		expect(rows[0]!.id).toMatch(/^[0-9a-f]{64}$/);
		expect(JSON.stringify(rows)).not.toContain(token);
		expect(session.expiresAt.getTime() - Date.now()).toBeGreaterThan(SESSION_LIFETIME_MS - 5000);
	});

	it('asks only a password sign-in to change a password someone else set (not a card or a provider)', async () => {
		const learner = await userId(db, 'student1');
		await db
			.updateTable('users')
			.set({ must_change_password: 1 })
			.where('id', '=', learner)
			.execute();
		const asked = async (method: 'password' | 'card' | 'sso') => {
			const token = generateSessionToken();
			await createSession(db, token, learner, new Date(), method);
			return (await validateSessionToken(db, token)).user?.mustChangePassword;
		};
		expect(await asked('password')).toBe(true);
		expect(await asked('card')).toBe(false);
		expect(await asked('sso')).toBe(false);
	});

	it('resolves the user with roles and school', async () => {
		const token = generateSessionToken();
		await createSession(db, token, await userId(db, 'admin'));
		const { user } = await validateSessionToken(db, token);
		expect(user).toMatchObject({
			username: 'admin',
			roles: ['admin'],
			schoolId,
			schoolName: 'Northbridge Academy'
		});
	});

	it('rejects an unknown token', async () => {
		expect((await validateSessionToken(db, generateSessionToken())).session).toBeNull();
	});

	it('slides: a session used with less than 6 of its 7 days left is extended to 7; an unused one ends', async () => {
		const token = generateSessionToken();
		const start = new Date('2026-01-01T00:00:00Z');
		await createSession(db, token, await userId(db, 'student1'), start);

		const early = await validateSessionToken(db, token, new Date(start.getTime() + DAY / 2));
		expect(early.renewed).toBe(false);

		const later = new Date(start.getTime() + 3 * DAY);
		const renewed = await validateSessionToken(db, token, later);
		expect(renewed.renewed).toBe(true);
		expect(renewed.session?.expiresAt.toISOString()).toBe(
			new Date(later.getTime() + SESSION_LIFETIME_MS).toISOString()
		);

		const expired = await validateSessionToken(db, token, new Date(later.getTime() + 8 * DAY));
		expect(expired.session).toBeNull();
		expect(await db.selectFrom('sessions').selectAll().execute()).toHaveLength(0);
	});

	it('ends 30 days after sign-in however often it is used (absolute lifetime), cache included', async () => {
		const token = generateSessionToken();
		const start = new Date('2026-01-01T00:00:00Z');
		await createSession(db, token, await userId(db, 'student2'), start);
		// Used every day: each renewal is capped by the absolute end, never beyond it.
		let lastExpiry = 0;
		for (let day = 1; day < 30; day++) {
			const now = new Date(start.getTime() + day * DAY);
			const { session } = await validateSessionToken(db, token, now);
			expect(session, `day ${day}`).not.toBeNull();
			lastExpiry = session!.expiresAt.getTime();
			expect(lastExpiry).toBeLessThanOrEqual(start.getTime() + SESSION_ABSOLUTE_LIFETIME_MS);
		}
		expect(lastExpiry).toBe(start.getTime() + SESSION_ABSOLUTE_LIFETIME_MS);
		// In the last days no renewal is due, so requests are answered from the cache (no write) …
		const nearEnd = new Date(start.getTime() + SESSION_ABSOLUTE_LIFETIME_MS - 5_000);
		const first = await validateSessionToken(db, token, nearEnd);
		expect(first.renewed).toBe(false);
		// … but the cache never serves it past the absolute end.
		const justAfter = new Date(start.getTime() + SESSION_ABSOLUTE_LIFETIME_MS + 1);
		expect((await validateSessionToken(db, token, justAfter)).session).toBeNull();
		expect(await db.selectFrom('sessions').selectAll().execute()).toHaveLength(0);
	});

	it('ends on sign-out, and all of a person’s sessions end together', async () => {
		const learner = await userId(db, 'student2');
		const [a, b] = [generateSessionToken(), generateSessionToken()];
		const first = await createSession(db, a, learner);
		await createSession(db, b, learner);
		// Validated first, so the in-memory session cache holds both: ending them must still count at
		// once.
		expect((await validateSessionToken(db, a)).session).not.toBeNull();
		expect((await validateSessionToken(db, b)).session).not.toBeNull();
		await invalidateSession(db, first.id);
		expect((await validateSessionToken(db, a)).session).toBeNull();
		expect((await validateSessionToken(db, b)).session).not.toBeNull();
		await invalidateAllSessions(db, learner);
		expect((await validateSessionToken(db, b)).session).toBeNull();
	});

	it('ends every session on a password change, a reset, or deactivation', async () => {
		const learner = await userId(db, 'student3');
		const admin = await userId(db, 'admin');
		const t1 = generateSessionToken();
		await createSession(db, t1, learner);
		expect((await validateSessionToken(db, t1)).session).not.toBeNull();
		await changeOwnPassword(db, learner, 'fusion-demo', 'a-new-password', { ip: '10.0.0.1' });
		expect((await validateSessionToken(db, t1)).session).toBeNull();

		const t2 = generateSessionToken();
		await createSession(db, t2, learner);
		expect((await validateSessionToken(db, t2)).session).not.toBeNull();
		await resetPassword(db, schoolId, admin, learner);
		expect((await validateSessionToken(db, t2)).session).toBeNull();

		const t3 = generateSessionToken();
		await createSession(db, t3, learner);
		expect((await validateSessionToken(db, t3)).session).not.toBeNull();
		await setAccountActive(db, schoolId, admin, learner, false);
		expect((await validateSessionToken(db, t3)).session).toBeNull();
	});

	it('refuses a wrong current password and keeps the old one', async () => {
		const learner = await userId(db, 'student4');
		await expect(
			changeOwnPassword(db, learner, 'not-it', 'another-password', { ip: '10.0.0.1' })
		).rejects.toThrow(/current password/);
	});
});

describe('the validated-session cache', () => {
	it('answers from memory, yet sees a role removed or an account deactivated by any query at once', async () => {
		// As a server that hears the others does (on PostgreSQL the cache is off until it does).
		cacheSessionValidations(db, true);
		const teacher = await userId(db, 'teacher');
		const token = generateSessionToken();
		await createSession(db, token, teacher);
		expect((await validateSessionToken(db, token)).user?.roles).toEqual(['teacher']);
		expect(sessionCacheOf(db)?.size).toBe(1);

		// A write no service function wraps: the plugin still sees it and empties the cache.
		await db
			.insertInto('memberships')
			.values({
				user_id: teacher,
				school_id: schoolId,
				role: 'admin',
				year_group: null,
				created_at: new Date().toISOString()
			})
			.execute();
		expect((await validateSessionToken(db, token)).user?.roles.sort()).toEqual([
			'admin',
			'teacher'
		]);
		await db
			.transaction()
			.execute((trx) =>
				trx.updateTable('users').set({ active: 0 }).where('id', '=', teacher).execute()
			);
		expect((await validateSessionToken(db, token)).session).toBeNull();
	});

	it('a new sign-in does not empty it; reading other tables does not either', async () => {
		cacheSessionValidations(db, true);
		const token = generateSessionToken();
		await createSession(db, token, await userId(db, 'student5'));
		await validateSessionToken(db, token);
		await createSession(db, generateSessionToken(), await userId(db, 'student6'));
		await db.selectFrom('users').selectAll().execute();
		await db.updateTable('tasks').set({ title: 'x' }).where('id', '=', -1).execute();
		expect(sessionCacheOf(db)?.size).toBe(1);
	});

	it('keeps an entry only for its time limit, and never one read while an auth write happened', () => {
		const cache = new SessionCache<string>(1000);
		cache.store('a', 'alice', cache.epoch, 0);
		expect(cache.get('a', 999)).toBe('alice');
		expect(cache.get('a', 1000)).toBeUndefined();

		const epochAtRead = cache.epoch;
		cache.clear(); // a sign-out ran while the lookup was in flight
		cache.store('b', 'bob', epochAtRead, 0);
		expect(cache.get('b', 1)).toBeUndefined();
	});

	it('recognises the writes that matter', () => {
		expect(
			changesAuthTable(db.deleteFrom('sessions').where('id', '=', 'x').toOperationNode())
		).toBe(true);
		expect(
			changesAuthTable(db.updateTable('users as u').set({ active: 0 }).toOperationNode())
		).toBe(true);
		expect(
			changesAuthTable(
				db
					.insertInto('sessions')
					.values({ id: 'x', user_id: 1, expires_at: '', created_at: '' })
					.toOperationNode()
			)
		).toBe(false);
		expect(changesAuthTable(db.deleteFrom('assessments').toOperationNode())).toBe(false);
	});
});
