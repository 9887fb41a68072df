import { createHash } from 'node:crypto';
import * as client from 'openid-client';
import { Refusal } from '../errors';

/**
 * Talking to a provider: discovery (`/.well-known/openid-configuration`) through openid-client,
 * which checks that the document names the issuer it was fetched for. Over https only, except a
 * loopback issuer (127.0.0.1, localhost, ::1) where allowed, which is how the tests run a real
 * provider beside the app: nothing on the network can read or change a loopback exchange.
 */
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Only where the operator allows it (`SSO_ALLOW_LOOPBACK_ISSUERS=1`: the test suites set it):
 * otherwise any school's admin could make the server probe its own loopback ports through the
 * issuer field, and read the answer from the save's message.
 */
export function isLoopbackIssuer(issuer: URL): boolean {
	return (
		process.env.SSO_ALLOW_LOOPBACK_ISSUERS === '1' &&
		issuer.protocol === 'http:' &&
		LOOPBACK_HOSTS.has(issuer.hostname)
	);
}

export function issuerUrlProblem(issuer: string): string | null {
	let url: URL;
	try {
		url = new URL(issuer);
	} catch {
		return 'The issuer must be a full address, such as https://accounts.example.org.';
	}
	if (url.protocol !== 'https:' && !isLoopbackIssuer(url))
		return 'The issuer must be an https:// address (plain http only for a provider on this computer).';
	if (url.search || url.hash || url.username || url.password)
		return 'The issuer is the bare address, without a query, fragment or user name.';
	return null;
}

export interface ProviderClient {
	issuer: string;
	clientId: string;
	clientSecret: string;
}

/**
 * The provider's configuration for this client. `now`, when given, is the time the ID token's
 * expiry is checked against (a test's shifted clock); otherwise the server's clock.
 */
export async function discover(
	provider: ProviderClient,
	now?: Date
): Promise<client.Configuration> {
	const problem = issuerUrlProblem(provider.issuer);
	if (problem) throw new Refusal(problem);
	const issuer = new URL(provider.issuer);
	const metadata: Partial<client.ClientMetadata> = {};
	if (now) metadata[client.clockSkew] = Math.round((now.getTime() - Date.now()) / 1000);
	return client.discovery(
		issuer,
		provider.clientId,
		metadata,
		client.ClientSecretPost(provider.clientSecret),
		{ execute: isLoopbackIssuer(issuer) ? [client.allowInsecureRequests] : [], timeout: 10 }
	);
}

const DISCOVERY_KEPT_MS = 60 * 60 * 1000;
const discovered = new Map<string, { config: Promise<client.Configuration>; at: number }>();

/**
 * `discover`, kept an hour per provider client (and with it openid-client's copy of the provider's
 * keys, fetched again on a key it does not know): a class signing in at once, or anyone repeating
 * a sign-in start, does not make the server fetch the provider's document each time. The admin's
 * save checks afresh (`checkDiscovery`); a changed issuer, client or secret is another entry. A
 * shifted clock (tests) is not kept.
 */
export async function discoverKept(
	provider: ProviderClient,
	now?: Date
): Promise<client.Configuration> {
	if (now && Math.abs(now.getTime() - Date.now()) > 1000) return discover(provider, now);
	const key = JSON.stringify([
		provider.issuer,
		provider.clientId,
		createHash('sha256').update(provider.clientSecret).digest('hex')
	]);
	const kept = discovered.get(key);
	if (kept && Date.now() - kept.at < DISCOVERY_KEPT_MS) return kept.config;
	const config = discover(provider);
	discovered.set(key, { config, at: Date.now() });
	// A failed discovery is not kept: the next sign-in tries again.
	config.catch(() => discovered.delete(key));
	return config;
}

/** For the admin's save: a message they can act on when the issuer cannot be used. */
export async function checkDiscovery(provider: ProviderClient): Promise<void> {
	try {
		await discover(provider);
	} catch (error) {
		if (error instanceof Refusal) throw error;
		throw new Refusal(
			`The provider at ${provider.issuer} could not be reached or did not describe itself as an OpenID Connect issuer (${describe(error)}). Check the issuer address.`
		);
	}
}

export function describe(error: unknown): string {
	if (error instanceof client.ResponseBodyError)
		return `${error.error}: ${error.error_description ?? ''}`;
	if (error instanceof Error) return (error as { code?: string }).code ?? error.message;
	return String(error);
}
