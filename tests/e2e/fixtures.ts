import { expect, type Browser, type Locator, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import Database from 'better-sqlite3';
import {
	DEMO_PASSWORD,
	DEMO_SCHOOL,
	DEMO_SCHOOL_SLUG,
	planSchool
} from '../../src/lib/server/db/seed';

export { DEMO_PASSWORD };
export const AUTH_DIR = 'test-data/auth';

/** The people the browser tests act as; each has a stored session made by auth.setup.ts. */
export const PERSONAS = {
	admin: 'admin',
	teacher: 'teacher', // teaches class 1
	teacherOther: 'teacher2', // teaches class 2 only
	student: 'student1', // in class 1
	studentOther: 'student16', // in class 2
	otherSchoolAdmin: 'rs-admin', // admin of Riverside School, a second school (tests/e2e/seed-extras.ts)
	cityAdmin: 'city', // admin of Northbridge City, the demo school's city (the seed); in no school
	otherCityAdmin: 'city-other' // admin of Otherton, another city (tests/e2e/seed-extras.ts)
} as const;
export type Persona = keyof typeof PERSONAS;

export const storageFor = (persona: Persona) => `${AUTH_DIR}/${persona}.json`;

/**
 * The browser tests' database: made afresh by scripts/e2e-server.mjs, with
 * tests/e2e/seed-extras.ts's fixtures.
 */
export const E2E_DATABASE = process.env.DATABASE_PATH || 'test-data/e2e.db';

let e2eDatabase: Database.Database | undefined;
/**
 * Fixtures are found by what a person calls them (a task's title, a username), never by a
 * remembered id, so adding a row to the seed cannot point a test at the wrong thing. Read-only,
 * straight from the database: the web server (started before test files load) has made it. Rows the
 * tests themselves add come later, so the earliest row with a name is the seed's.
 */
function idOf(what: string, sql: string, ...params: (string | number)[]): number {
	e2eDatabase ??= new Database(E2E_DATABASE, { readonly: true, fileMustExist: true });
	const row = e2eDatabase.prepare(sql).get(...params) as { id: number } | undefined;
	if (!row)
		throw new Error(`No ${what} in ${E2E_DATABASE} (is it the one scripts/e2e-server.mjs seeded?)`);
	return row.id;
}
const IN_DEMO_SCHOOL = `school_id = (select id from schools where slug = '${DEMO_SCHOOL_SLUG}')`;

export const demoUserId = (username: string) =>
	idOf(`user ${username}`, 'select id from users where username = ?', username);
export const classId = (name: string) =>
	idOf(
		`class “${name}”`,
		`select id from classes where name = ? and ${IN_DEMO_SCHOOL} order by id limit 1`,
		name
	);
export const taskId = (title: string) =>
	idOf(
		`task “${title}”`,
		`select tasks.id from tasks join classes on classes.id = tasks.class_id where tasks.title = ? and classes.${IN_DEMO_SCHOOL} order by tasks.id limit 1`,
		title
	);
/** The demo school's starter criterion with this code (first version). */
export const criterionId = (code: string) =>
	idOf(
		`criterion ${code}`,
		`select id from criteria where code = ? and ${IN_DEMO_SCHOOL} order by id limit 1`,
		code
	);
/** The current version of a city's criterion, template or badge, by its title (seed-extras). */
export const cityCriterionId = (title: string) =>
	idOf(
		`city criterion “${title}”`,
		'select id from city_criteria where title = ? order by id desc limit 1',
		title
	);
export const cityTemplateId = (title: string) =>
	idOf(
		`city template “${title}”`,
		'select id from city_task_templates where title = ? order by id desc limit 1',
		title
	);
export const cityBadgeId = (name: string) =>
	idOf(
		`city badge “${name}”`,
		'select id from city_badges where name = ? order by id desc limit 1',
		name
	);

/** A learner's piece of evidence on a task, by its title. */
export const evidenceId = (taskTitle: string, learner: string, title: string) =>
	idOf(
		`evidence “${title}” of ${learner}`,
		'select evidence.id from evidence join submissions on submissions.id = evidence.submission_id join users on users.id = submissions.learner_id where submissions.task_id = ? and users.username = ? and evidence.title = ? order by evidence.id limit 1',
		taskId(taskTitle),
		learner,
		title
	);
/** Who reviews whom on a task: the reviewer's allocation of the reviewee's work. */
export const peerReviewId = (taskTitle: string, reviewer: string, reviewee: string) =>
	idOf(
		`review of ${reviewee} by ${reviewer}`,
		'select peer_allocations.id from peer_allocations join submissions on submissions.id = peer_allocations.submission_id where peer_allocations.task_id = ? and peer_allocations.reviewer_id = ? and submissions.learner_id = ? order by peer_allocations.id limit 1',
		taskId(taskTitle),
		demoUserId(reviewer),
		demoUserId(reviewee)
	);
/** A live session, by the title of the exemplar it shows. */
export const liveSessionId = (exemplarTitle: string) =>
	idOf(
		`live session “${exemplarTitle}”`,
		`select live_sessions.id from live_sessions join classes on classes.id = live_sessions.class_id where exemplar_title = ? and classes.${IN_DEMO_SCHOOL} order by live_sessions.id limit 1`,
		exemplarTitle
	);

/** The public identifier of a learner's first badge award (idOf reads it as the row's "id"). */
export const awardIdentifier = (username: string) =>
	String(
		idOf(
			`badge award of ${username}`,
			'select identifier as id from badge_awards where learner_id = ? order by badge_awards.rowid limit 1',
			demoUserId(username)
		)
	);

const plan = planSchool(DEMO_SCHOOL);
export const demoName = (username: string) => {
	const person = plan.people.find((p) => p.username === username)!;
	return `${person.givenName} ${person.familyName}`;
};
const demoClass = (name: string) => ({
	name,
	get id() {
		return classId(name);
	}
});
export const DEMO_CLASS = {
	first: demoClass(plan.classes[0]!.name),
	second: demoClass(plan.classes[1]!.name)
};

/** A page in its own, signed-out browser context: a second person at another device. */
export async function freshPage(browser: Browser, baseURL: string | undefined): Promise<Page> {
	// The test runner gives new contexts the test's `use` options, signed-in storage included: clear
	// it.
	const context = await browser.newContext({ baseURL, storageState: { cookies: [], origins: [] } });
	return context.newPage();
}

export async function signIn(page: Page, username: string, password = DEMO_PASSWORD) {
	await page.goto('/login');
	await page.getByLabel('Username').fill(username);
	await page.getByLabel('Password').fill(password);
	await page.getByRole('button', { name: 'Sign in' }).click();
	// Wait for the answer — a page other than /login, or the form's message — before the test moves
	// on. Waiting for "network idle" was not enough: a click before hydration posts the form natively,
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
	const results = await new AxeBuilder({ page })
		.withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
		.analyze();
	const blocking = results.violations.filter(
		(v) => v.impact === 'serious' || v.impact === 'critical'
	);
	expect(
		blocking.map(
			(v) =>
				`${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`
		),
		`axe on ${page.url()}`
	).toEqual([]);
}

/**
 * An account whose password someone else set is sent to /account at first sign-in: check the
 * reason is shown, choose `newPassword`, and continue to the home page.
 */
export async function chooseOwnPassword(page: Page, oneTimePassword: string, newPassword: string) {
	await expect(page).toHaveURL(/\/account$/);
	await expect(page.getByRole('alert')).toHaveText(
		'Your password was set by someone else; choose your own to continue.'
	);
	await page.getByLabel('Current password').fill(oneTimePassword);
	await page.getByLabel('New password', { exact: true }).fill(newPassword);
	await page.getByLabel('New password again').fill(newPassword);
	await page.getByRole('button', { name: 'Change password' }).click();
	await expect(page.getByRole('status')).toHaveText('Your password has been changed.');
	await page.getByRole('link', { name: 'Continue to your home page' }).click();
}

/**
 * Moves a slider to the top of its scale with the keyboard (End) and waits until it is there. A
 * key pressed while a slow machine is still hydrating the page can be lost (seen in CI under load:
 * the learner's submit then found a criterion unplaced), so the key is pressed again until the
 * slider says it moved; End is the same press however many times it lands.
 */
export async function placeSliderAtTop(page: Page, slider: Locator) {
	await expect(async () => {
		await slider.focus();
		await page.keyboard.press('End');
		await expect(slider).toHaveValue('100', { timeout: 1_000 });
	}).toPass({ timeout: 20_000 });
}
