import { expect, test } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { expectAccessible, freshPage, signIn, storageFor } from './fixtures';
import { startTestProvider, TEST_CLIENT, type TestProvider } from '../oidc-test-provider';

/**
 * Single sign-on in the browser: SSO Academy's admin adds a real OpenID provider (oidc-provider,
 * started here on loopback) on the settings page, then a learner signs in with its button, the
 * provider's own login form and back, landing signed in; signing out ends the session. Another
 * school's admin cannot open the provider's settings.
 */
const SHOTS = 'test-results/screenshots';
mkdirSync(SHOTS, { recursive: true });

let idp: TestProvider;

test.beforeAll(async ({ baseURL }) => {
	idp = await startTestProvider({
		accounts: {
			ssostudent1: { email: 'ssostudent1@sso-academy.test', email_verified: true }
		},
		redirectUris: [`${baseURL}/login/sso/callback`]
	});
});
test.afterAll(async () => {
	await idp?.close();
});

test('an admin sets up a provider; a learner signs in with it and out again', async ({
	browser,
	baseURL
}) => {
	const admin = await freshPage(browser, baseURL);
	await signIn(admin, 'ssoadmin');
	await admin.goto('/admin/sign-in');
	await expect(admin.getByText(`${baseURL}/login?school=sso-academy`)).toBeVisible();
	await admin.getByLabel('Kind of provider').selectOption('oidc');
	await admin.getByLabel('Name on the sign-in button').fill('SSO Academy account');
	await admin.getByLabel('Issuer address (another OpenID Connect provider only)').fill(idp.issuer);
	await admin.getByLabel('Client ID').fill(TEST_CLIENT.clientId);
	await admin.getByLabel('Client secret').fill(TEST_CLIENT.clientSecret);
	await admin.getByLabel('Allowed e-mail domains').fill('sso-academy.test');
	await admin.getByRole('button', { name: 'Add provider' }).click();
	await expect(admin.getByText('Added “SSO Academy account”')).toBeVisible();
	const providerLink = admin.getByRole('link', { name: 'SSO Academy account' });
	await expect(providerLink).toBeVisible();
	await expectAccessible(admin);
	await admin.screenshot({ path: `${SHOTS}/sso-sign-in-settings.png`, fullPage: true });
	const providerPath = new URL((await providerLink.getAttribute('href'))!, baseURL).pathname;

	// The demo school's admin: another school's provider is not found.
	const otherAdmin = await browser.newContext({ baseURL, storageState: storageFor('admin') });
	const refused = await otherAdmin.request.get(providerPath, { maxRedirects: 0 });
	expect(refused.status()).toBe(404);
	await otherAdmin.close();

	const learner = await freshPage(browser, baseURL);
	await learner.goto('/login?school=sso-academy');
	const button = learner.getByRole('link', { name: 'Sign in with SSO Academy account' });
	await expect(button).toBeVisible();
	await expectAccessible(learner);
	await learner.screenshot({ path: `${SHOTS}/sso-login-with-provider.png`, fullPage: true });
	await button.click();
	// The provider's own development login form (any password), then its consent screen.
	await learner.locator('input[name="login"]').fill('ssostudent1');
	await learner.locator('input[name="password"]').fill('anything');
	await learner.locator('button[type="submit"]').click();
	await learner.getByRole('button', { name: 'Continue' }).click();
	await learner.waitForURL((url) => url.pathname === '/student');
	await expect(learner.getByRole('button', { name: 'Sign out' })).toBeVisible();

	await learner.getByRole('button', { name: 'Sign out' }).click();
	await learner.waitForURL((url) => !url.pathname.startsWith('/student'));
	await learner.goto('/student');
	await expect(learner).toHaveURL(/\/login/);
	// The school is remembered: its button is there without ?school=.
	await learner.goto('/login');
	await expect(
		learner.getByRole('link', { name: 'Sign in with SSO Academy account' })
	).toBeVisible();
	// Remembered only after a sign-in through it, never from a link someone sent.
	const linked = await freshPage(browser, baseURL);
	await linked.goto('/login?school=sso-academy');
	await expect(
		linked.getByRole('link', { name: 'Sign in with SSO Academy account' })
	).toBeVisible();
	await linked.goto('/login');
	await expect(linked.getByRole('heading', { name: 'Sign in', exact: true })).toBeVisible();
	await expect(linked.getByRole('link', { name: 'Sign in with SSO Academy account' })).toHaveCount(
		0
	);
	await linked.context().close();
});
