import { expect, test, type Page } from '@playwright/test';
import { FUSION_SKILLS, shortestSkillTitle } from '../../src/lib/domain/frameworks';
import {
	awardIdentifier,
	DEMO_CLASS,
	demoUserId,
	expectAccessible,
	liveSessionId,
	peerReviewId,
	signIn,
	storageFor,
	taskId
} from './fixtures';
import { MATRIX } from './matrix';
import { discoverRoutes } from './routes';

/**
 * Screens that fit the people who use them: a child's phone (360 px) never scrolls sideways, and a
 * teacher's laptop (1366 px) shows the class's twelve skills at once. student19 is seed-extras'
 * learner with something on every student page (class 2, read only here); student23's released
 * Science fair gives every column of class 2's overview words.
 */
const LEARNER = 'student19';
const PHONE = { width: 360, height: 740 };

/** Where student19 finds each page a student may open; a new student page must be added here. */
const STUDENT_PAGES: Record<string, string> = {
	'/': '/',
	'/login': '/login',
	'/login/card': '/login/card',
	// An unknown card's answer; a live card's confirm page is measured in sign-in-cards.spec.ts.
	'/login/card/[token]': '/login/card/no-such-card',
	'/logout': '/logout',
	'/account': '/account',
	'/notifications': '/notifications',
	'/student': '/student',
	'/student/tasks/[taskId]': `/student/tasks/${taskId('Bridge building')}`,
	'/student/reviews': '/student/reviews',
	'/student/reviews/[allocationId]': `/student/reviews/${peerReviewId('Bridge building', LEARNER, 'student22')}`,
	'/student/live': '/student/live',
	'/join': '/join',
	'/student/live/[sessionId]': `/student/live/${liveSessionId('Bridge exemplar')}`,
	'/student/badges': '/student/badges',
	'/badges/awards/[identifier]': `/badges/awards/${awardIdentifier(LEARNER)}`,
	'/profile/[learnerId]': `/profile/${demoUserId(LEARNER)}`,
	'/profile/[learnerId]/report': `/profile/${demoUserId(LEARNER)}/report`
};

async function open(page: Page, path: string) {
	await page.goto(path);
	// Charts are drawn after hydration: wait for them before measuring.
	await page.waitForLoadState('networkidle');
}

const scrollWidth = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth);

test('no page a student can open scrolls sideways on a 360 px phone', async ({
	browser,
	baseURL
}) => {
	// Every page the authorisation matrix lets a student open, read from src/routes.
	const studentPages = discoverRoutes()
		.filter((r) => r.kind === 'page' && MATRIX[`page GET ${r.id}`]?.allow.includes('student'))
		.map((r) => r.id)
		.sort();
	expect(Object.keys(STUDENT_PAGES).sort(), 'student pages with a URL in this test').toEqual(
		studentPages
	);

	const context = await browser.newContext({
		baseURL,
		viewport: PHONE,
		hasTouch: true,
		isMobile: true,
		storageState: { cookies: [], origins: [] }
	});
	const page = await context.newPage();
	await open(page, '/login');
	const widths: Record<string, number> = { 'signed out /login': await scrollWidth(page) };
	await signIn(page, LEARNER);
	for (const [route, url] of Object.entries(STUDENT_PAGES)) {
		const response = await page.goto(url);
		expect(response?.status(), `${url} opens`).toBe(200);
		await page.waitForLoadState('networkidle');
		widths[route] = await scrollWidth(page);
	}
	expect(
		Object.entries(widths).filter(([, width]) => width > PHONE.width),
		'pages wider than the phone'
	).toEqual([]);
	await context.close();
});

test('on a phone the profile draws each skill as a bar with its level in words, and a skill without evidence as a gap', async ({
	browser,
	baseURL
}) => {
	const context = await browser.newContext({
		baseURL,
		viewport: PHONE,
		hasTouch: true,
		isMobile: true,
		storageState: { cookies: [], origins: [] }
	});
	const page = await context.newPage();
	await signIn(page, LEARNER);
	await open(page, `/profile/${demoUserId(LEARNER)}`);
	const skill = (code: string) =>
		page
			.getByRole('list', { name: 'Fusion Skills' })
			.getByRole('listitem')
			.filter({
				has: page.getByText(code, { exact: true })
			});
	await expect(page.getByRole('list', { name: 'Fusion Skills' }).getByRole('listitem')).toHaveCount(
		12
	);
	// FS-01 comes from Bridge building's C1.1: teacher 55 (Developing), own view 70 (Secure).
	await expect(skill('FS-01')).toContainText('Teacher: Developing');
	await expect(skill('FS-01')).toContainText('You: Secure');
	await expect(skill('FS-01').locator('[data-level]')).toHaveCount(2);
	// No task has touched FS-03: no bar, not a zero.
	await expect(skill('FS-03')).toContainText('No evidence yet');
	await expect(skill('FS-03').locator('[data-level]')).toHaveCount(0);
	await expect(skill('FS-03')).not.toContainText('Not yet');
	await expectAccessible(page);
	await context.close();
});

test('the class overview shows all 12 skills, named, on a 1366 px laptop', async ({
	browser,
	baseURL
}) => {
	const context = await browser.newContext({
		baseURL,
		viewport: { width: 1366, height: 768 },
		storageState: storageFor('teacherOther')
	});
	const page = await context.newPage();
	await open(page, `/teacher/classes/${DEMO_CLASS.second.id}/overview`);
	const region = page.getByRole('region', { name: 'Learners by skill' });
	const table = region.getByRole('table');
	// student23 has words in every skill's column: the widest the table gets.
	await expect(table.getByRole('row').filter({ hasText: 'Developing' }).first()).toBeVisible();
	const headers = FUSION_SKILLS.items.map((item) => ({
		item,
		header: table.getByRole('columnheader', { name: new RegExp(`^${item.code}\\b`) })
	}));
	// With the table's top at the top of the window, every heading is wholly in view: not past the
	// window's edge, nor hidden by the table's own scroll box.
	await region.evaluate((r) => window.scrollTo(0, r.getBoundingClientRect().top + window.scrollY));
	for (const { item, header } of headers)
		await expect(header, `${item.code}'s heading in view`).toBeInViewport({ ratio: 1 });
	for (const { item, header } of headers) {
		// Soft hyphens mark where a long name may break.
		expect(
			(await header.textContent())!.replaceAll('\u00ad', ''),
			`${item.code}'s heading`
		).toContain(shortestSkillTitle(item.title));
		// The code stays whole ("FS-07", never "FS-" over "07").
		const code = header.getByText(item.code, { exact: true });
		expect(await code.evaluate((e) => e.getClientRects().length), `${item.code} on one line`).toBe(
			1
		);
	}
	expect(await scrollWidth(page)).toBeLessThanOrEqual(1366);
	await expectAccessible(page);
	await context.close();
});
