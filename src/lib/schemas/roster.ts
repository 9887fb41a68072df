import { z } from 'zod';

/** A roster handout (sign-in slips of an import) is named by a random UUID. */
export const handoutIdSchema = z.uuid();

export const forgetHandoutSchema = z.object({
	handout: z.uuid('Those sign-in slips were not found.')
});

/** What the admin chose after the preview: everything (no problems), or only the good rows. */
export const importChoiceSchema = z.discriminatedUnion('choice', [
	z.object({ choice: z.literal('all') }),
	z.object({
		choice: z.literal('good-rows'),
		problemRowsSeen: z.coerce.number().int().min(0).max(1_000_000)
	})
]);

/**
 * The org of a OneRoster bundle the admin says is their school (a sourcedId from its orgs.csv), or
 * nothing: the school's stored org, or the bundle's only school, is used then.
 */
export const orgChoiceSchema = z
	.string()
	.trim()
	.max(255, 'That school is not in the bundle.')
	.optional()
	.transform((v) => v || null);

/** Where the slips send people to sign in: this server's sign-in page, as it is reached. */
export const signInUrl = (url: URL) => new URL('/login', url.origin).href;
