import {
	expect,
	request as playwrightRequest,
	test,
	type APIRequestContext,
	type Browser,
	type Page
} from '@playwright/test';
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { DEMO_PASSWORD, E2E_DATABASE, expectAccessible, freshPage, signIn } from './fixtures';
import { XMOD, xmodRoundId, xmodSampleId } from './city-moderation-fixtures';

/**
 * Cross-school moderation in the browser (docs/CITY-MODERATION.md): a city admin draws a round, a
 * teacher of another school marks the pieces blind with the teachers' slider, and the city admin
 * sees the agreement per school and criterion, never a learner. Then who may open what, for the
 * people the main authorisation matrix has no persona for.
 */

const SHOTS =
	process.env.UPDATE_SCREENSHOTS === '1' ? 'docs/screenshots' : 'test-results/screenshots';
mkdirSync(SHOTS, { recursive: true });

/** Everything that would say whose work a piece of school A is. */
function schoolAIdentities(): string[] {
	const db = new Database(E2E_DATABASE, { readonly: true, fileMustExist: true });
	try {
		const people = db
			.prepare(
				`select users.username, users.given_name as g, users.family_name as f from users
				 join memberships on memberships.user_id = users.id
				 join schools on schools.id = memberships.school_id
				 where schools.slug = 'xmod-a' and memberships.role = 'student' order by users.id`
			)
			.all() as { username: string; g: string; f: string }[];
		const classes = db
			.prepare(
				`select classes.name from classes join schools on schools.id = classes.school_id where schools.slug = 'xmod-a'`
			)
			.all() as { name: string }[];
		return [
			...people.flatMap((p) => [p.username, `${p.g} ${p.f}`]),
			...classes.map((c) => c.name),
			'xmod School A',
			'self-comment',
			'teacher-comment'
		];
	} finally {
		db.close();
	}
}

async function signedInPage(browser: Browser, baseURL: string | undefined, username: string) {
	const page = await freshPage(browser, baseURL);
	await signIn(page, username);
	return page;
}

async function shoot(page: Page, name: string) {
	for (const width of [360, 1280]) {
		await page.setViewportSize({ width, height: width === 360 ? 740 : 900 });
		// No sideways scroll on a phone.
		const overflow = await page.evaluate(
			() => document.documentElement.scrollWidth - document.documentElement.clientWidth
		);
		expect(overflow, `${name} at ${width}px scrolls sideways`).toBeLessThanOrEqual(0);
		await page.screenshot({ path: `${SHOTS}/${name}-${width}.png`, fullPage: true });
	}
}

test('a city admin draws a round, a teacher of another school marks it blind, the city sees agreement', async ({
	browser,
	baseURL
}) => {
	test.setTimeout(180_000);
	const title = `xmod browser round ${Date.now()}`;
	const admin = await signedInPage(browser, baseURL, XMOD.cityAdmin);
	await admin.goto('/city/moderation');
	await expect(
		admin.getByRole('heading', { name: 'Cross-school moderation', level: 1 })
	).toBeVisible();
	await expectAccessible(admin);
	await admin.getByLabel('Title').fill(title);
	await admin.getByRole('checkbox', { name: /xmod School A/ }).check();
	await admin.getByRole('checkbox', { name: /xmod School B/ }).check();
	await admin.getByRole('checkbox', { name: /^C1\.1/ }).check();
	await admin.getByRole('checkbox', { name: /^R3\.2/ }).check();
	await admin.getByLabel('Pieces per school').fill('5');
	await admin.getByRole('checkbox', { name: 'Robin A-Second' }).check();
	await admin.getByRole('checkbox', { name: 'Robin B-Second' }).check();
	await admin.getByRole('button', { name: 'Draw the sample' }).click();
	await expect(admin.getByRole('heading', { name: title, level: 1 })).toBeVisible();
	await expect(admin.getByText('0 of 10 pieces marked')).toBeVisible();

	// The moderator of school B finds school A's five pieces from their home page.
	const moderator = await signedInPage(browser, baseURL, XMOD.moderator);
	await moderator.goto('/teacher');
	await moderator.getByRole('link', { name: /pieces? of work from other schools/ }).click();
	const round = moderator.getByRole('region', { name: title });
	const links = round.getByRole('link', { name: /^Sample [A-Z0-9]{4}$/ });
	await expect(links).toHaveCount(5);
	const hrefs = await links.evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).href));
	const secrets = schoolAIdentities();
	for (const [i, href] of hrefs.entries()) {
		await moderator.goto(href);
		await expect(moderator.getByRole('heading', { name: /^Sample / })).toBeVisible();
		// Blind: nothing on the page or in its data says whose work it is, or what it was given.
		const html = await moderator.content();
		const data = await (
			await moderator.request.get(`${new URL(href).pathname}/__data.json`)
		).text();
		for (const secret of secrets) {
			expect(html, `page shows ${secret}`).not.toContain(secret);
			expect(data, `page data carries ${secret}`).not.toContain(secret);
		}
		await expect(moderator.getByText('We pitched a recycling scheme.')).toBeVisible();
		if (i === 0) {
			await expectAccessible(moderator);
			await shoot(moderator, 'city-moderation-blind-marking');
			await moderator.setViewportSize({ width: 1280, height: 900 });
		}
		// The same slider teachers mark with: Page Up moves a band from the middle.
		for (const slider of await moderator.getByRole('slider').all()) {
			await slider.focus();
			await slider.press(i % 2 === 0 ? 'PageUp' : 'PageDown');
		}
		await moderator.getByRole('button', { name: 'Save my marks' }).click();
		await expect(moderator.getByText('Marks saved: this piece is marked.')).toBeVisible();
	}
	await moderator.goto('/teacher/city-moderation');
	await expect(round.getByText('✓ marked')).toHaveCount(5);

	// School A's teacher is not a moderator of their own school's pieces.
	const own = await signedInPage(browser, baseURL, XMOD.schoolATeacher);
	expect((await own.goto(hrefs[0]!))!.status()).toBe(404);

	// The city admin sees school A's agreement (5 pieces), school B's not yet marked; no learner.
	await admin.reload();
	await expect(admin.getByText('5 of 10 pieces marked')).toBeVisible();
	const schoolA = admin.getByRole('row', { name: /xmod School A/ });
	await expect(schoolA.locator('summary')).toHaveCount(2);
	await schoolA.locator('summary').first().click();
	await expect(schoolA.getByText('Pieces compared').first()).toBeVisible();
	await expect(schoolA.getByText('of 5 pieces placed in the same band').first()).toBeVisible();
	await expect(
		admin.getByRole('row', { name: /xmod School B/ }).getByText('not marked yet')
	).toHaveCount(2);
	const cityHtml = await admin.content();
	// The city sees schools by name, never a learner, a class, a piece's code or words from the work.
	for (const secret of [...secrets.filter((x) => x !== 'xmod School A'), 'recycling', 'Sample '])
		expect(cityHtml).not.toContain(secret);
	await expectAccessible(admin);
	await shoot(admin, 'city-moderation-round');

	// School A's admin sees their own school's results.
	const schoolAdmin = await signedInPage(browser, baseURL, XMOD.schoolAAdmin);
	await schoolAdmin.goto('/admin/city-moderation');
	await expect(schoolAdmin.getByRole('heading', { name: title })).toBeVisible();
	await expect(schoolAdmin.getByRole('row', { name: /xmod School B/ })).toHaveCount(0);
	for (const page of [admin, moderator, own, schoolAdmin]) await page.context().close();
});

/** The city-moderation routes for the people the main matrix has no persona for. */
test('who may open and use cross-school moderation', async ({ baseURL }) => {
	const roundId = xmodRoundId();
	const sample = xmodSampleId(XMOD.moderator);
	const routes: { what: string; method: 'GET' | 'POST'; url: string; allow: string[] }[] = [
		{
			what: 'rounds',
			method: 'GET',
			url: '/city/moderation',
			allow: [XMOD.cityAdmin, XMOD.farCityAdmin]
		},
		{ what: 'round', method: 'GET', url: `/city/moderation/${roundId}`, allow: [XMOD.cityAdmin] },
		{
			what: 'close',
			method: 'POST',
			url: `/city/moderation/${roundId}?/close`,
			allow: [XMOD.cityAdmin]
		},
		{
			what: 'draw',
			method: 'POST',
			url: '/city/moderation?/draw',
			allow: [XMOD.cityAdmin, XMOD.farCityAdmin]
		},
		{
			what: 'to mark',
			method: 'GET',
			url: '/teacher/city-moderation',
			allow: [
				XMOD.moderator,
				XMOD.moderatorA,
				XMOD.schoolATeacher,
				XMOD.farTeacher,
				XMOD.schoolAAdmin
			]
		},
		{
			what: 'sample',
			method: 'GET',
			url: `/teacher/city-moderation/${sample}`,
			allow: [XMOD.moderator]
		},
		{
			what: 'save',
			method: 'POST',
			url: `/teacher/city-moderation/${sample}?/save`,
			allow: [XMOD.moderator]
		},
		{
			what: 'school results',
			method: 'GET',
			url: '/admin/city-moderation',
			allow: [XMOD.schoolAAdmin]
		}
	];
	const people = [
		XMOD.cityAdmin,
		XMOD.farCityAdmin,
		XMOD.moderator,
		XMOD.moderatorA,
		XMOD.schoolATeacher,
		XMOD.schoolAAdmin,
		XMOD.schoolALearner,
		XMOD.farTeacher
	];
	const problems: string[] = [];
	for (const who of people) {
		const context: APIRequestContext = await playwrightRequest.newContext({
			baseURL,
			extraHTTPHeaders: { origin: baseURL!, accept: 'text/html' }
		});
		const login = await context.post('/login', {
			form: { username: who, password: DEMO_PASSWORD },
			maxRedirects: 0
		});
		expect(login.status(), `sign in as ${who}`).toBe(303);
		for (const route of routes) {
			const response =
				route.method === 'GET'
					? await context.get(route.url, { maxRedirects: 0 })
					: await context.post(route.url, { form: {}, maxRedirects: 0 });
			const status = response.status();
			const refused = status === 403 || status === 404;
			const allowed = route.allow.includes(who);
			// An allowed action posted empty is refused as a form (400, or asked to confirm), not as access.
			if (allowed && (refused || status >= 500))
				problems.push(`${route.what} as ${who}: ${status}`);
			if (!allowed && !refused)
				problems.push(`${route.what} as ${who}: expected refused, got ${status}`);
		}
		await context.dispose();
	}
	expect(problems).toEqual([]);
});
