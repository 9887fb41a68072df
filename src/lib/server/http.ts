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
	const parsed = schema.safeParse(body);
	if (!parsed.success) error(400, parsed.error.issues[0]?.message ?? 'That change is not valid.');
	return parsed.data;
}

/**
 * Runs an endpoint's work; a refusal the person can act on becomes a JSON answer with its message.
 */
export async function answerJson(work: () => Promise<unknown>): Promise<Response> {
	try {
		return json((await work()) ?? { ok: true });
	} catch (problem) {
		if (problem instanceof Refusal)
			return json({ message: problem.message }, { status: problem.status });
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
