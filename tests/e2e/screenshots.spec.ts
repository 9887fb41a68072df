import { test, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import {
	DEMO_CLASS,
	demoUserId,
	liveSessionId,
	peerReviewId,
	signIn,
	storageFor,
	taskId,
	type Persona
} from './fixtures';

/**
 * Screenshots of the main screens, for people reviewing a change to look at.
 * They go to test-results/screenshots; `UPDATE_SCREENSHOTS=1 npx playwright test screenshots`
 * refreshes the committed copies in docs/screenshots.
 */
const OUT =
	process.env.UPDATE_SCREENSHOTS === '1' ? 'docs/screenshots' : 'test-results/screenshots';
mkdirSync(OUT, { recursive: true });

interface Shot {
	name: string;
	/** a stored persona, or any demo username (signed in afresh) */
	persona: Persona | { username: string };
	path: string;
	width?: number;
	height?: number;
	/** a phone: touch, and the mobile viewport */
	touch?: boolean;
	fullPage?: boolean;
	prepare?: (page: Page) => Promise<void>;
}

/**
 * The roster preview of a file with good and bad rows (usernames of their own per run, as the
 * import shot writes them).
 */
async function rosterPreview(page: Page) {
	const tag = Date.now().toString(36).slice(-5);
	const rows = [
		'username,given_name,family_name,role,class',
		`rostershot1${tag},Zoë,Adeyemi,student,7S Roster ${tag}`,
		`rostershot bad,Bad,Name,student,7S Roster ${tag}`,
		`rostershot2${tag},Łukasz,Nowak,student,7S Roster ${tag}`,
		`rostershot3${tag},No,Role,wizard,7S Roster ${tag}`,
		`rostershot4${tag},Priya,Shah,student,7S Roster ${tag}`,
		`rostershot1${tag},Zoë,Again,student,7S Roster ${tag}`
	];
	await page.getByLabel('CSV files').setInputFiles({
		name: 'year7.csv',
		mimeType: 'text/csv',
		buffer: Buffer.from(rows.join('\n'))
	});
	await page.getByRole('button', { name: 'Preview import' }).click();
	await page.getByRole('heading', { name: '2. Check the preview' }).waitFor();
}

/** seed-extras' published task: student2 was self-assessed, marked and released on it. */
const ENTERPRISE = taskId('Enterprise project');

const SHOTS: Shot[] = [
	// The city tier (docs/CITY.md): the city admin's home and the cross-school report.
	{ name: 'city-home', persona: 'cityAdmin', path: '/city', width: 1280, height: 900 },
	{
		name: 'city-home-phone',
		persona: 'cityAdmin',
		path: '/city',
		width: 360,
		height: 740,
		touch: true
	},
	{
		name: 'city-report',
		persona: 'cityAdmin',
		path: '/city/reports',
		width: 1280,
		height: 1100,
		fullPage: true
	},
	{
		name: 'city-report-phone',
		persona: 'cityAdmin',
		path: '/city/reports',
		width: 360,
		height: 740,
		touch: true,
		fullPage: true
	},
	{ name: 'teacher-task-builder', persona: 'teacher', path: `/teacher/tasks/${ENTERPRISE}` },
	{ name: 'teacher-criteria-bank', persona: 'teacher', path: '/teacher/criteria' },
	{ name: 'teacher-class', persona: 'teacher', path: `/teacher/classes/${DEMO_CLASS.first.id}` },
	// The home pages at each user's viewport: what to do next (tests/e2e/home.spec.ts).
	{
		name: 'student-home',
		persona: 'student',
		path: '/student',
		width: 360,
		height: 740,
		touch: true
	},
	{ name: 'teacher-home', persona: 'teacher', path: '/teacher', width: 1366, height: 768 },
	{ name: 'admin-home', persona: 'admin', path: '/admin', width: 1440, height: 900 },
	{ name: 'admin-crosswalk', persona: 'admin', path: '/admin/frameworks/crosswalk' },
	// The assessment screens, on the Enterprise project.
	{
		name: 'student-assessment-released',
		persona: { username: 'student2' },
		path: `/student/tasks/${ENTERPRISE}`
	},
	{
		name: 'student-assessment-phone',
		persona: { username: 'student7' },
		path: `/student/tasks/${ENTERPRISE}`,
		width: 360,
		height: 740,
		touch: true,
		fullPage: false,
		prepare: async (page) => {
			const slider = page.getByRole('slider').first();
			await slider.focus();
			await page.keyboard.press('End');
			await page.keyboard.press('PageDown');
			await page.getByText('All changes saved.').waitFor();
			await page
				.getByRole('heading', { name: 'Presenting your work aloud' })
				.evaluate((h) => window.scrollTo(0, h.getBoundingClientRect().top + window.scrollY - 120));
		}
	},
	{
		name: 'teacher-marking',
		persona: 'teacher',
		path: `/teacher/tasks/${ENTERPRISE}/marking/${demoUserId('student3')}`,
		width: 1366,
		height: 768
	},
	{
		name: 'teacher-marking-list',
		persona: 'teacher',
		path: `/teacher/tasks/${ENTERPRISE}/marking`
	},
	// seed-extras' Marking class: one learner in each state, Cara Cole's work with a picture, a PDF,
	// a Word file, a link and a note.
	{
		name: 'teacher-marking-list-filters',
		persona: { username: 'markingteacher' },
		path: `/teacher/tasks/${taskId('Marking: portfolio')}/marking`,
		width: 1366,
		height: 768
	},
	{
		name: 'teacher-marking-previews',
		persona: { username: 'markingteacher' },
		path: `/teacher/tasks/${taskId('Marking: portfolio')}/marking/${demoUserId('marking3')}`,
		width: 1366,
		height: 768,
		prepare: async (page) => void (await page.locator('canvas[data-rendered="true"]').waitFor())
	},
	{
		name: 'teacher-moderation',
		persona: 'teacher',
		path: `/teacher/tasks/${ENTERPRISE}/moderation?sort=selfGap`,
		prepare: async (page) =>
			void (await page.getByRole('figure').getByRole('img').first().waitFor())
	},
	{
		name: 'teacher-peer-review',
		persona: 'teacher',
		path: `/teacher/tasks/${taskId('Peer review practice')}/peers`
	},
	{
		name: 'student-peer-review',
		persona: 'student',
		path: `/student/reviews/${peerReviewId('Peer review practice', 'student1', 'student2')}`
	},
	{
		// Nothing placed (the review is left as it is): the first criterion's bands unfolded.
		name: 'student-peer-review-phone',
		persona: 'student',
		path: `/student/reviews/${peerReviewId('Peer review practice', 'student1', 'student2')}`,
		width: 360,
		height: 740,
		touch: true,
		fullPage: false,
		prepare: async (page) => {
			const unfold = page.getByRole('button', { name: /^Show all 5 bands/ }).first();
			await unfold.tap();
			await page
				.getByRole('slider')
				.first()
				.evaluate((s) => window.scrollTo(0, s.getBoundingClientRect().top + window.scrollY - 140));
		}
	},
	// The projector at 1280×720, one screen as the class sees it (seed-extras' "Live screens").
	...(
		[
			['teacher-live-projector', 'Live: open exemplar'],
			['teacher-live-projector-revealed', 'Live: revealed exemplar'],
			['teacher-live-projector-closed', 'Live: closed exemplar']
		] as const
	).map(([name, title]) => ({
		name,
		persona: { username: 'liveteacher' },
		path: `/teacher/live/${liveSessionId(title)}`,
		width: 1280,
		height: 720,
		fullPage: false
	})),
	{
		name: 'student-live-closed-phone',
		persona: { username: 'live6' },
		path: `/student/live/${liveSessionId('Live: closed exemplar')}`,
		width: 360,
		height: 740,
		touch: true,
		fullPage: false
	},
	{
		name: 'student-live-join-phone',
		persona: { username: 'live1' },
		path: '/join',
		width: 360,
		height: 740,
		touch: true,
		fullPage: false,
		prepare: async (page) => {
			await page.getByLabel('Code on the projector').fill('bcd 23');
			await page.getByRole('button', { name: 'Join' }).tap();
			await page.getByRole('alert').waitFor();
		}
	},
	{ name: 'learner-profile', persona: 'teacher', path: `/profile/${demoUserId('student2')}` },
	{
		// Two released tasks, skills with and without evidence, a calibration chart (seed-extras).
		name: 'learner-profile-phone',
		persona: { username: 'student19' },
		path: `/profile/${demoUserId('student19')}`,
		width: 360,
		height: 740,
		touch: true,
		prepare: async (page) =>
			void (await page.getByRole('img', { name: /^Self-assessment gap per task/ }).waitFor())
	},
	{
		name: 'teacher-class-overview',
		persona: 'teacherOther',
		path: `/teacher/classes/${DEMO_CLASS.second.id}/overview`,
		width: 1366,
		height: 768
	},
	{ name: 'learner-report', persona: 'teacher', path: `/profile/${demoUserId('student2')}/report` },
	{ name: 'admin-school-report', persona: 'admin', path: '/admin/reports' },
	{ name: 'teacher-badges', persona: 'teacher', path: '/teacher/badges' },
	{
		name: 'public-badge',
		persona: 'student',
		path: '/badges/awards/00000000-0000-4000-8000-0000000b0001'
	},
	{
		name: 'admin-roster-preview',
		persona: 'admin',
		path: '/admin/roster',
		width: 1440,
		prepare: rosterPreview
	},
	{
		name: 'admin-roster-imported',
		persona: 'admin',
		path: '/admin/roster',
		width: 1440,
		prepare: async (page) => {
			await rosterPreview(page);
			await page.getByRole('button', { name: /^Import the 3 good rows/ }).click();
			await page.getByRole('heading', { name: 'Import complete' }).waitFor();
		}
	},
	{
		name: 'admin-learner-privacy',
		persona: 'admin',
		path: `/admin/people/${demoUserId('student27')}`,
		prepare: async (page) => void (await page.getByText('Erase this learner').click())
	}
];

for (const shot of SHOTS) {
	test(`screenshot: ${shot.name}`, async ({ browser, baseURL }) => {
		const context = await browser.newContext({
			baseURL,
			storageState:
				typeof shot.persona === 'string' ? storageFor(shot.persona) : { cookies: [], origins: [] },
			viewport: { width: shot.width ?? 1280, height: shot.height ?? 900 },
			hasTouch: shot.touch,
			isMobile: shot.touch
		});
		const page = await context.newPage();
		if (typeof shot.persona !== 'string') await signIn(page, shot.persona.username);
		await page.goto(shot.path);
		await page.waitForLoadState('networkidle'); // hydrated, so what prepare does is handled
		await shot.prepare?.(page);
		await page.screenshot({ path: `${OUT}/${shot.name}.png`, fullPage: shot.fullPage ?? true });
		await context.close();
	});
}

export { SHOTS };
