import { expect, test, type Page } from '@playwright/test';
import {
	classId,
	DEMO_CLASS,
	expectAccessible,
	liveSessionId,
	peerReviewId,
	signIn,
	storageFor,
	taskId
} from './fixtures';

/**
 * The home pages say what to do, and every link goes where the person acts on it. Read only:
 * the figures change as other specs work on the shared database, so exact counts are the unit
 * tests' (tests/unit/home-figures.test.ts); here each to-do is shown, points at the right screen,
 * and nothing of another class or school appears. "Home: live now", home1 and "Home: class without
 * a teacher" are this spec's own fixtures (tests/e2e/seed-extras.ts).
 */

/** The link's target path, and that following it opens that page (not an error). */
async function follows(page: Page, name: string | RegExp, path: string | RegExp) {
	const link = page.getByRole('link', { name }).first();
	await expect(link).toHaveAttribute('href', path);
	await link.click();
	await expect(page).toHaveURL((url) => {
		const where = url.pathname + url.search;
		return typeof path === 'string' ? where === path : path.test(where);
	});
	await expect(page.getByRole('heading', { level: 1 })).not.toHaveText(/not found|access/i);
}

test.describe('the student home', () => {
	test.use({ storageState: storageFor('student'), viewport: { width: 360, height: 740 } });

	test('lists open tasks with their state in words, reviews to do, a live session to join', async ({
		page
	}) => {
		await page.goto('/student');
		const tasks = page.getByRole('region', { name: 'Your tasks' });
		await expect(tasks.getByRole('link', { name: 'Enterprise project' })).toBeVisible();
		for (const item of await tasks.getByRole('listitem').all())
			await expect(item).toContainText(/Not started|In progress|Submitted/);

		const reviews = page.getByRole('region', { name: /Peer reviews to do \((\d+)\)/ });
		const heading = await reviews.getByRole('heading').textContent();
		const count = Number(/\((\d+)\)/.exec(heading!)![1]);
		await expect(reviews.getByRole('link')).toHaveCount(count);

		const live = page.getByRole('region', { name: 'Live in class now' });
		await expect(live.getByRole('link', { name: 'Join “Home: live now”' })).toBeVisible();
		await expect(page.getByRole('region', { name: 'New results' })).toBeVisible();
		expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
			360
		);
		await expectAccessible(page);

		// Nothing of class 2 or the other school.
		for (const other of [
			'Slider placement',
			'Bridge building',
			DEMO_CLASS.second.name,
			'Riverside'
		])
			await expect(page.getByText(other)).toHaveCount(0);

		await follows(
			page,
			'Join “Home: live now”',
			`/student/live/${liveSessionId('Home: live now')}`
		);
		await page.goto('/student');
		await follows(page, 'Enterprise project', `/student/tasks/${taskId('Enterprise project')}`);
	});

	test('links each review waiting and each new result to where the learner does it', async ({
		browser,
		baseURL
	}) => {
		// student19 (class 2, read only): a review of student22's work to do, two results released.
		const page = await (
			await browser.newContext({ baseURL, storageState: { cookies: [], origins: [] } })
		).newPage();
		await signIn(page, 'student19');
		await page.goto('/student');
		const review = peerReviewId('Bridge building', 'student19', 'student22');
		const reviews = page.getByRole('region', { name: /Peer reviews to do/ });
		await expect(reviews.locator(`a[href="/student/reviews/${review}"]`)).toContainText(
			'Bridge building'
		);
		const results = page.getByRole('region', { name: 'New results' });
		await expect(
			results.getByRole('link', { name: 'See your results for “Water filter”' })
		).toBeVisible();
		await follows(
			page,
			'See your results for “Water filter”',
			`/student/tasks/${taskId('Water filter')}`
		);
		await page.goto('/student');
		await follows(page, /Bridge building/, `/student/reviews/${review}`);
		// Class 1's live session and tasks are not theirs.
		await page.goto('/student');
		await expect(page.getByText('Home: live now')).toHaveCount(0);
		await expect(page.getByText('Enterprise project')).toHaveCount(0);
	});
});

test.describe('the teacher home', () => {
	test.use({ storageState: storageFor('teacher'), viewport: { width: 1366, height: 768 } });

	test('per class: ready to mark, peer reviews, flagged gaps and the live session, each linked', async ({
		page
	}) => {
		await page.goto('/teacher');
		const card = page.getByRole('listitem').filter({
			has: page.getByRole('heading', { name: DEMO_CLASS.first.name })
		});
		await expect(card.getByRole('heading', { name: /^Ready to mark: \d+$/ })).toBeVisible();
		await expect(
			card.getByRole('link', { name: /Peer review practice: \d+ of \d+ done/ })
		).toHaveAttribute('href', `/teacher/tasks/${taskId('Peer review practice')}/peers`);
		await expect(
			card.getByRole('link', { name: /^Enterprise project: \d+ learners? more than a band apart/ })
		).toHaveAttribute('href', `/teacher/tasks/${taskId('Enterprise project')}/moderation`);
		const toMark = card.getByRole('link', { name: /submissions? to mark$/ }).first();
		await expect(toMark).toHaveAttribute('href', /^\/teacher\/tasks\/\d+\/marking$/);
		await expectAccessible(page);

		// Nothing of class 2 or the other school.
		for (const other of [
			'Slider placement',
			'Bridge building',
			DEMO_CLASS.second.name,
			'Riverside'
		])
			await expect(page.getByText(other)).toHaveCount(0);

		await follows(
			page,
			/^Open now: Home: live now/,
			`/teacher/live/${liveSessionId('Home: live now')}`
		);
		await page.goto('/teacher');
		await follows(page, /submissions? to mark$/, /^\/teacher\/tasks\/\d+\/marking$/);
		await expect(page.getByRole('row').filter({ hasText: 'Self-assessed' }).first()).toBeVisible();
		await page.goto('/teacher');
		await follows(
			page,
			/^Enterprise project: \d+ learners? more than a band apart/,
			`/teacher/tasks/${taskId('Enterprise project')}/moderation`
		);
		await page.goto('/teacher');
		await follows(
			page,
			/Peer review practice: \d+ of \d+ done/,
			`/teacher/tasks/${taskId('Peer review practice')}/peers`
		);
	});
});

test.describe('the admin home', () => {
	test.use({ storageState: storageFor('admin'), viewport: { width: 1440, height: 900 } });

	test('lists the school’s to-dos with a count and a link to the list to act on', async ({
		page
	}) => {
		await page.goto('/admin');
		const toDo = page.getByRole('region', { name: 'To do' });
		await expect(toDo.getByRole('link', { name: 'Home: class without a teacher' })).toHaveAttribute(
			'href',
			`/admin/classes/${classId('Home: class without a teacher')}`
		);
		await expect(toDo.getByText(/\d+ export(s)? ready to download/)).toBeVisible();
		await expectAccessible(page);
		// The other school's classes and people are not this school's to-dos.
		await expect(page.getByText('Riverside')).toHaveCount(0);

		const noClass = toDo.getByRole('link', { name: /^\d+ students? in no class$/ });
		const shown = Number(/^\d+/.exec((await noClass.textContent())!.trim())![0]);
		await follows(page, /^\d+ students? in no class$/, '/admin/people?role=student&show=no-class');
		// The list the link opens holds as many people as the figure said (home1 among them).
		await expect(page.getByRole('heading', { name: /^\d+ (person|people)$/ })).toHaveText(
			`${shown} ${shown === 1 ? 'person' : 'people'}`
		);
		await expect(page.getByRole('link', { name: 'Newcomer, Hana' })).toBeVisible();

		await page.goto('/admin');
		await follows(page, /still to change a first password$/, '/admin/people?show=first-password');
		await expect(page.getByRole('link', { name: 'Newcomer, Hana' })).toBeVisible();
		await page.goto('/admin');
		await follows(
			page,
			'Home: class without a teacher',
			`/admin/classes/${classId('Home: class without a teacher')}`
		);
	});
});
