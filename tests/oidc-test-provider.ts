import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { type Configuration } from 'oidc-provider';

/**
 * A real OpenID Connect provider for the tests: panva's `oidc-provider` (a certified
 * implementation), in memory, on a loopback port, with its development login form (any password).
 * Its accounts are the `claims` given: the login name is the subject.
 */
export interface TestProvider {
	issuer: string;
	provider: Provider;
	close(): Promise<void>;
}

export const TEST_CLIENT = {
	clientId: 'fusion-skills',
	clientSecret: 'test-client-secret-0123456789'
};

export async function startTestProvider(options: {
	accounts: Record<string, Record<string, unknown>>;
	redirectUris: string[];
	idTokenTtlSeconds?: number;
}): Promise<TestProvider> {
	const server: Server = createServer();
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	const configuration: Configuration = {
		clients: [
			{
				client_id: TEST_CLIENT.clientId,
				client_secret: TEST_CLIENT.clientSecret,
				redirect_uris: options.redirectUris,
				token_endpoint_auth_method: 'client_secret_post',
				grant_types: ['authorization_code'],
				response_types: ['code']
			}
		],
		claims: {
			openid: ['sub'],
			email: ['email', 'email_verified'],
			profile: ['given_name', 'family_name']
		},
		// As Google's and Microsoft's do, the ID token itself carries the e-mail claims.
		conformIdTokenClaims: false,
		pkce: { required: () => true },
		features: { devInteractions: { enabled: true } },
		ttl: { IdToken: options.idTokenTtlSeconds ?? 3600 },
		findAccount: (_ctx, id) => {
			const claims = options.accounts[id];
			if (!claims) return undefined;
			return { accountId: id, claims: () => ({ sub: id, ...claims }) };
		}
	};
	const provider = new Provider(issuer, configuration);
	// The development forms are served over plain http on loopback: no proxy, no secure cookies.
	provider.proxy = false;
	server.on('request', provider.callback());
	return {
		issuer,
		provider,
		close: () =>
			new Promise<void>((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve());
			})
	};
}

/**
 * Drives the provider's own login and consent forms over HTTP, as a browser would, from the
 * authorization URL to the redirect back to the client; returns that redirect (code, state, iss).
 */
export async function signInAtProvider(authorizationUrl: URL, login: string): Promise<URL> {
	const jar = new Map<string, string>();
	const send = async (url: URL, init: RequestInit = {}) => {
		const response = await fetch(url, {
			...init,
			redirect: 'manual',
			headers: {
				...(init.headers as Record<string, string>),
				cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ')
			}
		});
		for (const cookie of response.headers.getSetCookie()) {
			const pair = cookie.split(';')[0] ?? '';
			const at = pair.indexOf('=');
			jar.set(pair.slice(0, at), pair.slice(at + 1));
		}
		return response;
	};
	let url = authorizationUrl;
	for (let step = 0; step < 12; step++) {
		const response = await send(url);
		if (response.status >= 300 && response.status < 400) {
			const next = new URL(response.headers.get('location')!, url);
			if (next.origin !== authorizationUrl.origin) return next;
			url = next;
			continue;
		}
		const html = await response.text();
		if (response.status !== 200) throw new Error(`provider answered ${response.status}: ${html}`);
		const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
		const prompt = /name="prompt" value="([^"]+)"/.exec(html)?.[1];
		if (!action || !prompt) throw new Error(`no interaction form at ${url}: ${html.slice(0, 500)}`);
		const body = new URLSearchParams({ prompt, login, password: 'any' });
		const submitted = await send(new URL(action, url), {
			method: 'POST',
			body,
			headers: { 'content-type': 'application/x-www-form-urlencoded' }
		});
		url = new URL(submitted.headers.get('location')!, url);
	}
	throw new Error('the provider did not redirect back');
}
