import { z } from 'zod';
import {
	GOOGLE_ISSUER,
	MICROSOFT_TENANT,
	microsoftIssuer,
	parseDomains,
	PROVIDER_KINDS
} from '../domain/single-sign-on';

/** The add/edit form of a school's sign-in provider; a preset kind fills the issuer. */
export const providerFormSchema = z
	.object({
		kind: z.enum(PROVIDER_KINDS, 'Choose the kind of provider.'),
		label: z
			.string()
			.trim()
			.min(1, 'Enter the name on the sign-in button, such as “Oakwood Google”.')
			.max(60, 'Keep the button’s name under 60 characters.'),
		issuer: z.string().trim().max(300, 'That issuer address is too long.').optional().default(''),
		tenant: z.string().trim().max(100, 'That tenant is too long.').optional().default(''),
		clientId: z
			.string()
			.trim()
			.min(1, 'Enter the client ID the provider gave you.')
			.max(300, 'That client ID is too long.'),
		clientSecret: z
			.string()
			.trim()
			.max(1000, 'That client secret is too long.')
			.optional()
			.default(''),
		domains: z.string().max(2000, 'That list of domains is too long.'),
		enabled: z
			.string()
			.optional()
			.transform((v) => v === 'on')
	})
	.superRefine((form, ctx) => {
		if (form.kind === 'oidc' && !form.issuer)
			ctx.addIssue({
				code: 'custom',
				path: ['issuer'],
				message: 'Enter the provider’s issuer address.'
			});
		if (form.kind === 'microsoft' && !MICROSOFT_TENANT.test(form.tenant))
			ctx.addIssue({
				code: 'custom',
				path: ['tenant'],
				message:
					'Enter your tenant ID, a GUID such as 72f988bf-86f1-41af-91ab-2d7cd011db47 (Entra admin centre → Overview); common, organizations and consumers are not allowed.'
			});
		const domains = parseDomains(form.domains);
		if ('invalid' in domains)
			ctx.addIssue({
				code: 'custom',
				path: ['domains'],
				message: `“${domains.invalid}” is not a domain.`
			});
		else if (domains.domains.length === 0)
			ctx.addIssue({
				code: 'custom',
				path: ['domains'],
				message: 'Enter at least one e-mail domain your school’s accounts use.'
			});
	})
	.transform((form) => ({
		kind: form.kind,
		label: form.label,
		issuer:
			form.kind === 'google'
				? GOOGLE_ISSUER
				: form.kind === 'microsoft'
					? microsoftIssuer(form.tenant)
					: form.issuer,
		clientId: form.clientId,
		clientSecret: form.clientSecret,
		allowedDomains: (parseDomains(form.domains) as { domains: string[] }).domains,
		enabled: form.enabled
	}));

/** Both rules are asked every time (radio buttons), so an empty post changes nothing. */
export const signInRulesSchema = z
	.object({
		passwords: z.enum(['on', 'off'], 'Choose whether passwords stay on.'),
		outsiders: z.enum(['admit', 'refuse'], 'Choose what happens to people outside the roster.')
	})
	.transform((form) => ({
		passwordsEnabled: form.passwords === 'on',
		admitsOutsiders: form.outsiders === 'admit'
	}));
