import * as client from 'openid-client';
import { createHash, randomBytes } from 'node:crypto';
import type { DB } from '../db/connection';
import type { Role } from '../db/schema';
import { hashPassword } from '../auth/passwords';
import { recordAudit } from '../audit';
import { Refusal } from '../errors';
import { seal, unseal } from '../seal';
import { secretKey } from './secret-key';
import { describe, discoverKept } from './discovery';
import { unsealClientSecret } from './providers';
import { refreshReportGroups } from '../profiles/aggregates';
import {
	domainAllowed,
	microsoftTenantOf,
	verifiedEmailOf,
	type SignInRefusal
} from '../../domain/single-sign-on';

/**
 * Signing in with a school's provider: the authorization code flow with PKCE (S256), `state` and
 * `nonce`, through openid-client, which checks the ID token's signature (the provider's published
 * keys), issuer, audience, expiry and nonce. What is ours: which person the token is (see
 * `matchPerson`), and that an attempt works once, in the browser that started it, for ten minutes.
 */
export const ATTEMPT_LIFETIME_MS = 10 * 60 * 1000;
export const SSO_STATE_COOKIE = 'fusion_sso_state';
export const CALLBACK_PATH = '/login/sso/callback';

const attemptBinding = (providerId: number, stateHash: string) =>
	`sign-in-attempt provider=${providerId} state=${stateHash}`;
const hashState = (state: string) => createHash('sha256').update(state).digest('hex');

interface AttemptSecrets {
	nonce: string;
	codeVerifier: string;
	returnTo: string | null;
}

interface ProviderRow {
	id: number;
	school_id: number;
	kind: 'google' | 'microsoft' | 'oidc';
	issuer: string;
	client_id: string;
	sealed_secret: string;
	allowed_domains: string;
	enabled: 0 | 1;
}

async function enabledProvider(db: DB, providerId: number): Promise<ProviderRow | undefined> {
	return db
		.selectFrom('sign_in_providers')
		.select([
			'id',
			'school_id',
			'kind',
			'issuer',
			'client_id',
			'sealed_secret',
			'allowed_domains',
			'enabled'
		])
		.where('id', '=', providerId)
		.where('enabled', '=', 1)
		.executeTakeFirst();
}

function clientOf(provider: ProviderRow) {
	return {
		issuer: provider.issuer,
		clientId: provider.client_id,
		clientSecret: unsealClientSecret(provider.school_id, provider.id, provider.sealed_secret)
	};
}

/**
 * Starts a sign-in: the attempt is stored (its state hashed, its nonce and verifier sealed) and the
 * browser is sent to the provider with `state` also in a cookie of its own, so a callback that
 * reaches another browser (a link an attacker made from their own sign-in) is refused.
 */
export async function startSignIn(
	db: DB,
	request: { providerId: number; redirectUri: string; returnTo: string | null },
	now = new Date()
): Promise<{ authorizationUrl: URL; state: string }> {
	const provider = await enabledProvider(db, request.providerId);
	if (!provider) throw new Refusal('That sign-in service is not available.', 404);
	let config: client.Configuration;
	try {
		config = await discoverKept(clientOf(provider));
	} catch (error) {
		console.error(`Single sign-on: discovery of ${provider.issuer} failed`, describe(error));
		throw new Refusal(
			'Your school’s sign-in service cannot be reached at the moment. Try again later.',
			409
		);
	}
	const state = client.randomState();
	const nonce = client.randomNonce();
	const codeVerifier = client.randomPKCECodeVerifier();
	const stateHash = hashState(state);
	const secrets: AttemptSecrets = { nonce, codeVerifier, returnTo: request.returnTo };
	await db.deleteFrom('sign_in_attempts').where('expires_at', '<=', now.toISOString()).execute();
	await db
		.insertInto('sign_in_attempts')
		.values({
			state_hash: stateHash,
			provider_id: provider.id,
			sealed: seal(secretKey(), attemptBinding(provider.id, stateHash), JSON.stringify(secrets)),
			created_at: now.toISOString(),
			expires_at: new Date(now.getTime() + ATTEMPT_LIFETIME_MS).toISOString()
		})
		.execute();
	const authorizationUrl = client.buildAuthorizationUrl(config, {
		redirect_uri: request.redirectUri,
		scope: 'openid email profile',
		response_type: 'code',
		code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
		code_challenge_method: 'S256',
		state,
		nonce
	});
	return { authorizationUrl, state };
}

export type SignInResult =
	| {
			kind: 'signed-in';
			user: { id: number; roles: Role[] };
			returnTo: string | null;
			/** The provider's school: the login page remembers it for this browser. */
			schoolId: number;
	  }
	| { kind: 'refused'; reason: SignInRefusal; schoolId: number | null };

/**
 * Finishes a sign-in from the provider's redirect. `callbackUrl` is our redirect URI with the
 * query the provider sent; `stateCookie` the browser's own copy of the state. `now` is the time the
 * ID token's expiry is checked against (tests shift it).
 */
export async function finishSignIn(
	db: DB,
	request: { callbackUrl: URL; stateCookie: string | undefined },
	now = new Date()
): Promise<SignInResult> {
	const state = request.callbackUrl.searchParams.get('state');
	if (!state || !request.stateCookie || state !== request.stateCookie)
		return { kind: 'refused', reason: 'no-attempt', schoolId: null };
	const stateHash = hashState(state);
	// Deleted as it is read: the same callback twice (a replayed code) finds nothing the second time.
	const attempt = await db
		.deleteFrom('sign_in_attempts')
		.where('state_hash', '=', stateHash)
		.returning(['provider_id', 'sealed', 'expires_at'])
		.executeTakeFirst();
	if (!attempt || !(now.toISOString() < attempt.expires_at))
		return { kind: 'refused', reason: 'no-attempt', schoolId: null };
	const provider = await enabledProvider(db, attempt.provider_id);
	if (!provider) return { kind: 'refused', reason: 'unavailable', schoolId: null };
	const refused = (reason: SignInRefusal): SignInResult => ({
		kind: 'refused',
		reason,
		schoolId: provider.school_id
	});
	const secrets = JSON.parse(
		unseal(secretKey(), attemptBinding(provider.id, stateHash), attempt.sealed)
	) as AttemptSecrets;

	let claims: client.IDToken;
	try {
		const config = await discoverKept(clientOf(provider), now);
		const tokens = await client.authorizationCodeGrant(config, request.callbackUrl, {
			pkceCodeVerifier: secrets.codeVerifier,
			expectedState: state,
			expectedNonce: secrets.nonce,
			idTokenExpected: true
		});
		claims = tokens.claims()!;
	} catch (error) {
		console.error(`Single sign-on with ${provider.issuer} refused:`, describe(error));
		const providerAnswered =
			error instanceof client.AuthorizationResponseError ||
			error instanceof client.ResponseBodyError;
		return refused(providerAnswered ? 'provider-said-no' : 'token-invalid');
	}

	const email = verifiedEmailOf(provider.kind, claims, microsoftTenantOf(provider.issuer));
	if (!email) return refused('unverified');
	if (!domainAllowed(email, JSON.parse(provider.allowed_domains) as string[]))
		return refused('wrong-domain');
	const person = await matchPerson(db, provider, claims, email);
	if ('refusal' in person) return refused(person.refusal);
	return {
		kind: 'signed-in',
		user: person,
		returnTo: secrets.returnTo,
		schoolId: provider.school_id
	};
}

/**
 * Which person of the provider's school the token is: the one already linked to this subject, else
 * the one whose school e-mail is the verified address (then linked). Never anyone of another
 * school: every query is scoped to the provider's school. Nobody found: refused, unless the school
 * admits outsiders, who get an account awaiting an admin (a student of no class) and are refused
 * until it is approved.
 */
async function matchPerson(
	db: DB,
	provider: ProviderRow,
	claims: client.IDToken,
	email: string
): Promise<{ id: number; roles: Role[] } | { refusal: SignInRefusal }> {
	const schoolId = provider.school_id;
	const linked = await db
		.selectFrom('sign_in_identities')
		.innerJoin('memberships', 'memberships.user_id', 'sign_in_identities.user_id')
		.select('sign_in_identities.user_id')
		.where('sign_in_identities.provider_id', '=', provider.id)
		.where('sign_in_identities.subject', '=', claims.sub)
		.where('memberships.school_id', '=', schoolId)
		.executeTakeFirst();
	let userId = linked?.user_id;
	if (userId === undefined) {
		const byEmail = await db
			.selectFrom('users')
			.innerJoin('memberships', 'memberships.user_id', 'users.id')
			.select(['users.id', 'users.active'])
			.distinct()
			.where('memberships.school_id', '=', schoolId)
			.where((eb) => eb(eb.fn('lower', ['users.email']), '=', email))
			.execute();
		// A leaver's deactivated account may still hold an address the school has since given to
		// someone else: the active account is the one meant. Only a deactivated one: refused as such
		// (never admitted again as an outsider).
		const active = byEmail.filter((u) => u.active === 1);
		if (active.length > 1) return { refusal: 'ambiguous' };
		if (active.length === 0 && byEmail.length > 0) return { refusal: 'deactivated' };
		userId = active[0]?.id ?? (await admitOutsider(db, provider, claims, email));
		if (userId === undefined) return { refusal: 'not-on-roster' };
		await db
			.insertInto('sign_in_identities')
			.values({
				provider_id: provider.id,
				subject: claims.sub,
				user_id: userId,
				created_at: new Date().toISOString()
			})
			.onConflict((oc) => oc.doNothing())
			.execute();
	}
	const user = await db
		.selectFrom('users')
		.select(['active', 'awaiting_approval'])
		.where('id', '=', userId)
		.executeTakeFirstOrThrow();
	const school = await db
		.selectFrom('schools')
		.select('passwords_enabled')
		.where('id', '=', schoolId)
		.executeTakeFirstOrThrow();
	if (user.active !== 1) return { refusal: 'deactivated' };
	if (user.awaiting_approval === 1) return { refusal: 'awaiting' };
	const roles = (
		await db
			.selectFrom('memberships')
			.select('role')
			.where('user_id', '=', userId)
			.where('school_id', '=', schoolId)
			.execute()
	).map((m) => m.role);
	if (roles.length === 0) return { refusal: 'not-on-roster' };
	// With passwords off, a password someone else set cannot be used by anyone but an admin, so
	// there is nothing to change first.
	if (school.passwords_enabled === 0 && !roles.includes('admin'))
		await db
			.updateTable('users')
			.set({ must_change_password: 0 })
			.where('id', '=', userId)
			.where('must_change_password', '=', 1)
			.execute();
	return { id: userId, roles };
}

async function admitOutsider(
	db: DB,
	provider: ProviderRow,
	claims: client.IDToken,
	email: string
): Promise<number | undefined> {
	const school = await db
		.selectFrom('schools')
		.select('sso_admits_outsiders')
		.where('id', '=', provider.school_id)
		.executeTakeFirstOrThrow();
	if (school.sso_admits_outsiders !== 1) return undefined;
	const unusablePassword = await hashPassword(randomBytes(32).toString('base64url'));
	const text = (value: unknown, fallback: string) =>
		typeof value === 'string' && value.trim() ? value.trim().slice(0, 100) : fallback;
	return db.transaction().execute(async (trx) => {
		const now = new Date().toISOString();
		const base = email.slice(0, email.indexOf('@')).replace(/[^a-z0-9._-]/g, '') || 'sso';
		let username = base;
		for (
			let n = 2;
			await trx
				.selectFrom('users')
				.select('id')
				.where('username', '=', username)
				.executeTakeFirst();
			n++
		)
			username = `${base}${n}`;
		const { id } = await trx
			.insertInto('users')
			.values({
				username,
				given_name: text(claims.given_name, username),
				family_name: text(claims.family_name, ''),
				email,
				password_hash: unusablePassword,
				source_id: null,
				password_changed_at: now,
				created_at: now,
				badge_email: null,
				clr_status_list_id: null,
				clr_status_index: null,
				awaiting_approval: 1
			})
			.returning('id')
			.executeTakeFirstOrThrow();
		await trx
			.insertInto('memberships')
			.values({
				user_id: id,
				school_id: provider.school_id,
				role: 'student',
				year_group: null,
				created_at: now
			})
			.execute();
		await recordAudit(trx, {
			schoolId: provider.school_id,
			actorId: null,
			action: 'sign_in.outsider_admitted',
			entityType: 'user',
			entityId: String(id),
			after: { username, providerId: provider.id, awaitingApproval: true }
		});
		// A student of no class yet: counted in the report's totals as one (0032).
		await refreshReportGroups(trx, [id]);
		return id;
	});
}
