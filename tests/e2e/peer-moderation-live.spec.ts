import { expect, test, type Browser, type Page } from '@playwright/test';
import {
	demoName,
	demoUserId,
	expectAccessible,
	freshPage,
	peerReviewId,
	placeSliderAtTop,
	signIn,
	storageFor,
	taskId
} from './fixtures';

/**
 * seed-extras: "Peer allocation" (random, 3 reviewers each, class 1 of 15; student4–student15 have
 * submitted, student1–student3 not); "Enterprise project" has marked work.
 */
const RANDOM_PEER_TASK = taskId('Peer allocation');
const MARKED_TASK = taskId('Enterprise project');
/** The learners-by-criteria table on the moderation page. */
const MODERATION_MATRIX = { name: 'Learners by criteria: self, peer and teacher bands with gaps' };

async function pageAs(
	browser: Browser,
	baseURL: string | undefined,
	username: string
): Promise<Page> {
	const page = await freshPage(browser, baseURL);
	await signIn(page, username);
	await expect(page).not.toHaveURL(/\/login/);
	return page;
}

test('peer allocation gives every submitted piece three reviewers, never themselves, a late submitter too, and the reviewer sees no name or self-assessment', async ({
	browser,
	baseURL
}) => {
	test.setTimeout(120_000);
	const teacher = await (
		await browser.newContext({ baseURL, storageState: storageFor('teacher') })
	).newPage();
	await teacher.goto(`/teacher/tasks/${RANDOM_PEER_TASK}/peers`);
	await expect(teacher.getByTestId('submitted-work')).toContainText(
		'12 learners have submitted work to review; 3 are still to submit.'
	);
	await teacher.getByRole('button', { name: 'Allocate reviewers' }).click();
	// The answer is beside the button: what was allocated, and what waits.
	const settings = teacher.getByRole('region', { name: 'Settings' });
	await expect(settings.getByRole('status')).toHaveText(
		'Allocated 36 reviews of 12 submitted pieces of work. 3 learners have not submitted yet: each is given reviewers on submitting.'
	);
	const pairs = teacher.getByRole('region', { name: /^Who reviews whom/ }).getByRole('table');
	const readRows = () =>
		pairs
			.getByRole('row')
			.filter({ has: teacher.getByRole('cell') })
			.evaluateAll((trs) =>
				trs.map((tr) => [...(tr as HTMLTableRowElement).cells].map((td) => td.textContent!.trim()))
			);
	const expectThreeEach = (rows: string[][], reviewees: number) => {
		const byReviewee = new Map<string, string[]>();
		for (const [reviewee, reviewer] of rows)
			byReviewee.set(reviewee!, [...(byReviewee.get(reviewee!) ?? []), reviewer!]);
		expect(byReviewee.size).toBe(reviewees);
		for (const [reviewee, reviewers] of byReviewee) {
			expect(reviewers, `${reviewee}'s reviewers`).toHaveLength(3);
			expect(reviewers).not.toContain(reviewee);
			expect(new Set(reviewers).size).toBe(3);
		}
		return byReviewee;
	};
	const rows = await readRows();
	expect(rows).toHaveLength(36);
	const byReviewee = expectThreeEach(rows, 12);
	// Nobody who has not handed in is reviewed or reviews.
	for (const waiting of ['student1', 'student2', 'student3']) {
		expect(byReviewee.has(demoName(waiting))).toBe(false);
		expect(rows.some(([, reviewer]) => reviewer === demoName(waiting))).toBe(false);
	}
	// The form to add a pair starts on no learner, so it never offers "X reviews X".
	await expect(teacher.getByRole('combobox', { name: /^Reviewer/ })).toHaveValue('');
	await expect(teacher.getByRole('combobox', { name: /^reviews the work of/ })).toHaveValue('');
	await expectAccessible(teacher);

	// student3 hands in late and is given three reviewers at once.
	const late = await pageAs(browser, baseURL, 'student3');
	await late.goto(`/student/tasks/${RANDOM_PEER_TASK}`);
	for (const slider of await late.getByRole('slider').all()) await placeSliderAtTop(late, slider);
	await expect(late.getByText('All changes saved.')).toBeVisible();
	await late.getByRole('button', { name: 'Submit my self-assessment' }).click();
	await late.getByRole('dialog').getByRole('button', { name: 'Yes, submit' }).click();
	await expect(
		late.getByText('Submitted. Your teacher can now see your self-assessment.')
	).toBeVisible();
	await teacher.reload();
	const after = await readRows();
	expect(after).toHaveLength(39);
	expect(expectThreeEach(after, 13).has(demoName('student3'))).toBe(true);
	await expect(teacher.getByTestId('submitted-work')).toContainText(
		'13 learners have submitted work to review; 2 are still to submit.'
	);

	// The reviewee of the first piece student9 reviews wrote a self-assessment with a recognisable
	// reflection (seed-extras).
	const reviewerName = demoName('student9');
	const revieweeName = rows.find(([, reviewer]) => reviewer === reviewerName)![0]!;
	const secret = 'SECRET-SELF-REFLECTION-7731';

	const reviewer = await pageAs(browser, baseURL, 'student9');
	await reviewer.goto('/student/reviews');
	const section = reviewer.getByRole('region', { name: 'Peer allocation' });
	// Three reviews, or four if student9 was among the least loaded for student3's late work.
	const reviewerRows = after.filter(([, r]) => r === reviewerName);
	await expect(section.getByRole('link', { name: /^Piece of work \d$/ })).toHaveCount(
		reviewerRows.length
	);
	// Which is the reviewee's? The teacher's list is in allocation order, as is the learner's.
	const index = reviewerRows.findIndex(([reviewee]) => reviewee === revieweeName);
	await section.getByRole('link', { name: `Piece of work ${index + 1}` }).click();
	await expect(
		reviewer.getByRole('heading', { level: 1, name: 'Peer review: Peer allocation' })
	).toBeVisible();
	const html = await reviewer.content();
	const data = await (
		await reviewer.request.get(`${new URL(reviewer.url()).pathname}/__data.json`)
	).text();
	// The page names its own reader in the header: a name part the two share (two O'Briens) is not a
	// leak.
	const ownNameParts = reviewerName.split(' ');
	const revieweeOnlyParts = revieweeName.split(' ').filter((part) => !ownNameParts.includes(part));
	for (const leak of [revieweeName, ...revieweeOnlyParts, secret]) {
		expect(html, `page shows “${leak}”`).not.toContain(leak);
		expect(data, `page data holds “${leak}”`).not.toContain(leak);
	}
	// Nothing of the reviewee's own judgement either: the only markers are the reviewer's own.
	await expect(reviewer.getByText(/Your choice|Your teacher/)).toHaveCount(0);
	await expectAccessible(reviewer);

	// The reviewer places both criteria and submits.
	for (const slider of await reviewer.getByRole('slider').all()) {
		await placeSliderAtTop(reviewer, slider);
		await reviewer.keyboard.press('PageDown');
	}
	await reviewer.getByLabel(/^Your comment on C1\.1/).fill('Clear slides; slow down a little.');
	await reviewer.getByRole('button', { name: 'Submit my review' }).click();
	await expect(reviewer.getByText('Review submitted. Thank you!')).toBeVisible();

	// Another learner cannot open that review.
	const outsider = await pageAs(browser, baseURL, 'student10');
	const refused = await outsider.goto(reviewer.url());
	expect(refused?.status()).toBe(404);
});

test.describe('moderation', () => {
	test.use({ storageState: storageFor('teacher') });
	test('the matrix sorts by the largest self–teacher gap and flags gaps of more than one band', async ({
		page
	}) => {
		await page.goto(`/teacher/tasks/${MARKED_TASK}/moderation`);
		await page.getByLabel('Sort by').selectOption('selfGap');
		await page.getByRole('button', { name: 'Apply' }).click();
		await expect(page).toHaveURL(/sort=selfGap/);
		const learnerRows = page
			.getByRole('table', MODERATION_MATRIX)
			.getByRole('row')
			.filter({ has: page.getByRole('rowheader') });
		const firstRow = learnerRows.first();
		await expect(firstRow.getByRole('rowheader')).toHaveText(demoName('student3'));
		await expect(firstRow.getByText('⚑ large gap')).toHaveCount(2);
		await expect(learnerRows.nth(1).getByRole('rowheader')).toHaveText(demoName('student2'));

		await page.getByLabel('Only flagged gaps').check();
		await page.getByRole('button', { name: 'Apply' }).click();
		await expect(learnerRows).toHaveCount(1);
		await expect(page.getByRole('figure').getByRole('img').first()).toBeVisible();
		await expectAccessible(page);

		// Record an agreed grade for student3 on C1.1; it is audited and becomes the result.
		await page.goto(`/teacher/tasks/${MARKED_TASK}/moderation/${demoUserId('student3')}`);
		const c11 = page.getByRole('region', { name: /C1\.1/ });
		await c11.getByLabel('Agreed band').selectOption({ label: 'Secure (middle of the band)' });
		await c11.getByLabel('How it was agreed').fill('Second marking meeting');
		await c11.getByRole('button', { name: /Save/ }).click();
		await expect(page.getByRole('status')).toHaveText(
			'Agreed grade recorded: it is now the learner’s result.'
		);
		await expect(
			page.getByRole('region', { name: /C1\.1/ }).getByText(/✓ Agreed: Secure/)
		).toBeVisible();
		await expectAccessible(page);
	});
});

test('a live session updates the projector when a learner moves a slider, then reveals the teacher’s placement', async ({
	browser,
	baseURL
}) => {
	test.setTimeout(120_000);
	const projector = await (
		await browser.newContext({ baseURL, storageState: storageFor('teacher') })
	).newPage();
	await projector.goto(`/teacher/live/new?task=${taskId('Assessment journey')}`);
	await projector.getByLabel('Exemplar title').fill('Live exemplar pitch');
	await projector.getByLabel(/The exemplar/).fill('A two-minute pitch for a recycling app.');
	await projector.getByRole('button', { name: 'Start the session' }).click();
	await expect(
		projector.getByRole('heading', { level: 1, name: 'Live exemplar pitch' })
	).toBeVisible();
	await expect(projector.getByTestId('connection')).toHaveText('updating live');
	await expect(projector.getByTestId('placed-count')).toHaveText('0');

	const learner = await pageAs(browser, baseURL, 'student8');
	await learner.goto('/student/live');
	await learner.getByRole('link', { name: 'Live exemplar pitch' }).click();
	await placeSliderAtTop(learner, learner.getByRole('slider'));
	await expect(learner.getByText('All changes saved.')).toBeVisible();

	// No reload: the projector hears about it over server-sent events. The spread waits for Reveal.
	await expect(projector.getByTestId('placed-count')).toHaveText('1');
	const spread = projector.getByRole('region', { name: /^Where the class placed it/ });
	await expect(spread).toHaveCount(0);
	await expectAccessible(projector);

	// The teacher's placement saves as it is placed: no button to forget.
	await projector.getByText('Your placement (open this off the projector)').click();
	await projector.getByRole('slider', { name: 'Your judgement of the exemplar' }).focus();
	await projector.keyboard.press('Home');
	await projector.keyboard.press('PageUp');
	await projector.keyboard.press('PageUp');
	await expect(projector.getByText('All changes saved.')).toBeVisible();
	await projector.getByRole('button', { name: 'Reveal my placement' }).click();
	const bands = spread.getByRole('listitem');
	await expect(bands.filter({ hasText: '▲ Teacher' })).toContainText('Developing');
	// Each band reads "label, count": the count is the item's only number.
	await expect(bands.filter({ hasText: 'Excelling' }).getByText(/^\d+$/)).toHaveText('1');

	await expect(learner.getByText('You placed it two bands above your teacher.')).toBeVisible();
	await expect(learner.getByRole('slider')).toHaveCount(0);
});

test('a peer reviewer sees and downloads evidence under a neutral name, never the file name the learner gave it', async ({
	browser,
	baseURL
}) => {
	// seed-extras: student2's photo for "Peer review practice" is named after them; student1 reviews it.
	const childName = demoName('student2');
	const review = `/student/reviews/${peerReviewId('Peer review practice', 'student1', 'student2')}`;
	const reviewer = await pageAs(browser, baseURL, 'student1');
	await reviewer.goto(review);
	const work = reviewer.getByRole('region', { name: 'The work to review' });
	const link = work.getByRole('link', { name: 'Evidence 1.png' });
	await expect(link).toBeVisible();
	expect(await reviewer.content()).not.toContain(childName);
	const data = await reviewer.request.get(`${review}/__data.json`);
	expect(data.status()).toBe(200);
	expect(await data.text()).not.toContain(childName);

	const file = await reviewer.request.get((await link.getAttribute('href'))!);
	expect(file.status()).toBe(200);
	expect(file.headers()['content-disposition']).toContain('filename="Evidence 1.png"');
	expect(file.headers()['content-disposition']).not.toContain(childName.split(' ')[0]!);
});
