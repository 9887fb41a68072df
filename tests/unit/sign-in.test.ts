import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DB } from '../../src/lib/server/db/connection';

// Every argon2 verification, counted: the limit is about how many guesses are actually checked.
const verified = vi.hoisted(() => ({ count: 0 }));
vi.mock('../../src/lib/server/auth/passwords', async (original) => {
	const real = await original<typeof import('../../src/lib/server/auth/passwords')>();
	return {
		...real,
		verifyPassword: async (hash: string, password: string) => {
			verified.count++;
			return real.verifyPassword(hash, password);
		},
		verifyAgainstDecoy: async (password: string) => {
			verified.count++;
			return real.verifyAgainstDecoy(password);
		}
	};
});

const { signIn } = await import('../../src/lib/server/auth/sign-in');
const { DELAY_RULES, waitUnder } = await import('../../src/lib/server/auth/rate-limit');
const { changeOwnPassword, setAccountActive } =
	await import('../../src/lib/server/people/accounts');
const { demoDatabase, userId } = await import('./helpers');

let db: DB;
let schoolId: number;
beforeEach(async () => {
	({ db, schoolId } = await demoDatabase());
	verified.count = 0;
});
afterEach(async () => db.destroy());

const SCHOOL = '203.0.113.7'; // the whole school's one public address
const at = (start: Date, ms: number) => new Date(start.getTime() + ms);

/** A browser that signed in as `username` once: its device cookie. */
async function knownDeviceOf(username: string, now = new Date()): Promise<string> {
	const outcome = await signIn(db, username, 'fusion-demo', { ip: SCHOOL }, now);
	if (outcome.kind !== 'signed-in') throw new Error(`could not sign in as ${username}`);
	return outcome.deviceCookie;
}

describe('sign-in', () => {
	it('accepts the right password and refuses a wrong one or an unknown user', async () => {
		expect((await signIn(db, 'teacher', 'fusion-demo', { ip: '10.0.0.1' })).kind).toBe('signed-in');
		expect((await signIn(db, 'teacher', 'wrong', { ip: '10.0.0.1' })).kind).toBe('refused');
		expect((await signIn(db, 'nobody', 'fusion-demo', { ip: '10.0.0.1' })).kind).toBe('refused');
		// An unknown username costs the same argon2 verification as a wrong password.
		expect(verified.count).toBe(3);
	});

	it('refuses a deactivated account with the right password', async () => {
		await setAccountActive(
			db,
			schoolId,
			await userId(db, 'admin'),
			await userId(db, 'student5'),
			false
		);
		expect((await signIn(db, 'student5', 'fusion-demo', { ip: '10.0.0.2' })).kind).toBe('refused');
	});

	it('40 parallel guesses for one username: at most the free allowance is verified', async () => {
		const outcomes = await Promise.all(
			Array.from({ length: 40 }, (_, i) => signIn(db, 'student6', `guess${i}`, { ip: SCHOOL }))
		);
		expect(verified.count).toBeLessThanOrEqual(DELAY_RULES.pair.free);
		expect(outcomes.filter((o) => o.kind === 'refused')).toHaveLength(verified.count);
		expect(outcomes.filter((o) => o.kind === 'delayed').length).toBe(40 - verified.count);
		// Spread over 40 addresses, the per-username allowance holds them to its limit too.
		verified.count = 0;
		await Promise.all(
			Array.from({ length: 40 }, (_, i) =>
				signIn(db, 'student7', `guess${i}`, { ip: `198.51.100.${i}` })
			)
		);
		expect(verified.count).toBeLessThanOrEqual(DELAY_RULES.username.free);
	});

	it('slows guesses progressively (1 s, 2 s, 4 s …, capped) and answers how long to wait', async () => {
		const start = new Date('2026-03-02T09:00:00Z');
		for (let i = 0; i < DELAY_RULES.pair.free; i++)
			expect((await signIn(db, 'student8', `g${i}`, { ip: SCHOOL }, start)).kind).toBe('refused');
		expect(await signIn(db, 'student8', 'fusion-demo', { ip: SCHOOL }, start)).toEqual({
			kind: 'delayed',
			retryAfterSeconds: 1
		});
		let now = at(start, 1000);
		expect((await signIn(db, 'student8', 'again', { ip: SCHOOL }, now)).kind).toBe('refused');
		expect(await signIn(db, 'student8', 'fusion-demo', { ip: SCHOOL }, now)).toEqual({
			kind: 'delayed',
			retryAfterSeconds: 2
		});
		now = at(now, 2000);
		// The wait is over: the right password is accepted, not held in a 15-minute lock.
		expect((await signIn(db, 'student8', 'fusion-demo', { ip: SCHOOL }, now)).kind).toBe(
			'signed-in'
		);
		expect(waitUnder(DELAY_RULES.pair, 10_000, 0, 0)).toBe(DELAY_RULES.pair.capMs);
	});

	it("a classmate's 100 failures from the school's address: the child's known device still signs in, a new one only waits", async () => {
		const start = new Date('2026-03-02T08:00:00Z');
		const childsDevice = await knownDeviceOf('student9', start);
		// The classmate, on another computer at the school, tries 100 passwords, each as soon as allowed.
		let now = at(start, 1000);
		let failures = 0;
		while (failures < 100) {
			const outcome = await signIn(db, 'student9', `guess${failures}`, { ip: SCHOOL }, now);
			if (outcome.kind === 'delayed') now = at(now, outcome.retryAfterSeconds * 1000);
			else {
				expect(outcome.kind).toBe('refused');
				failures++;
			}
		}
		const recorded = await db
			.selectFrom('login_attempts')
			.select((eb) => eb.fn.countAll<number>().as('n'))
			.where('username', '=', 'student9')
			.where('succeeded', '=', 0)
			.executeTakeFirstOrThrow();
		expect(Number(recorded.n)).toBe(100);

		// Right after the last guess, the child's own device is not refused by the guesses.
		const known = await signIn(
			db,
			'student9',
			'fusion-demo',
			{ ip: SCHOOL, deviceCookie: childsDevice },
			now
		);
		expect(known.kind).toBe('signed-in');
		// Another child at the school is not slowed at all.
		expect((await signIn(db, 'student10', 'fusion-demo', { ip: SCHOOL }, now)).kind).toBe(
			'signed-in'
		);
		// The child on a new device waits, at most the cap, then gets in (the known device's success
		// did not wipe the guesses made from the shared address).
		const fresh = await signIn(db, 'student9', 'fusion-demo', { ip: SCHOOL }, now);
		expect(fresh.kind).toBe('delayed');
		const wait = fresh.kind === 'delayed' ? fresh.retryAfterSeconds : 0;
		expect(wait).toBeGreaterThan(0);
		expect(wait * 1000).toBeLessThanOrEqual(DELAY_RULES.pair.capMs);
		expect(
			(await signIn(db, 'student9', 'fusion-demo', { ip: SCHOOL }, at(now, wait * 1000))).kind
		).toBe('signed-in');
	});

	it("a known device's own failures still count, for that device", async () => {
		const start = new Date('2026-03-02T08:00:00Z');
		const cookie = await knownDeviceOf('student11', start);
		const from = { ip: SCHOOL, deviceCookie: cookie };
		for (let i = 0; i < DELAY_RULES.device.free; i++)
			expect((await signIn(db, 'student11', `g${i}`, from, start)).kind).toBe('refused');
		expect((await signIn(db, 'student11', 'fusion-demo', from, start)).kind).toBe('delayed');
		// A forged or tampered cookie is no cookie at all: the guessed-at pair's delay applies.
		const theirs = await knownDeviceOf('student12', start);
		for (let i = 0; i < DELAY_RULES.pair.free; i++)
			await signIn(db, 'student12', `g${i}`, { ip: SCHOOL }, start);
		const tampered = theirs.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
		expect(
			(await signIn(db, 'student12', 'fusion-demo', { ip: SCHOOL, deviceCookie: tampered }, start))
				.kind
		).toBe('delayed');
		// Nor does one person's device cookie speak for another username.
		expect(
			(await signIn(db, 'student12', 'fusion-demo', { ip: SCHOOL, deviceCookie: cookie }, start))
				.kind
		).toBe('delayed');
		expect(
			(await signIn(db, 'student12', 'fusion-demo', { ip: SCHOOL, deviceCookie: theirs }, start))
				.kind
		).toBe('signed-in');
	});

	it('one address is only a high, delay-based ceiling across usernames', async () => {
		const start = new Date('2026-03-02T08:00:00Z');
		const rows = Array.from({ length: DELAY_RULES.address.free }, (_, i) => ({
			username: `u${i}`,
			ip: SCHOOL,
			succeeded: 0 as const,
			attempted_at: start.toISOString()
		}));
		for (let i = 0; i < rows.length; i += 100)
			await db
				.insertInto('login_attempts')
				.values(rows.slice(i, i + 100))
				.execute();
		const held = await signIn(db, 'teacher', 'fusion-demo', { ip: SCHOOL }, start);
		expect(held).toEqual({ kind: 'delayed', retryAfterSeconds: 1 });
		expect((await signIn(db, 'teacher', 'fusion-demo', { ip: '10.9.9.8' }, start)).kind).toBe(
			'signed-in'
		);
		expect((await signIn(db, 'teacher', 'fusion-demo', { ip: SCHOOL }, at(start, 1000))).kind).toBe(
			'signed-in'
		);
	});

	it('the change-password form is limited the same way, counted for that person', async () => {
		const learner = await userId(db, 'student13');
		const start = new Date();
		const from = { ip: SCHOOL };
		const outcomes = await Promise.allSettled(
			Array.from({ length: 30 }, (_, i) =>
				changeOwnPassword(db, learner, `guess${i}`, 'a-new-password-1', from)
			)
		);
		expect(verified.count).toBeLessThanOrEqual(DELAY_RULES.pair.free);
		const messages = outcomes.map((o) => (o.status === 'rejected' ? String(o.reason) : 'changed'));
		expect(messages.filter((m) => /Wait \d+ second/.test(m)).length).toBe(30 - verified.count);
		// The guesses count against signing in as that person too (from a new device).
		expect((await signIn(db, 'student13', 'fusion-demo', from, start)).kind).toBe('delayed');
	});
});
