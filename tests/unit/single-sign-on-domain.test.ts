import { describe, expect, it } from 'vitest';
import { MICROSOFT_TENANT, verifiedEmailOf } from '../../src/lib/domain/single-sign-on';

describe('which e-mail an ID token vouches for', () => {
	it('Google: a verified address of a Workspace account only (hd), never a consumer account', () => {
		const claims = { email: 'Amira@Oakwood.sch.uk', email_verified: true };
		expect(verifiedEmailOf('google', claims, null)).toBeNull();
		expect(verifiedEmailOf('google', { ...claims, hd: '' }, null)).toBeNull();
		expect(verifiedEmailOf('google', { ...claims, hd: 'oakwood.sch.uk' }, null)).toBe(
			'amira@oakwood.sch.uk'
		);
		expect(
			verifiedEmailOf('google', { ...claims, email_verified: false, hd: 'oakwood.sch.uk' }, null)
		).toBeNull();
	});

	it('another provider: a verified address', () => {
		expect(verifiedEmailOf('oidc', { email: 'a@b.test', email_verified: true }, null)).toBe(
			'a@b.test'
		);
		expect(verifiedEmailOf('oidc', { email: 'a@b.test' }, null)).toBeNull();
	});

	it('Microsoft: only the school’s tenant; its email only when the domain owner verified it', () => {
		const tenant = '11111111-2222-3333-4444-555555555555';
		const base = { tid: tenant, preferred_username: 'Amira@Oakwood.sch.uk', email: 'x@evil.test' };
		expect(verifiedEmailOf('microsoft', base, tenant)).toBe('amira@oakwood.sch.uk');
		expect(verifiedEmailOf('microsoft', { ...base, xms_edov: true }, tenant)).toBe('x@evil.test');
		expect(verifiedEmailOf('microsoft', { ...base, tid: 'another' }, tenant)).toBeNull();
		expect(verifiedEmailOf('microsoft', base, null)).toBeNull();
	});

	it('a Microsoft tenant is its ID (a GUID), never a domain or a multi-tenant name', () => {
		expect(MICROSOFT_TENANT.test('72f988bf-86f1-41af-91ab-2d7cd011db47')).toBe(true);
		for (const tenant of ['oakwood.onmicrosoft.com', 'common', 'organizations', 'consumers'])
			expect(MICROSOFT_TENANT.test(tenant), tenant).toBe(false);
	});
});
