import { z } from 'zod';
import { ROLES } from '../domain/states';
import { canonicalYearGroup } from '../domain/names';

const trimmed = (max: number, what: string) =>
	z
		.string({ error: `${what} is required.` })
		.trim()
		.min(1, `${what} is required.`)
		.max(max, `${what} must be at most ${max} characters.`);

export const usernameSchema = z
	.string({ error: 'Username is required.' })
	.trim()
	.toLowerCase()
	.min(3, 'Username must be at least 3 characters.')
	// Up to 100 and e-mail style ("l.chen@school.example"): the usernames MIS and OneRoster
	// exports often carry. Sign-in takes them as typed (lower-cased), up to 200 characters.
	.max(100, 'Username must be at most 100 characters.')
	.regex(
		/^[a-z0-9][a-z0-9._-]*$|^[a-z0-9][a-z0-9._+-]*@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$/,
		'Username may use letters, digits, dots, dashes and underscores only, or be an e-mail address.'
	);

export const passwordSchema = z
	.string({ error: 'Password is required.' })
	.min(8, 'Password must be at least 8 characters.')
	.max(200, 'Password must be at most 200 characters.');

export const givenNameSchema = trimmed(80, 'Given name');
export const familyNameSchema = trimmed(80, 'Family name');
export const roleSchema = z.enum(ROLES, { error: 'Role must be admin, teacher or student.' });

export const loginSchema = z.object({
	username: z
		.string()
		.trim()
		.toLowerCase()
		.min(1, 'Enter your username.')
		.max(200, 'That username is too long.'),
	password: z.string().min(1, 'Enter your password.').max(200, 'That password is too long.')
});

/** A year group from a form, in its one stored spelling ("Year 7" is stored as "7"); blank is none. */
const yearGroupSchema = z
	.string()
	.trim()
	.max(20, 'Year group must be at most 20 characters.')
	.transform(canonicalYearGroup);

export const newUserSchema = z.object({
	username: usernameSchema,
	givenName: givenNameSchema,
	familyName: familyNameSchema,
	role: roleSchema,
	yearGroup: yearGroupSchema.optional()
});
export type NewUserInput = z.infer<typeof newUserSchema>;

export const changePasswordSchema = z
	.object({
		currentPassword: z.string().min(1, 'Enter your current password.').max(200),
		newPassword: passwordSchema,
		confirmPassword: z.string()
	})
	.refine((v) => v.newPassword === v.confirmPassword, {
		message: 'The two new passwords do not match.',
		path: ['confirmPassword']
	})
	.refine((v) => v.newPassword !== v.currentPassword, {
		message: 'Choose a password different from your current one.',
		path: ['newPassword']
	});

/**
 * A database id, from a number or plain decimal digits only ("0x10", "1e3" and " 7" are not ids).
 */
export const idSchema = z
	.union(
		[
			z.number(),
			z
				.string()
				.regex(/^[1-9][0-9]{0,15}$/, 'That is not a valid id.')
				.transform(Number)
		],
		{ error: 'That is not a valid id.' }
	)
	.pipe(
		z
			.number()
			.int('That is not a valid id.')
			.positive('That is not a valid id.')
			.max(Number.MAX_SAFE_INTEGER, 'That is not a valid id.')
	);

export const classSchema = z.object({
	name: trimmed(80, 'Class name'),
	yearGroup: yearGroupSchema.optional(),
	subject: z.string().trim().max(80, 'Subject must be at most 80 characters.').optional()
});

export const schoolNameSchema = trimmed(120, 'School name');

/** The school and its first admin, as the set-up page and `npm run setup` take them. */
export const newSchoolSchema = z.object({
	schoolName: schoolNameSchema,
	username: usernameSchema,
	givenName: givenNameSchema,
	familyName: familyNameSchema
});
export type NewSchoolInput = z.infer<typeof newSchoolSchema>;

/** The set-up page: the link's token, the school, and a chosen password or a generated one. */
export const setupFormSchema = newSchoolSchema
	.extend({
		token: z
			.string({ error: 'Open the set-up link the server printed.' })
			.regex(/^[a-z2-7]{32}$/, 'This set-up link is not valid. Open the link the server printed.'),
		passwordChoice: z.enum(['own', 'generate'], {
			error: 'Choose your own password or have one generated.'
		}),
		password: z.string().max(200, 'Password must be at most 200 characters.').optional(),
		confirmPassword: z.string().max(200).optional()
	})
	.superRefine((v, ctx) => {
		if (v.passwordChoice !== 'own') return;
		const checked = passwordSchema.safeParse(v.password ?? '');
		if (!checked.success)
			ctx.addIssue({
				code: 'custom',
				path: ['password'],
				message: checked.error.issues[0]!.message
			});
		else if (v.password !== v.confirmPassword)
			ctx.addIssue({
				code: 'custom',
				path: ['confirmPassword'],
				message: 'The two passwords do not match.'
			});
	});
export type SetupFormInput = z.infer<typeof setupFormSchema>;
