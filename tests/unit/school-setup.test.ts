import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type DB } from '../../src/lib/server/db/connection';
import {
	SETUP_LINK_LIFETIME_MS,
	checkSetupToken,
	issueSetupToken,
	setUpSchoolFromCommand,
	setUpSchoolWithToken,
	slugFor
} from '../../src/lib/server/setup/school-setup';
import {
	holdDemoToLoopback,
	listenAddress,
	prepareDatabase
} from '../../src/lib/server/setup/first-run';
import { signIn } from '../../src/lib/server/auth/sign-in';
import { STARTER_BANK } from '../../src/lib/server/criteria/starter-bank';
import { Refusal } from '../../src/lib/server/errors';
import { demoDatabase, freshDatabase, sessionUser } from './helpers';

const ORIGIN = 'http://localhost:3000';
const SCHOOL = {
	schoolName: 'Hillside High',
	username: 'head.it',
	givenName: 'Sam',
	familyName: 'Okoro'
};

let db: DB;
afterEach(async () => db.destroy());

/** A database file as a school starts with: nothing in it, not even the schema. */
const emptyDatabase = () =>
	openDatabase(join(mkdtempSync(join(tmpdir(), 'fusion-setup-')), 'school.db'));

const count = async (table: 'users' | 'schools' | 'memberships' | 'criteria') =>
	Number(
		(
			await db
				.selectFrom(table)
				.select((eb) => eb.fn.countAll().as('n'))
				.executeTakeFirstOrThrow()
		).n
	);

async function refusalOf(work: Promise<unknown>): Promise<Refusal> {
	const outcome = await work.then(
		() => null,
		(e: unknown) => e
	);
	expect(outcome).toBeInstanceOf(Refusal);
	return outcome as Refusal;
}

describe('first run (the function scripts/serve.ts calls)', () => {
	it('with SEED_DEMO=0 an empty database gets no accounts, only a set-up link', async () => {
		db = emptyDatabase();
		const prepared = await prepareDatabase(db, { seedDemo: false, origin: ORIGIN });
		expect(await count('users')).toBe(0);
		expect(await count('schools')).toBe(0);
		expect(prepared).toMatchObject({ seededDemo: false, hasDemo: false });
		expect(prepared.setupToken?.token).toMatch(/^[a-z2-7]{32}$/);
		// Only the SHA-256 is stored, never the token.
		const rows = await db.selectFrom('setup_tokens').selectAll().execute();
		expect(rows).toHaveLength(1);
		expect(rows[0]!.id).toMatch(/^[0-9a-f]{64}$/);
		expect(JSON.stringify(rows)).not.toContain(prepared.setupToken!.token);
		// The shared frameworks are there for the school to come: Fusion Skills, CAPRI, Skills Builder
		// and the OECD Learning Compass.
		expect(await db.selectFrom('frameworks').select('id').execute()).toHaveLength(4);
	});

	it('each start prints a new link and the previous one stops working', async () => {
		db = emptyDatabase();
		const first = await prepareDatabase(db, { seedDemo: false, origin: ORIGIN });
		const second = await prepareDatabase(db, { seedDemo: false, origin: ORIGIN });
		expect(second.setupToken!.token).not.toBe(first.setupToken!.token);
		await refusalOf(checkSetupToken(db, first.setupToken!.token));
		await expect(checkSetupToken(db, second.setupToken!.token)).resolves.toBeUndefined();
	});

	it('the default seeds the demo (marked as such) and prints no link', async () => {
		db = emptyDatabase();
		const prepared = await prepareDatabase(db, { seedDemo: true, origin: ORIGIN });
		expect(prepared).toMatchObject({ seededDemo: true, hasDemo: true, setupToken: null });
		expect(await count('users')).toBeGreaterThan(20);
	});
});

describe('the set-up link', () => {
	beforeEach(async () => {
		db = await freshDatabase();
	});

	it('creates the school and its admin once, with the demo’s reference data and starter bank', async () => {
		const { token } = await issueSetupToken(db);
		const created = await setUpSchoolWithToken(db, token, SCHOOL, 'a-password-of-mine', ORIGIN);
		expect(created.generatedPassword).toBeNull();
		const school = await db.selectFrom('schools').selectAll().executeTakeFirstOrThrow();
		expect(school).toMatchObject({ name: 'Hillside High', slug: 'hillside-high', demo: 0 });
		expect(await count('users')).toBe(1);
		expect(await count('criteria')).toBe(STARTER_BANK.length);
		const admin = await sessionUser(db, 'head.it');
		expect(admin).toMatchObject({
			roles: ['admin'],
			schoolName: 'Hillside High',
			givenName: 'Sam',
			mustChangePassword: false // chosen by the admin, on the page
		});
		expect(await db.selectFrom('signing_keys').select('id').execute()).toHaveLength(1);
		expect((await signIn(db, 'head.it', 'a-password-of-mine', '127.0.0.1')).kind).toBe('signed-in');

		// Spent: the same link again is refused and nothing changes.
		const again = await refusalOf(
			setUpSchoolWithToken(db, token, { ...SCHOOL, username: 'intruder' }, 'x'.repeat(10), ORIGIN)
		);
		expect(again.status).toBe(404);
		expect(await count('users')).toBe(1);
		expect(await count('schools')).toBe(1);
	});

	it('generates a password when asked, returned once', async () => {
		const { token } = await issueSetupToken(db);
		const created = await setUpSchoolWithToken(db, token, SCHOOL, null, ORIGIN);
		expect(created.generatedPassword).toMatch(/^[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$/);
		expect((await signIn(db, 'head.it', created.generatedPassword!, '127.0.0.1')).kind).toBe(
			'signed-in'
		);
	});

	it('refuses a wrong token and changes nothing', async () => {
		await issueSetupToken(db);
		const refusal = await refusalOf(
			setUpSchoolWithToken(db, 'a'.repeat(32), SCHOOL, 'a-password-of-mine', ORIGIN)
		);
		expect(refusal.status).toBe(403);
		expect(refusal.message).toMatch(/not valid/);
		expect(await count('schools')).toBe(0);
		expect(await count('users')).toBe(0);
	});

	it('refuses an expired token (24 hours) and changes nothing', async () => {
		const issuedAt = new Date('2026-12-01T09:00:00Z');
		const { token } = await issueSetupToken(db, issuedAt);
		const justBefore = new Date(issuedAt.getTime() + SETUP_LINK_LIFETIME_MS - 1000);
		await expect(checkSetupToken(db, token, justBefore)).resolves.toBeUndefined();
		const expired = new Date(issuedAt.getTime() + SETUP_LINK_LIFETIME_MS);
		const refusal = await refusalOf(
			setUpSchoolWithToken(db, token, SCHOOL, 'a-password-of-mine', ORIGIN, expired)
		);
		expect(refusal.message).toMatch(/expired/);
		expect(await count('schools')).toBe(0);
		expect(
			(await db.selectFrom('setup_tokens').select('used_at').executeTakeFirstOrThrow()).used_at
		).toBeNull();
	});

	it('two submissions of one link at once: exactly one school', async () => {
		const { token } = await issueSetupToken(db);
		const outcomes = await Promise.allSettled([
			setUpSchoolWithToken(db, token, SCHOOL, 'a-password-of-mine', ORIGIN),
			setUpSchoolWithToken(db, token, { ...SCHOOL, username: 'second' }, 'another-one', ORIGIN)
		]);
		expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
		expect(await count('schools')).toBe(1);
		expect(await count('users')).toBe(1);
	});
});

describe('npm run setup', () => {
	it('creates the school and an admin who must change the printed password at first sign-in', async () => {
		db = await freshDatabase();
		const { token } = await issueSetupToken(db);
		const created = await setUpSchoolFromCommand(db, SCHOOL, ORIGIN);
		expect(created.password).toMatch(/^[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$/);
		expect((await sessionUser(db, 'head.it')).mustChangePassword).toBe(true);
		expect(await count('criteria')).toBe(STARTER_BANK.length);
		expect((await signIn(db, 'head.it', created.password, '127.0.0.1')).kind).toBe('signed-in');
		// The set-up link has nothing left to do.
		await refusalOf(checkSetupToken(db, token));
		expect(await db.selectFrom('setup_tokens').select('id').execute()).toEqual([]);
	});

	it('refuses a taken username, and a database holding the demo school', async () => {
		db = await freshDatabase();
		await setUpSchoolFromCommand(db, SCHOOL, ORIGIN);
		const taken = await refusalOf(
			setUpSchoolFromCommand(db, { ...SCHOOL, schoolName: 'Other' }, ORIGIN)
		);
		expect(taken.message).toMatch(/already taken/);
		expect(await count('schools')).toBe(1);
		await db.destroy();

		({ db } = await demoDatabase());
		const users = await count('users');
		const demo = await refusalOf(setUpSchoolFromCommand(db, SCHOOL, ORIGIN));
		expect(demo.message).toMatch(/demo school/);
		expect(await count('users')).toBe(users);
	});

	it('slugs are URL-safe', () => {
		expect(slugFor('  St. Mary’s C of E (Aided) School ')).toBe('st-mary-s-c-of-e-aided-school');
		expect(slugFor('École Saint-Étienne')).toBe('ecole-saint-etienne');
		expect(slugFor('!!!')).toBe('school');
	});
});

describe('where the server listens', () => {
	it('a real school keeps the usual default', () => {
		expect(listenAddress({ host: undefined, demoOnNetwork: false, hasDemo: false })).toEqual({
			host: '0.0.0.0',
			note: null
		});
		expect(listenAddress({ host: '10.0.0.5', demoOnNetwork: false, hasDemo: false })).toEqual({
			host: '10.0.0.5',
			note: null
		});
	});

	it('the demo listens on loopback unless HOST and DEMO_ON_NETWORK=1 both say otherwise', () => {
		const unset = listenAddress({ host: undefined, demoOnNetwork: true, hasDemo: true });
		expect(unset).toMatchObject({ host: '127.0.0.1' });
		expect('note' in unset && unset.note).toMatch(/published password/);
		expect(listenAddress({ host: 'localhost', demoOnNetwork: false, hasDemo: true })).toEqual({
			host: 'localhost',
			note: null
		});
		const refused = listenAddress({ host: '0.0.0.0', demoOnNetwork: false, hasDemo: true });
		expect('refusal' in refused && refused.refusal).toMatch(
			/published password.*127\.0\.0\.1.*HOST=0\.0\.0\.0.*DEMO_ON_NETWORK=1/
		);
		expect(listenAddress({ host: '0.0.0.0', demoOnNetwork: true, hasDemo: true })).toMatchObject({
			host: '0.0.0.0'
		});
	});

	it('the server process holds the demo to loopback however it is started (npm run serve = node build)', async () => {
		({ db } = await demoDatabase());
		// No HOST (adapter-node would listen on every address): loopback, and says why.
		const unset: Record<string, string | undefined> = {};
		expect(await holdDemoToLoopback(db, unset)).toMatchObject({
			note: expect.stringMatching(/published password/)
		});
		expect(unset.HOST).toBe('127.0.0.1');
		const onNetwork = { HOST: '0.0.0.0' };
		expect(await holdDemoToLoopback(db, onNetwork)).toEqual({
			refusal: expect.stringMatching(/published password.*HOST=0\.0\.0\.0.*DEMO_ON_NETWORK=1/)
		});
		expect(onNetwork.HOST).toBe('0.0.0.0');
		expect(await holdDemoToLoopback(db, { HOST: '0.0.0.0', DEMO_ON_NETWORK: '1' })).toMatchObject({
			note: expect.stringMatching(/DEMO_ON_NETWORK=1/)
		});
		expect(await holdDemoToLoopback(db, { HOST: '::1' })).toEqual({ note: null });
		expect(await holdDemoToLoopback(db, { LISTEN_FDS: '1', LISTEN_PID: '7' })).toEqual({
			refusal: expect.stringMatching(/LISTEN_FDS/)
		});
		expect(await holdDemoToLoopback(db, { SOCKET_PATH: '/run/fusion.sock' })).toEqual({
			note: null
		});
		await db.destroy();

		// A real school keeps adapter-node's default; so does a database not migrated yet.
		db = await freshDatabase();
		await setUpSchoolFromCommand(db, SCHOOL, ORIGIN);
		const real: Record<string, string | undefined> = {};
		expect(await holdDemoToLoopback(db, real)).toEqual({ note: null });
		expect(real.HOST).toBeUndefined();
		await db.destroy();
		db = emptyDatabase();
		expect(await holdDemoToLoopback(db, { HOST: '0.0.0.0' })).toEqual({ note: null });
	});
});
