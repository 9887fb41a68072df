import { error, fail, json } from '@sveltejs/kit';
import { z } from 'zod';
import { idSchema } from '../schemas/people';
import { Refusal } from './errors';

/** A numeric route parameter; anything else is a page that does not exist. */
export function idParam(value: string | undefined, what = 'page'): number {
	const parsed = idSchema.safeParse(value);
	if (!parsed.success) error(404, `That ${what} does not exist.`);
	return parsed.data;
}

/** Text that should be JSON (an uploaded file, a form's hidden payload); undefined when it is not. */
export function jsonOrUndefined(text: string): unknown {
	try {
		return JSON.parse(text);
	} catch {
		return undefined;
	}
}

/**
 * The request's JSON body checked against `schema`; bad input is a 400 with the first problem
 * named.
 */
export async function readJson<T extends z.ZodType>(
	request: Request,
	schema: T
): Promise<z.infer<T>> {
	if (!request.headers.get('content-type')?.includes('application/json'))
		error(415, 'Send the change as JSON.');
	const body: unknown = await request
		.json()
		.catch(() => error(400, 'That request was not valid JSON.'));
	if (holdsControlCharacter(body))
		error(400, 'That change holds a control character (an invisible character that is not text).');
	const parsed = schema.safeParse(body);
	if (!parsed.success) error(400, parsed.error.issues[0]?.message ?? 'That change is not valid.');
	return parsed.data;
}

function holdsControlCharacter(value: unknown, depth = 0): boolean {
	if (typeof value === 'string') return hasControlCharacter(value);
	if (depth > 20 || value === null || typeof value !== 'object') return false;
	return Object.entries(value).some(
		([key, item]) => hasControlCharacter(key) || holdsControlCharacter(item, depth + 1)
	);
}

/**
 * Runs an endpoint's work; a refusal the person can act on becomes a JSON answer with its message.
 */
export async function answerJson(work: () => Promise<unknown>): Promise<Response> {
	try {
		return json((await work()) ?? { ok: true });
	} catch (problem) {
		if (problem instanceof Refusal)
			return json({ ...problem.details, message: problem.message }, { status: problem.status });
		throw problem;
	}
}

/**
 * Runs a load's or endpoint's work; a refusal the person can act on becomes an HTTP error page or
 * answer.
 */
export async function orHttpError<T>(work: () => Promise<T>): Promise<T> {
	try {
		return await work();
	} catch (problem) {
		if (problem instanceof Refusal) error(problem.status, problem.message);
		throw problem;
	}
}

/**
 * Runs a form action's work; refusals and invalid fields come back to the form as `message`, with
 * whatever `alongside` adds (the values typed, so the form keeps them; a field to mark).
 */
export async function actOn<T, Alongside extends object = object>(
	work: () => Promise<T>,
	alongside?: (message: string) => Alongside
) {
	const refuse = (status: number, message: string) =>
		fail(status, { ...(alongside?.(message) as Alongside), message });
	try {
		return await work();
	} catch (problem) {
		if (problem instanceof Refusal) return refuse(problem.status, problem.message);
		if (problem instanceof z.ZodError)
			return refuse(400, problem.issues[0]?.message ?? 'Please check the form.');
		throw problem;
	}
}

/**
 * Where to send someone after signing in: only a path on this site. The value is resolved the way a
 * browser would resolve it (`new URL(value, origin)`: tabs and newlines dropped, backslashes read as
 * slashes), so `/%09/evil.example`, `//evil.example`, `/\evil.example`, `/.//evil.example` and
 * `javascript:` all fail.
 */
export function sameOriginPath(value: string | null | undefined, origin: string): string | null {
	if (!value) return null;
	let target: URL;
	try {
		target = new URL(value, origin);
	} catch {
		return null;
	}
	if (target.origin !== origin) return null;
	const path = target.pathname + target.search + target.hash;
	// Dot segments can leave a path that starts `//` (`/.//evil.example` → `//evil.example`), which
	// a browser reads as another site: what is returned must itself resolve here.
	if (new URL(path, origin).origin !== origin) return null;
	return path;
}

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Whether a state-changing request may be from this site. Browsers send `Origin` on every
 * cross-origin request that is not a GET or HEAD (and on same-origin ones too), so a different or
 * `null` Origin is refused. A request with no Origin at all did not come from another site's page
 * in any current browser (they also send `Sec-Fetch-Site`, checked as a second witness, and a
 * Referer is checked when present); it is a script or a test client, which cannot carry a
 * visitor's cookie, so it is let through to the usual session and role checks.
 */
export function isSameOriginRequest(request: Request, origin: string): boolean {
	if (!STATE_CHANGING.has(request.method)) return true;
	const sentOrigin = request.headers.get('origin');
	if (sentOrigin !== null) return sentOrigin === origin;
	const site = request.headers.get('sec-fetch-site');
	if (site !== null && site !== 'same-origin') return false;
	const referer = request.headers.get('referer');
	if (referer !== null) return sameOriginPath(referer, origin) !== null;
	return true;
}

/** C0 control characters other than tab, line feed and carriage return (which text may hold). */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL_CHARACTER = /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/;

export function hasControlCharacter(value: string): boolean {
	return CONTROL_CHARACTER.test(value);
}

const FORM_CONTENT_TYPES = [
	'multipart/form-data',
	'application/x-www-form-urlencoded',
	'text/plain'
];

function isFormContentType(request: Request): boolean {
	const type = request.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase() ?? '';
	return FORM_CONTENT_TYPES.includes(type);
}

/**
 * SvelteKit's own CSRF rule, applied here because its check is turned off in svelte.config.js
 * (it allows no exception by route): a state-changing form submission must carry this site's
 * Origin — stricter than `isSameOriginRequest`, since a form is what another site's page can send.
 */
export function isFormSubmissionFromThisSite(request: Request, origin: string): boolean {
	if (!STATE_CHANGING.has(request.method) || !isFormContentType(request)) return true;
	return request.headers.get('origin') === origin;
}

/**
 * What is wrong with a request's path, query or form body, if anything, as a status and a message
 * the person can act on. The form body is read from a copy, so the route still reads the original.
 */
export async function malformedInput(
	request: Request,
	url: URL
): Promise<{ status: number; message: string } | null> {
	let path: string;
	try {
		path = decodeURIComponent(url.pathname);
	} catch {
		return { status: 400, message: 'That address is not valid: check the link and try again.' };
	}
	if (hasControlCharacter(path) || /[\t\n\r]/.test(path))
		return { status: 400, message: 'That address holds a control character: check the link.' };
	for (const [name, value] of url.searchParams)
		if (hasControlCharacter(name) || hasControlCharacter(value))
			return {
				status: 400,
				message: 'That address holds a control character in its query: check the link.'
			};
	const contentType = request.headers.get('content-type')?.toLowerCase() ?? '';
	if (
		!STATE_CHANGING.has(request.method) ||
		!FORM_CONTENT_TYPES.some((t) => contentType.startsWith(t))
	)
		return null;
	let form: FormData;
	try {
		form = await request.clone().formData();
	} catch (problem) {
		const status = (problem as { status?: unknown })?.status;
		const causeStatus = (problem as { cause?: { status?: unknown } })?.cause?.status;
		if (status === 413 || causeStatus === 413)
			return { status: 413, message: 'That is too large to send. Make it smaller and try again.' };
		return {
			status: 400,
			message: 'That form could not be read. Reload the page and send it again.'
		};
	}
	for (const [name, value] of form)
		if (hasControlCharacter(name) || (typeof value === 'string' && hasControlCharacter(value)))
			return {
				status: 400,
				message:
					'A field holds a control character (an invisible character that is not text): remove it and try again.'
			};
	return null;
}
