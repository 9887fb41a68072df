import type { Handle, HandleServerError, ServerInit } from '@sveltejs/kit';
import { json, text } from '@sveltejs/kit';
import { sequence } from '@sveltejs/kit/hooks';
import { closeDb, getDb } from '$lib/server/db/connection';
import { holdsPolicyRole, roleSetsRequiredFor } from '$lib/server/auth/guards';
import {
	isFormSubmissionFromThisSite,
	isSameOriginRequest,
	malformedInput
} from '$lib/server/http';
import { passwordChangeFirst } from '$lib/server/auth/first-sign-in';
import {
	SESSION_COOKIE,
	deleteSessionTokenCookie,
	setSessionTokenCookie,
	validateSessionToken
} from '$lib/server/auth/sessions';
import { scheduleExportSweep } from '$lib/server/reports/batch';
import { scheduleHandoutExpiry } from '$lib/server/roster/handouts';
import { holdDemoToLoopback } from '$lib/server/setup/first-run';
import { jobsSettled, startJobRunner } from '$lib/server/jobs/queue';
import { closeReportWorkers } from '$lib/server/workers/report-pool';
import { startClusterEvents, stopClusterEvents } from '$lib/server/cluster/events';
import { secretKey } from '$lib/server/sso/secret-key';
import '$lib/server/jobs/handlers';
import { scheduleNotificationJobs } from '$lib/server/notifications/email';
import { building, dev } from '$app/environment';

/**
 * At server start, however it was started (`npm start`, `npm run serve`, a service manager): a
 * database holding the demo listens on loopback only unless HOST and DEMO_ON_NETWORK=1 both say
 * otherwise — the process ends with the reason before it listens. Then the scheduled work is set
 * going, all of it as rows in the jobs table (`server/jobs/queue.ts`), so a restart loses none and
 * two servers run each once: the hourly sweep of exports past their retention period, a roster
 * import's one-time passwords past their hour (now, the others at their expiry), reminders, the
 * daily notification digest and clean-up; and
 * the runner starts; on PostgreSQL the server starts listening to the others; the key that seals sign-in provider secrets is read or made
 * (`server/sso/secret-key.ts`); the report workers (started on first use) are stopped with the server. (`vite dev` listens on localhost on its own.)
 */
export const init: ServerInit = async () => {
	if (!dev && !building) {
		const demo = await holdDemoToLoopback(getDb(), process.env);
		if ('refusal' in demo) {
			console.error(demo.refusal);
			process.exit(1);
		}
		if (demo.note) console.log(demo.note);
	}
	if (!building) {
		await scheduleExportSweep(getDb());
		await scheduleHandoutExpiry(getDb());
		await scheduleNotificationJobs(getDb());
		const stopJobRunner = startJobRunner(getDb);
		// Several app servers on one PostgreSQL database hear each other (nothing on SQLite).
		await startClusterEvents(getDb());
		// Made (and announced) at start, not at an admin's first save: FUSION_SECRET_KEY or secret.key.
		secretKey();
		// adapter-node's graceful stop (SIGTERM/SIGINT, once requests are done): nothing new starts,
		// the report workers close their database connections and end, the listening connection and
		// the pool close, and the process ends by itself. (With the listening connection left open a
		// server on PostgreSQL never ended: a rolling restart waited for its SIGKILL.)
		// The jobs still running (an export its closed worker cut short) record their outcome first.
		process.once('sveltekit:shutdown', () => {
			stopJobRunner();
			void Promise.allSettled([closeReportWorkers(), stopClusterEvents()])
				.then(() => jobsSettled(SHUTDOWN_JOB_WAIT_MS))
				.then(() => closeDb());
		});
	}
};

/**
 * How long a stopping server waits for its running jobs after its requests are done: long enough
 * for a cut-short export to hand its lease back, short of a service manager's kill (often 30 s
 * after SIGTERM, and adapter-node's own wait for requests comes first).
 */
const SHUTDOWN_JOB_WAIT_MS = 10_000;

/** Route ids that are pages: their own loads render a styled 401/403 for a browser visit. */
const PAGE_ROUTE_IDS = new Set(
	Object.keys(import.meta.glob('/src/routes/**/+page.svelte')).map(
		(file) => file.replace(/^\/src\/routes/, '').replace(/\/\+page\.svelte$/, '') || '/'
	)
);

const SECURITY_HEADERS: Record<string, string> = {
	'X-Content-Type-Options': 'nosniff',
	'Referrer-Policy': 'same-origin',
	'X-Frame-Options': 'DENY',
	'Permissions-Policy': 'camera=(), microphone=(), geolocation=()',
	'Cross-Origin-Opener-Policy': 'same-origin'
};

/** Resolves the session cookie once into `event.locals`, renewing or clearing the cookie. */
const readSession: Handle = async ({ event, resolve }) => {
	const secure = event.url.protocol === 'https:';
	const token = event.cookies.get(SESSION_COOKIE);
	event.locals.user = null;
	event.locals.session = null;
	if (token) {
		const { session, user, renewed } = await validateSessionToken(getDb(), token);
		if (session) {
			event.locals.user = user;
			event.locals.session = session;
			if (renewed) setSessionTokenCookie(event.cookies, token, session.expiresAt, secure);
		} else {
			deleteSessionTokenCookie(event.cookies, secure);
		}
	}
	return resolve(event);
};

/**
 * The second net under the per-route guards: any request under a role's prefix from someone without
 * that role is refused here, so a form action or endpoint that forgot its guard is still closed.
 */
const roleByPath: Handle = ({ event, resolve }) => refuseByPath(event) ?? resolve(event);

/**
 * Browser page visits pass through to the page's own guard, so the person sees the styled 401/403
 * page.
 */
function refuseByPath(event: Parameters<Handle>[0]['event']): Response | undefined {
	const roleSets = roleSetsRequiredFor(event.url.pathname, event.route.id);
	if (roleSets.length === 0) return undefined;
	const user = event.locals.user;
	if (user && roleSets.every((roles) => holdsPolicyRole(user, roles))) return undefined;
	const isPageVisit =
		(event.request.method === 'GET' || event.request.method === 'HEAD') &&
		event.route.id !== null &&
		PAGE_ROUTE_IDS.has(event.route.id);
	if (isPageVisit) return undefined;
	const status = user ? 403 : 401;
	const message = user ? 'You do not have permission to do that.' : 'Sign in to continue.';
	return refusal(event, status, message);
}

/** A refusal in the form the caller reads: JSON for fetches and data requests, else text. */
function refusal(event: Parameters<Handle>[0]['event'], status: number, message: string) {
	const wantsJson =
		event.request.headers.get('accept')?.includes('application/json') ||
		event.request.headers.get('content-type')?.includes('application/json') ||
		event.isDataRequest;
	return wantsJson ? json({ message }, { status }) : text(message, { status });
}

/**
 * SvelteKit refuses cross-origin form posts; this does the same for every other state-changing
 * request (the JSON autosave endpoints), so a sibling site cannot drive them with the cookie.
 */
const refuseCrossOrigin: Handle = ({ event, resolve }) => {
	// A mail provider's RFC 8058 one-click unsubscribe is a form POST from no site at all. It is the
	// one exception: its signed token is its only authority (the session cookie is never read), and
	// all it can do is stop e-mail, so another site sending it gains nothing.
	if (event.route.id === '/unsubscribe/[token]' && event.request.method === 'POST')
		return resolve(event);
	const fromThisSite =
		isSameOriginRequest(event.request, event.url.origin) &&
		isFormSubmissionFromThisSite(event.request, event.url.origin);
	return fromThisSite
		? resolve(event)
		: refusal(
				event,
				403,
				'This request came from another site, so it was refused. Go back to the page and try again.'
			);
};

/**
 * A form body that cannot be read, or a control character in the path, the query or a form field,
 * is a 400 with a message here, before any route sees it (never a 500 from a route's formData()).
 */
const refuseMalformedInput: Handle = async ({ event, resolve }) => {
	const problem = await malformedInput(event.request, event.url);
	return problem ? refusal(event, problem.status, problem.message) : resolve(event);
};

/** Outermost, so that refusals from the handles after it carry the headers too. */
const securityHeaders: Handle = async ({ event, resolve }) => {
	const response = await resolve(event);
	for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
		if (!response.headers.has(name)) response.headers.set(name, value);
	}
	// A signed-in page is someone's own: on a shared school device, it must not come back from the
	// cache or the back button after they sign out.
	if (event.locals.user && !response.headers.has('cache-control'))
		response.headers.set('cache-control', 'private, no-store');
	return response;
};

/** The password change comes after the session (it needs the user), before role-by-path. */
export const handle = sequence(
	securityHeaders,
	refuseCrossOrigin,
	readSession,
	passwordChangeFirst,
	roleByPath,
	refuseMalformedInput
);

export const handleError: HandleServerError = ({ error, event, status }) => {
	if (status === 404) return { message: 'Page not found.' };
	const reference = crypto.randomUUID().slice(0, 8);
	console.error(`[${reference}] ${event.request.method} ${event.url.pathname}`, error);
	return {
		message: 'Something went wrong on our side. Your last change may not be saved.',
		reference
	};
};
