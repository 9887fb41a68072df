import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DB } from '../../src/lib/server/db/connection';
import { demoDatabase, secondSchool, userId } from './helpers';
import { DEMO_PASSWORD } from '../../src/lib/server/db/seed';
import { finishSignIn, startSignIn } from '../../src/lib/server/sso/flow';
import {
	addProvider,
	listProviders,
	schoolProvider,
	setSignInRules,
	updateProvider
} from '../../src/lib/server/sso/providers';
import { signIn } from '../../src/lib/server/auth/sign-in';
import { decideAwaiting } from '../../src/lib/server/people/accounts';
import { Refusal } from '../../src/lib/server/errors';
import { signInAtProvider, startTestProvider, TEST_CLIENT } from '../oidc-test-provider';

const REDIRECT_URI = 'http://app.test/login/sso/callback';

process.env.FUSION_SECRET_KEY ??= 'a'.repeat(64);

const verified = (email: string) => ({ email, email_verified: true });
/** The provider's accounts: the login name is the subject. */
const ACCOUNTS = {
	alice: { ...verified('alice@oakwood.test'), given_name: 'Alice' },
	bob: verified('Bob@Oakwood.test'),
	carol: verified('carol@oakwood.test'),
	unverified: { email: 'student3@oakwood.test', email_verified: false },
	elsewhere: verified('student4@elsewhere.test'),
	stranger: verified('stranger@oakwood.test'),
	newcomer: { ...verified('newcomer@oakwood.test'), given_name: 'New', family_name: 'Comer' },
	twin: verified('twin@oakwood.test')
};

async function setUpWorld() {
	// ID tokens live two minutes here, so a clock five minutes on finds one expired while the
	// sign-in attempt itself (ten minutes) is still open.
	const provider = await startTestProvider({
		accounts: ACCOUNTS,
		redirectUris: [REDIRECT_URI],
		idTokenTtlSeconds: 120
	});
	const { db, schoolId } = await demoDatabase();
	const { schoolId: otherSchoolId } = await secondSchool(db);
	const emails: [string, string][] = [
		['student1', 'alice@oakwood.test'],
		['student2', 'bob@oakwood.test'],
		['student5', 'carol@oakwood.test'],
		['student3', 'student3@oakwood.test'],
		['student4', 'student4@elsewhere.test'],
		['other-student1', 'twin@oakwood.test']
	];
	for (const [username, email] of emails)
		await db.updateTable('users').set({ email }).where('username', '=', username).execute();
	const admin = { id: await userId(db, 'admin'), schoolId };
	const otherAdmin = { id: await userId(db, 'other-admin'), schoolId: otherSchoolId };
	const settings = {
		kind: 'oidc' as const,
		issuer: provider.issuer,
		clientId: TEST_CLIENT.clientId,
		clientSecret: TEST_CLIENT.clientSecret,
		allowedDomains: ['oakwood.test'],
		enabled: true
	};
	const providerId = await addProvider(db, admin, { ...settings, label: 'Oakwood login' });
	const otherProviderId = await addProvider(db, otherAdmin, { ...settings, label: 'Other login' });
	return {
		db,
		issuer: provider.issuer,
		close: async () => {
			await provider.close();
			await db.destroy();
		},
		schoolId,
		admin,
		otherAdmin,
		adminPassword: DEMO_PASSWORD,
		providerId,
		otherProviderId,
		aliceId: await userId(db, 'student1'),
		carolId: await userId(db, 'student5'),
		twinId: await userId(db, 'other-student1')
	};
}

let world: Awaited<ReturnType<typeof setUpWorld>>;
let db: DB;

beforeAll(async () => {
	world = await setUpWorld();
	db = world.db;
}, 60_000);
afterAll(async () => {
	await world?.close();
});

/** The whole round trip: our start, the provider's forms, our callback in the same browser. */
async function signInWith(
	login: string,
	options: {
		providerId?: number;
		now?: Date;
		alterAuthorizationUrl?: (url: URL) => void;
	} = {}
) {
	const started = await startSignIn(db, {
		providerId: options.providerId ?? world.providerId,
		redirectUri: REDIRECT_URI,
		returnTo: null
	});
	options.alterAuthorizationUrl?.(started.authorizationUrl);
	const callbackUrl = await signInAtProvider(started.authorizationUrl, login);
	expect(callbackUrl.origin + callbackUrl.pathname).toBe(REDIRECT_URI);
	const result = await finishSignIn(db, { callbackUrl, stateCookie: started.state }, options.now);
	return { result, callbackUrl, state: started.state };
}

describe('single sign-on against a real OpenID provider', () => {
	it('signs a rostered person in by their verified school e-mail, and links the subject', async () => {
		const { result } = await signInWith('alice');
		expect(result).toMatchObject({ kind: 'signed-in', user: { id: world.aliceId } });
		const link = await db
			.selectFrom('sign_in_identities')
			.select('user_id')
			.where('subject', '=', 'alice')
			.executeTakeFirstOrThrow();
		expect(link.user_id).toBe(world.aliceId);
		// Linked: the next sign-in finds her by subject even after her school e-mail changes.
		await db.updateTable('users').set({ email: null }).where('id', '=', world.aliceId).execute();
		const again = await signInWith('alice');
		expect(again.result).toMatchObject({ kind: 'signed-in', user: { id: world.aliceId } });
	});

	it('a provider moved to another issuer forgets its subject links (the new issuer numbers people afresh)', async () => {
		const [current] = (await listProviders(db, world.schoolId)).filter(
			(p) => p.id === world.providerId
		);
		const input = {
			kind: current!.kind,
			label: current!.label,
			issuer: current!.issuer,
			clientId: current!.clientId,
			clientSecret: '',
			allowedDomains: current!.allowedDomains,
			enabled: current!.enabled
		};
		const links = () =>
			db
				.selectFrom('sign_in_identities')
				.select('subject')
				.where('provider_id', '=', world.providerId)
				.execute();
		expect((await links()).length).toBeGreaterThan(0);
		const accept = async () => {};
		await updateProvider(db, world.admin, world.providerId, { ...input, label: 'Renamed' }, accept);
		expect((await links()).length).toBeGreaterThan(0);
		const moved = { ...input, issuer: 'https://login.elsewhere.test' };
		await updateProvider(db, world.admin, world.providerId, moved, accept);
		expect(await links()).toEqual([]);
		await updateProvider(db, world.admin, world.providerId, input, accept);
		// Found again by verified e-mail, and linked again.
		await db
			.updateTable('users')
			.set({ email: 'alice@oakwood.test' })
			.where('id', '=', world.aliceId)
			.execute();
		const { result } = await signInWith('alice');
		expect(result).toMatchObject({ kind: 'signed-in', user: { id: world.aliceId } });
	});

	it('fetches the provider’s discovery document once for many sign-in starts, not once each', async () => {
		const fetches: string[] = [];
		const realFetch = globalThis.fetch;
		globalThis.fetch = (input, init) => {
			fetches.push(String(input instanceof Request ? input.url : input));
			return realFetch(input, init);
		};
		try {
			for (let i = 0; i < 3; i++)
				await startSignIn(db, {
					providerId: world.providerId,
					redirectUri: REDIRECT_URI,
					returnTo: null
				});
		} finally {
			globalThis.fetch = realFetch;
		}
		const discoveries = fetches.filter((url) => url.includes('/.well-known/openid-configuration'));
		expect(discoveries.length).toBeLessThanOrEqual(1);
	});

	it('refuses a replayed callback (the same code and state again): the attempt was used', async () => {
		const { result, callbackUrl, state } = await signInWith('bob');
		expect(result.kind).toBe('signed-in');
		const replay = await finishSignIn(db, { callbackUrl, stateCookie: state });
		expect(replay).toMatchObject({ kind: 'refused', reason: 'no-attempt' });
	});

	it('refuses a callback that reaches a browser which did not start it', async () => {
		const started = await startSignIn(db, {
			providerId: world.providerId,
			redirectUri: REDIRECT_URI,
			returnTo: null
		});
		const callbackUrl = await signInAtProvider(started.authorizationUrl, 'bob');
		const elsewhere = await finishSignIn(db, { callbackUrl, stateCookie: undefined });
		expect(elsewhere).toMatchObject({ kind: 'refused', reason: 'no-attempt' });
	});

	it('refuses an ID token whose nonce is not the one this sign-in sent', async () => {
		const { result } = await signInWith('bob', {
			alterAuthorizationUrl: (url) => url.searchParams.set('nonce', 'a-nonce-from-elsewhere')
		});
		expect(result).toMatchObject({ kind: 'refused', reason: 'token-invalid' });
	});

	it('refuses an expired ID token', async () => {
		const inFiveMinutes = new Date(Date.now() + 5 * 60 * 1000);
		const { result } = await signInWith('bob', { now: inFiveMinutes });
		expect(result).toMatchObject({ kind: 'refused', reason: 'token-invalid' });
	});

	it('refuses an e-mail address the provider has not verified', async () => {
		const { result } = await signInWith('unverified');
		expect(result).toMatchObject({ kind: 'refused', reason: 'unverified' });
	});

	it('refuses an e-mail of a domain the school does not allow', async () => {
		const { result } = await signInWith('elsewhere');
		expect(result).toMatchObject({ kind: 'refused', reason: 'wrong-domain' });
	});

	it('refuses someone outside the roster and creates nothing', async () => {
		const usersBefore = await db.selectFrom('users').select('id').execute();
		const { result } = await signInWith('stranger');
		expect(result).toMatchObject({ kind: 'refused', reason: 'not-on-roster' });
		expect(await db.selectFrom('users').select('id').execute()).toHaveLength(usersBefore.length);
	});

	it('with outsiders admitted, makes a student of no class awaiting an admin, who cannot sign in yet', async () => {
		await setSignInRules(db, world.admin, { passwordsEnabled: true, admitsOutsiders: true });
		const { result } = await signInWith('newcomer');
		expect(result).toMatchObject({ kind: 'refused', reason: 'awaiting' });
		const made = await db
			.selectFrom('users')
			.innerJoin('memberships', 'memberships.user_id', 'users.id')
			.select(['users.id', 'users.awaiting_approval', 'memberships.role', 'memberships.school_id'])
			.where('users.email', '=', 'newcomer@oakwood.test')
			.executeTakeFirstOrThrow();
		expect(made).toMatchObject({
			awaiting_approval: 1,
			role: 'student',
			school_id: world.schoolId
		});
		const enrolled = await db
			.selectFrom('enrolments')
			.select('class_id')
			.where('learner_id', '=', made.id)
			.execute();
		expect(enrolled).toEqual([]);
		await setSignInRules(db, world.admin, { passwordsEnabled: true, admitsOutsiders: false });
	});

	it('a declined newcomer, once on the roster, signs in to the roster’s account (a leaver’s old one with the address is passed over)', async () => {
		await setSignInRules(db, world.admin, { passwordsEnabled: true, admitsOutsiders: true });
		await signInWith('newcomer');
		const awaiting = await db
			.selectFrom('users')
			.select('id')
			.where('email', '=', 'newcomer@oakwood.test')
			.executeTakeFirstOrThrow();
		await decideAwaiting(db, world.admin, awaiting.id, 'decline');
		await setSignInRules(db, world.admin, { passwordsEnabled: true, admitsOutsiders: false });
		// The roster now has them as student6; the declined account (deactivated) keeps the address.
		const rostered = await userId(db, 'student6');
		await db
			.updateTable('users')
			.set({ email: 'newcomer@oakwood.test' })
			.where('id', '=', rostered)
			.execute();
		const { result } = await signInWith('newcomer');
		expect(result).toMatchObject({ kind: 'signed-in', user: { id: rostered } });
	});

	it('refuses a deactivated account', async () => {
		await db.updateTable('users').set({ active: 0 }).where('id', '=', world.carolId).execute();
		const { result } = await signInWith('carol');
		expect(result).toMatchObject({ kind: 'refused', reason: 'deactivated' });
		await db.updateTable('users').set({ active: 1 }).where('id', '=', world.carolId).execute();
	});

	it('one school’s provider never signs anyone into another school', async () => {
		// The other school's learner has the same verified address; only the other school's provider
		// may find them, and this one finds nobody at its own school.
		const { result } = await signInWith('twin');
		expect(result).toMatchObject({ kind: 'refused', reason: 'not-on-roster' });
		const viaOther = await signInWith('twin', { providerId: world.otherProviderId });
		expect(viaOther.result).toMatchObject({ kind: 'signed-in', user: { id: world.twinId } });
	});

	it('an admin of another school can neither read nor change this school’s provider', async () => {
		await expect(schoolProvider(db, world.otherAdmin.schoolId, world.providerId)).rejects.toThrow(
			Refusal
		);
		expect((await listProviders(db, world.otherAdmin.schoolId)).map((p) => p.id)).toEqual([
			world.otherProviderId
		]);
		const input = {
			kind: 'oidc' as const,
			label: 'Taken over',
			issuer: world.issuer,
			clientId: TEST_CLIENT.clientId,
			clientSecret: '',
			allowedDomains: ['evil.test'],
			enabled: true
		};
		await expect(
			updateProvider(db, world.otherAdmin, world.providerId, input)
		).rejects.toMatchObject({ status: 404 });
		expect((await schoolProvider(db, world.schoolId, world.providerId)).label).toBe(
			'Oakwood login'
		);
	});

	it('keeps the client secret sealed: not in the row in plain text, and bound to its row', async () => {
		const row = await db
			.selectFrom('sign_in_providers')
			.select('sealed_secret')
			.where('id', '=', world.providerId)
			.executeTakeFirstOrThrow();
		expect(row.sealed_secret).not.toContain(TEST_CLIENT.clientSecret);
		// Copied onto the other school's provider, it does not open: that sign-in fails.
		await db
			.updateTable('sign_in_providers')
			.set({ sealed_secret: row.sealed_secret })
			.where('id', '=', world.otherProviderId)
			.execute();
		await expect(
			startSignIn(db, {
				providerId: world.otherProviderId,
				redirectUri: REDIRECT_URI,
				returnTo: null
			})
		).rejects.toThrow();
	});

	it('refuses an issuer that is not https (other than loopback) and one that does not answer', async () => {
		const base = {
			kind: 'oidc' as const,
			label: 'X',
			clientId: 'x',
			clientSecret: 'y',
			allowedDomains: ['oakwood.test'],
			enabled: true
		};
		await expect(
			addProvider(db, world.admin, { ...base, issuer: 'http://idp.example.org' })
		).rejects.toThrow(/https/);
		await expect(
			addProvider(db, world.admin, { ...base, issuer: 'http://127.0.0.1:9' })
		).rejects.toThrow(/could not be reached/);
		// A production server (no SSO_ALLOW_LOOPBACK_ISSUERS) refuses a loopback issuer outright, so an
		// admin cannot probe the server's own ports through the issuer field.
		process.env.SSO_ALLOW_LOOPBACK_ISSUERS = '';
		try {
			await expect(
				addProvider(db, world.admin, { ...base, issuer: 'http://127.0.0.1:9' })
			).rejects.toThrow(/https/);
		} finally {
			process.env.SSO_ALLOW_LOOPBACK_ISSUERS = '1';
		}
	});

	it('passwords off: refused without an enabled provider; then only admins sign in with one', async () => {
		const { db: lone } = await demoDatabase();
		const loneAdmin = { id: await userId(lone, 'admin'), schoolId: 1 };
		await expect(
			setSignInRules(lone, loneAdmin, { passwordsEnabled: false, admitsOutsiders: false })
		).rejects.toMatchObject({ status: 409 });
		await lone.destroy();

		await setSignInRules(db, world.admin, { passwordsEnabled: false, admitsOutsiders: false });
		const student = await signIn(db, 'student2', DEMO_PASSWORD, '10.0.0.1');
		expect(student.kind).toBe('use-provider');
		const admin = await signIn(db, 'admin', world.adminPassword, '10.0.0.2');
		expect(admin.kind).toBe('signed-in');
		await setSignInRules(db, world.admin, { passwordsEnabled: true, admitsOutsiders: false });
	});
});

describe('the key that seals provider secrets', () => {
	it('comes from FUSION_SECRET_KEY, else a 0600 key file beside the database, kept across starts', async () => {
		const { mkdtempSync, statSync, readFileSync } = await import('node:fs');
		const { tmpdir } = await import('node:os');
		const { join } = await import('node:path');
		const { secretKey, parseSecretKey } = await import('../../src/lib/server/sso/secret-key');
		const dir = mkdtempSync(join(tmpdir(), 'fusion-key-'));
		const env = { DATABASE_PATH: join(dir, 'school.db') };
		const made = secretKey(env);
		const file = join(dir, 'secret.key');
		expect(statSync(file).mode & 0o777).toBe(0o600);
		expect(parseSecretKey(readFileSync(file, 'utf8')).equals(made)).toBe(true);
		expect(secretKey({ ...env, FUSION_SECRET_KEY: 'b'.repeat(64) }).equals(made)).toBe(false);
		expect(secretKey(env).equals(made)).toBe(true);
		expect(() => parseSecretKey('too-short')).toThrow(/32 bytes/);
	});
});
