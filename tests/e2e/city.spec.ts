import { expect, test, type Page } from '@playwright/test';
import {
	chooseOwnPassword,
	cityBadgeId,
	cityCriterionId,
	demoName,
	expectAccessible,
	freshPage,
	signIn,
	storageFor
} from './fixtures';

/**
 * The city tier (docs/CITY.md): Northbridge City's admin (`city`) sees the city's schools counted
 * and the cross-school report, never a learner; its schools adopt its criteria, templates and
 * badges; Otherton's (`city-other`) are invisible to them. Fixtures: tests/e2e/seed-extras.ts.
 */

const PHONE = { width: 360, height: 740 };
const scrollWidth = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth);

test.describe('as the city admin', () => {
	test.use({ storageState: storageFor('cityAdmin') });

	test('the city home counts the city’s schools and names no learner', async ({ page }) => {
		await page.goto('/city');
		await expect(page.getByRole('heading', { level: 1 })).toHaveText('Northbridge City');
		const schools = page.getByRole('region', { name: 'Schools in the city' });
		await expect(
			schools.getByRole('row', { name: /^Northbridge Academy \d+ \d+ \d+/ })
		).toBeVisible();
		await expect(schools.getByRole('row', { name: /^City Academy 20 1 2/ })).toBeVisible();
		await expect(page.getByRole('navigation', { name: 'Main' })).toContainText('City report');
		const text = await page.locator('main').innerText();
		for (const learner of ['student1', 'student16', 'city-ca-student1'])
			expect(text).not.toContain(learner);
		expect(text).not.toContain(demoName('student1'));
		await expectAccessible(page);
	});

	test('sets up a new school in the city, whose admin then signs in', async ({
		page,
		browser,
		baseURL
	}) => {
		const tag = Date.now().toString(36).slice(-5);
		await page.goto('/city');
		await page.getByLabel('School name').fill(`City New School ${tag}`);
		await page.getByLabel('The school admin’s username').fill(`city-new-${tag}`);
		await page.getByLabel('Given name').fill('Nia');
		await page.getByLabel('Family name').fill('Bello');
		await page.getByRole('button', { name: 'Set up the school' }).click();
		await expect(page.getByRole('status')).toContainText(`City New School ${tag} is set up`);
		const password = (await page.getByTestId('one-time-password').innerText()).trim();
		await expect(
			page.getByRole('region', { name: 'Schools in the city' }).getByRole('row', {
				name: new RegExp(`City New School ${tag} 0 0 0`)
			})
		).toBeVisible();

		const admin = await freshPage(browser, baseURL);
		await signIn(admin, `city-new-${tag}`, password);
		await chooseOwnPassword(admin, password, `a-new-password-${tag}`);
		await expect(admin).toHaveURL(/\/admin$/);
		await expect(admin.getByRole('heading', { level: 1 })).toHaveText(`City New School ${tag}`);
		await admin.context().close();
	});

	test('the report: figures with their working, small groups hidden, a CSV and a chart', async ({
		page
	}) => {
		await page.goto('/city/reports');
		await expect(page.getByRole('heading', { level: 1 })).toHaveText(
			'Fusion Skills across Northbridge City'
		);
		const table = page.getByRole('region', { name: /by school and year group/ });
		const academy = table.getByRole('row', { name: /^City Academy/ });
		await expect(academy).toContainText('fewer than 5'); // year 11: 3 learners
		await expect(academy).toContainText('withheld'); // its total would give year 11 away
		const year7 = academy.locator('summary').filter({ hasText: /^\s*12\b/ }); // year 7
		await year7.click();
		const working = academy.locator('details').filter({ hasText: /^\s*12\b/ });
		await expect(working.getByText('Formula:')).toBeVisible();
		await expect(working).toContainText('÷ 12 =');
		await expect(working.getByText('Excluded:')).toBeVisible();
		await expect(page.getByRole('img', { name: /Mean level per Fusion Skill/ })).toBeVisible();
		await page.getByText('Show as a table').click();
		await expect(page.getByRole('region', { name: 'The chart as a table' })).toBeVisible();
		await expectAccessible(page);

		const download = page.waitForEvent('download');
		await page.getByRole('link', { name: 'CSV: school × year group × skill' }).click();
		const csv = await (await download).createReadStream().then(async (stream) => {
			const chunks: Buffer[] = [];
			for await (const chunk of stream) chunks.push(chunk as Buffer);
			return Buffer.concat(chunks).toString('utf8');
		});
		expect(csv).toContain('school,year_group,skill_code,skill,learners_with_evidence');
		expect(csv).toMatch(/City Academy,11,FS-\d+,.*fewer than 5/);
		expect(csv).not.toContain('city-ca-student');
		expect(csv).not.toContain(demoName('student1'));
	});

	test('fits a 360 px phone', async ({ page }) => {
		await page.setViewportSize(PHONE);
		for (const path of [
			'/city',
			'/city/reports',
			'/city/criteria',
			'/city/templates',
			'/city/badges'
		]) {
			await page.goto(path);
			await page.waitForLoadState('networkidle');
			expect(await scrollWidth(page), path).toBeLessThanOrEqual(PHONE.width);
		}
	});

	test('is refused every school page, and a learner’s', async ({ page }) => {
		for (const path of ['/admin', '/teacher', '/student', '/teacher/criteria', '/admin/reports']) {
			const response = await page.goto(path);
			expect(response?.status(), path).toBe(403);
		}
	});

	test('writes a city criterion, which a school of the city sees in its city bank', async ({
		page,
		browser,
		baseURL
	}) => {
		const title = `City: listens well ${Date.now().toString(36).slice(-5)}`;
		await page.goto('/city/criteria/new');
		await page.getByLabel('Title').fill(title);
		await page
			.getByLabel('What it looks for')
			.fill('Listens to others and builds on what they say.');
		for (const box of await page
			.getByRole('group', { name: 'What each band looks like' })
			.getByRole('textbox')
			.all())
			await box.fill('What listening looks like at this band.');
		await page.getByRole('button', { name: 'Add to the city bank' }).click();
		await expect(page.getByRole('status')).toHaveText('Added to the city bank.');
		await expect(page.getByRole('heading', { level: 1 })).toHaveText(title);

		const teacher = await freshPage(browser, baseURL);
		await signIn(teacher, 'teacher');
		await teacher.goto('/teacher/city');
		await expect(teacher.getByRole('heading', { name: title })).toBeVisible();
		await teacher.context().close();
	});
});

test.describe('another city', () => {
	test.use({ storageState: storageFor('otherCityAdmin') });

	test('sees none of Northbridge City: not its schools, criteria, templates or badges', async ({
		page
	}) => {
		await page.goto('/city');
		await expect(page.getByRole('heading', { level: 1 })).toHaveText('Otherton');
		await expect(page.getByText('No school belongs to the city yet.')).toBeVisible();
		await page.goto('/city/criteria');
		await expect(page.getByText('Otherton: a criterion of another city')).toBeVisible();
		await expect(page.getByText('City: presents to an audience')).toHaveCount(0);
		await page.goto('/city/templates');
		await expect(page.getByText('City debate')).toHaveCount(0);
		await page.goto('/city/badges');
		await expect(page.getByText('City speaker')).toHaveCount(0);
		const response = await page.goto(
			`/city/criteria/${cityCriterionId('City: presents to an audience')}`
		);
		expect(response?.status()).toBe(404);
		await page.goto('/city/reports');
		await expect(page.getByText('No school belongs to the city yet.')).toBeVisible();
	});
});

// City Academy's own teacher and admin change its bank and badges, so the demo school's stay as
// other tests expect them.
test.describe('a teacher of a school in the city', () => {
	test.use({ storageState: { cookies: [], origins: [] } });
	test.beforeEach(async ({ page }) => signIn(page, 'city-ca-teacher'));

	test('adopts a city criterion and makes a task from a city template', async ({ page }) => {
		await page.goto('/teacher/city');
		await expect(page.getByRole('heading', { level: 1 })).toHaveText(
			'Northbridge City: criteria and task templates'
		);
		await expect(page.getByText('Otherton')).toHaveCount(0);
		const item = page.getByRole('listitem').filter({ hasText: 'City: adopt me' });
		await item.getByRole('button', { name: 'Adopt into our bank' }).click();
		await expect(item.getByRole('status')).toHaveText('Added to your school’s criteria bank.');
		await expect(item).toContainText('In your bank as');
		await expectAccessible(page);

		const template = page.getByRole('listitem').filter({ hasText: 'City debate' });
		await template.getByRole('button', { name: 'Make a draft task from it' }).click();
		await expect(page).toHaveURL(/\/teacher\/tasks\/\d+$/);
		await expect(page.getByRole('heading', { level: 1 })).toContainText('City debate');
		await expect(page.getByRole('link', { name: 'City: presents to an audience' })).toBeVisible();
	});

	test('cannot adopt another city’s criterion (it does not exist for them)', async ({ page }) => {
		await page.goto('/teacher/city');
		const response = await page.request.post('/teacher/city?/adopt', {
			form: { id: String(cityCriterionId('Otherton: a criterion of another city')) },
			headers: { origin: new URL(page.url()).origin, accept: 'application/json' }
		});
		const body = await response.json();
		expect(JSON.stringify(body)).toContain('does not exist');
		expect(body.status).toBe(404);
	});

	test('is refused the city admin’s pages', async ({ page }) => {
		await expect(page).toHaveURL(/\/teacher$/);
		for (const path of ['/city', '/city/reports', '/city/criteria']) {
			const response = await page.goto(path);
			expect(response?.status(), path).toBe(403);
		}
	});
});

test.describe('a school admin of the city', () => {
	test.use({ storageState: { cookies: [], origins: [] } });
	test.beforeEach(async ({ page }) => signIn(page, 'city-ca-admin'));

	test('adopts a city badge, issued by the school; not another city’s', async ({ page }) => {
		await page.goto('/admin/city-badges');
		const badge = page.getByRole('listitem').filter({ hasText: 'City speaker' });
		await expect(page.getByText('Otherton badge')).toHaveCount(0);
		await badge.getByRole('button', { name: 'Adopt' }).click();
		await expect(badge.getByRole('status')).toContainText('Adopted');
		await page.goto('/admin/badges');
		await expect(
			page.getByText('A badge of Northbridge City, adopted and issued by City Academy.')
		).toBeVisible();

		const response = await page.request.post('/admin/city-badges?/adopt', {
			form: { id: String(cityBadgeId('Otherton badge')) },
			headers: { origin: new URL(page.url()).origin, accept: 'application/json' }
		});
		expect((await response.json()).status).toBe(404);
	});
});

test.describe('a school outside any city', () => {
	test.use({ storageState: storageFor('otherSchoolAdmin') });

	test('is told there is no city bank', async ({ page }) => {
		await page.goto('/teacher/city');
		await expect(page.getByText('Your school does not belong to a city')).toBeVisible();
		await page.goto('/admin/city-badges');
		await expect(page.getByText('Your school does not belong to a city')).toBeVisible();
	});
});
