import type { z } from 'zod';

/** Form fields as plain strings (files and repeated fields are read separately). */
export function formFields(form: FormData): Record<string, string> {
	const fields: Record<string, string> = {};
	for (const [key, value] of form.entries()) if (typeof value === 'string') fields[key] = value;
	return fields;
}

/** The first message per field, for showing next to each input, plus one summary line. */
export function fieldErrors(error: z.ZodError): {
	errors: Record<string, string>;
	message: string;
} {
	const errors: Record<string, string> = {};
	for (const issue of error.issues) {
		const key = issue.path.join('.') || 'form';
		errors[key] ??= issue.message;
	}
	return { errors, message: Object.values(errors)[0] ?? 'Please check the form.' };
}

/**
 * What every form action answers, as the page sees it in `form`: a success is `{ ok: true, message
 * }` (shown as a success notice), a refusal is `fail(status, { message })` (shown as an error), both
 * by `components/notices/ActionNotice.svelte` beside the form that asked. Either may carry more
 * fields the page shows: field errors and the values typed, a new password, a preview.
 */
export type ActionNotice = { ok?: boolean; message?: string };

/**
 * Actions that cannot simply be taken back (submit, release, revoke, issue) are asked once, by
 * `components/notices/ConfirmAction.svelte`: with JavaScript in a dialog, whose "Yes" button sends
 * this field; without it the action answers `askToConfirm()` and the page shows the same question
 * with that button in place of the form. The server does the action only when the field is sent.
 */
export const CONFIRM_FIELD = 'confirmed';
export const CONFIRM_VALUE = 'yes';

export function isConfirmed(form: FormData): boolean {
	return form.get(CONFIRM_FIELD) === CONFIRM_VALUE;
}

/** The answer to an action posted without its confirmation: nothing was done, ask first. */
export function askToConfirm(): { confirm: true } {
	return { confirm: true };
}
