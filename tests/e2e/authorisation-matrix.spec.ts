import {
	expect,
	request as playwrightRequest,
	test,
	type APIRequestContext
} from '@playwright/test';
import { DEMO_PASSWORD, PERSONAS } from './fixtures';
import { EVERYONE, MATRIX, type Entry, type Who } from './matrix';
import { discoverRoutes, type DiscoveredRoute } from './routes';

const keyOf = (r: DiscoveredRoute) => `${r.kind} ${r.name} ${r.id}`;

test('every route and form action has an entry in the authorisation matrix', () => {
	const discovered = discoverRoutes().map(keyOf).sort();
	expect(discovered.length).toBeGreaterThan(20);
	expect(
		discovered.filter((k) => !(k in MATRIX)),
		'routes without a matrix entry'
	).toEqual([]);
	expect(
		Object.keys(MATRIX).filter((k) => !discovered.includes(k)),
		'matrix entries for routes that no longer exist'
	).toEqual([]);
});

async function signedInContext(baseURL: string, who: Who): Promise<APIRequestContext> {
	// Sent as a browser's form post is: same origin, HTML preferred (else SvelteKit answers actions in
	// JSON).
	const context = await playwrightRequest.newContext({
		baseURL,
		extraHTTPHeaders: { origin: baseURL, accept: 'text/html' }
	});
	if (who === 'signedOut') return context;
	const response = await context.post('/login', {
		form: { username: PERSONAS[who], password: DEMO_PASSWORD },
		maxRedirects: 0
	});
	expect(response.status(), `sign in as ${who}`).toBe(303);
	return context;
}

/**
 * What a refusal looks like: signed out → 401 or sent to /login; signed in → 403, or 404 for
 * another school's things; for what is `absentToOthers` (a private CASE framework), 404 for all.
 */
function isRefusal(who: Who, status: number, location: string | undefined, entry: Entry): boolean {
	if (entry.absentToOthers) return status === 404;
	if (who === 'signedOut')
		return status === 401 || (status === 303 && Boolean(location?.startsWith('/login')));
	return status === 403 || status === 404;
}

const kind = (key: string) => key.split(' ')[0];

async function call(context: APIRequestContext, key: string, entry: Entry) {
	const [kind, name] = key.split(' ');
	const response =
		kind === 'action'
			? await context.post(name === 'default' ? entry.url : `${entry.url}?/${name}`, {
					form: {},
					maxRedirects: 0
				})
			: await context.fetch(entry.url, {
					method: kind === 'endpoint' ? name : 'GET',
					maxRedirects: 0,
					...(entry.body === undefined
						? {}
						: {
								data: entry.body,
								headers: { 'content-type': 'application/json', accept: 'application/json' }
							})
				});
	return {
		status: response.status(),
		location: response.headers()['location'],
		cacheControl: response.headers()['cache-control']
	};
}

for (const who of EVERYONE) {
	test(`authorisation matrix as ${who}`, async ({ baseURL }) => {
		const context = await signedInContext(baseURL!, who);
		const problems: string[] = [];
		for (const [key, entry] of Object.entries(MATRIX)) {
			if (entry.endsSession) continue;
			const allowed = entry.allow.includes(who);
			const { status, location, cacheControl } = await call(context, key, entry);
			// A signed-in person's pages stay out of shared caches and the back button after sign-out.
			if (
				who !== 'signedOut' &&
				kind(key) === 'page' &&
				status === 200 &&
				!/no-store/.test(cacheControl ?? '')
			)
				problems.push(`${key}: a signed-in page without Cache-Control no-store (${cacheControl})`);
			if (entry.allow === EVERYONE) {
				// Open to all (sign-in, health, the redirecting front door): only a crash is wrong.
				if (status >= 500) problems.push(`${key}: got ${status}`);
				continue;
			}
			const refused = isRefusal(who, status, location, entry);
			if (allowed && (refused || status >= 500))
				problems.push(`${key}: expected allowed, got ${status} ${location ?? ''}`);
			if (!allowed && !refused)
				problems.push(`${key}: expected refused, got ${status} ${location ?? ''}`);
		}
		// Session-ending actions (sign-out) are open to everyone; each runs on a session of its own.
		for (const [key, entry] of Object.entries(MATRIX).filter(([, e]) => e.endsSession)) {
			const own = await signedInContext(baseURL!, who);
			const { status } = await call(own, key, entry);
			if (status >= 500) problems.push(`${key}: got ${status}`);
			await own.dispose();
		}
		await context.dispose();
		expect(problems).toEqual([]);
	});
}
