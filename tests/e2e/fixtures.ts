import { expect, type Browser, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { DEMO_PASSWORD, DEMO_SCHOOL, planSchool } from '../../src/lib/server/db/seed';

export { DEMO_PASSWORD };
export const AUTH_DIR = 'test-data/auth';

/** The people the browser tests act as; each has a stored session made by auth.setup.ts. */
export const PERSONAS = {
	admin: 'admin',
	teacher: 'teacher', // teaches class 1
	teacherOther: 'teacher2', // teaches class 2 only
	student: 'student1', // in class 1
	studentOther: 'student16', // in class 2
	otherSchoolAdmin: 'rs-admin' // admin of Riverside School, a second school (tests/e2e/seed-extras.ts)
} as const;
export type Persona = keyof typeof PERSONAS;

export const storageFor = (persona: Persona) => `${AUTH_DIR}/${persona}.json`;

/** Ids in the fresh demo database: rows are inserted in plan order, so ids follow it. */
const plan = planSchool(DEMO_SCHOOL);
export const demoUserId = (username: string) => plan.people.findIndex((p) => p.username === username) + 1;
export const demoName = (username: string) => {
	const person = plan.people.find((p) => p.username === username)!;
	return `${person.givenName} ${person.familyName}`;
};
export const DEMO_CLASS = { first: { id: 1, name: plan.classes[0]!.name }, second: { id: 2, name: plan.classes[1]!.name } };

/** A page in its own, signed-out browser context: a second person at another device. */
export async function freshPage(browser: Browser, baseURL: string | undefined): Promise<Page> {
	// The test runner gives new contexts the test's `use` options, signed-in storage included: clear it.
	const context = await browser.newContext({ baseURL, storageState: { cookies: [], origins: [] } });
	return context.newPage();
}

export async function signIn(page: Page, username: string, password = DEMO_PASSWORD) {
	await page.goto('/login');
	await page.getByLabel('Username').fill(username);
	await page.getByLabel('Password').fill(password);
	await page.getByRole('button', { name: 'Sign in' }).click();
	// Wait for the answer — a page other than /login, or the form's message — before the test moves on.
	// Waiting for "network idle" was not enough: a click before hydration posts the form natively,
	// and the navigation may not have begun when the wait starts (seen in CI on a loaded machine).
	await expect(async () => {
		const leftLogin = !new URL(page.url()).pathname.startsWith('/login');
		const answered = await page.getByRole('alert').isVisible();
		expect(leftLogin || answered, 'sign-in answered').toBe(true);
	}).toPass({ timeout: 20_000 });
	await page.waitForLoadState('load');
}

/** No serious or critical axe violation; the failure message lists what was found. */
export async function expectAccessible(page: Page) {
	const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
	const blocking = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
	expect(
		blocking.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
		`axe on ${page.url()}`
	).toEqual([]);
}
