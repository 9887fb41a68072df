/**
 * The rules of single sign-on that need no I/O: which issuer a preset means, which e-mail address
 * an ID token vouches for, and whether its domain is one the school allows (docs/SIGN-IN.md).
 */

export const PROVIDER_KINDS = ['google', 'microsoft', 'oidc'] as const;
export type ProviderKind = (typeof PROVIDER_KINDS)[number];

export const PROVIDER_KIND_LABEL: Record<ProviderKind, string> = {
	google: 'Google Workspace',
	microsoft: 'Microsoft Entra ID',
	oidc: 'Another OpenID Connect provider'
};

export const GOOGLE_ISSUER = 'https://accounts.google.com';

/**
 * Microsoft's issuer for one tenant. A multi-tenant endpoint (`common`, `organizations`,
 * `consumers`) is refused: any Entra tenant could then sign in, and the e-mail addresses of
 * another tenant are whatever its admins typed.
 */
export function microsoftIssuer(tenant: string): string {
	return `https://login.microsoftonline.com/${tenant}/v2.0`;
}
/**
 * A tenant ID (a GUID) only: Microsoft's discovery for a tenant named by its domain names the
 * tenant's GUID as issuer, which openid-client (rightly) refuses as another issuer, and the ID
 * token's `tid` is the GUID too.
 */
export const MICROSOFT_TENANT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The tenant a Microsoft issuer names, or null when it is not a single-tenant Microsoft issuer. */
export function microsoftTenantOf(issuer: string): string | null {
	const match = /^https:\/\/login\.microsoftonline\.com\/([^/]+)\/v2\.0$/.exec(issuer);
	const tenant = match?.[1];
	return tenant && MICROSOFT_TENANT.test(tenant) ? tenant : null;
}

const DOMAIN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

/** Domains typed one per line or separated by commas/spaces; a leading `@` is allowed. */
export function parseDomains(text: string): { domains: string[] } | { invalid: string } {
	const domains = [
		...new Set(
			text
				.split(/[\s,;]+/)
				.map((d) => d.trim().toLowerCase().replace(/^@/, ''))
				.filter(Boolean)
		)
	];
	const invalid = domains.find((d) => !DOMAIN.test(d));
	return invalid === undefined ? { domains } : { invalid };
}

export function domainOf(email: string): string {
	return email.slice(email.lastIndexOf('@') + 1).toLowerCase();
}

/** Exact domains only: `school.org` does not admit `pupils.school.org` unless it is listed too. */
export function domainAllowed(email: string, allowed: readonly string[]): boolean {
	return allowed.includes(domainOf(email));
}

export type IdTokenClaims = Record<string, unknown>;

/**
 * The e-mail address the provider vouches for, or null when it vouches for none.
 * - Google and any OpenID Connect provider: `email` with `email_verified: true`; for Google, only
 *   from a Workspace account (the `hd` claim).
 * - Microsoft Entra ID sends no `email_verified`, and its `email` claim is editable by a tenant's
 *   admins: it counts only with the optional `xms_edov` claim true (the domain owner verified it).
 *   Otherwise `preferred_username`, the sign-in name (UPN) in this tenant, whose domain Entra only
 *   allows among the tenant's verified domains; the issuer is pinned to the school's one tenant
 *   (and `tid` checked), so it is the school's own directory speaking.
 */
export function verifiedEmailOf(
	kind: ProviderKind,
	claims: IdTokenClaims,
	tenant: string | null
): string | null {
	const email = typeof claims.email === 'string' ? claims.email : null;
	if (kind === 'microsoft') {
		if (tenant === null || claims.tid !== tenant) return null;
		if (email && claims.xms_edov === true) return normaliseEmail(email);
		const upn = claims.preferred_username;
		return typeof upn === 'string' && upn.includes('@') ? normaliseEmail(upn) : null;
	}
	// A Google address counts only from a Workspace account (`hd`, its hosted domain): a consumer
	// Google account made on a school address stays "verified" after the school's mailbox is
	// deleted or given to someone else, so its old owner could sign in as the new one.
	if (kind === 'google' && (typeof claims.hd !== 'string' || claims.hd === '')) return null;
	return email && claims.email_verified === true ? normaliseEmail(email) : null;
}

function normaliseEmail(email: string): string | null {
	const trimmed = email.trim().toLowerCase();
	return /^[^\s@]+@[^\s@]+$/.test(trimmed) ? trimmed : null;
}

/** Why a single sign-on was refused, as the login page explains it (`?refused=`). */
export const SIGN_IN_REFUSALS = {
	'no-attempt':
		'That sign-in link has already been used or has expired. Choose your school’s sign-in button again.',
	'provider-said-no': 'Your school’s sign-in service did not sign you in. Try again.',
	'token-invalid':
		'Your school’s sign-in service sent an answer that failed its security checks, so you were not signed in. Try again; if it keeps happening, tell your school’s admin.',
	unverified:
		'Your school’s sign-in service did not confirm your e-mail address, so you were not signed in. Ask your school’s admin.',
	'wrong-domain':
		'That account’s e-mail address is not one this school signs in with. Sign in with your school account.',
	'not-on-roster':
		'That account is not on this school’s roster, so you were not signed in. Ask your school’s admin to add you.',
	ambiguous:
		'More than one account at this school has that e-mail address, so you were not signed in. Ask your school’s admin.',
	deactivated: 'That account is deactivated. Ask your school’s admin.',
	awaiting:
		'Your account is waiting for an admin of your school to approve it. You can sign in once they have.',
	unavailable:
		'That sign-in service is not available at the moment. Try again later, or ask your school’s admin.'
} as const;
export type SignInRefusal = keyof typeof SIGN_IN_REFUSALS;

export function isSignInRefusal(value: string | null): value is SignInRefusal {
	return value !== null && Object.hasOwn(SIGN_IN_REFUSALS, value);
}
