import { expect, test } from '@playwright/test';
import { DEMO_CLASS, expectAccessible, storageFor } from './fixtures';

test.describe('a teacher builds a task from the bank', () => {
	test.use({ storageState: storageFor('teacher') });

	test('chooses, reorders and weights criteria, publishes, and only that class’s students see it', async ({
		page,
		browser,
		baseURL
	}) => {
		await page.goto(`/teacher/classes/${DEMO_CLASS.first.id}`);
		await page.getByRole('link', { name: 'Create a task' }).click();
		await page.getByLabel('Title').fill('Pitch a community app');
		await page.getByLabel('Brief for learners').fill('Pitch an app that helps your **community**.');
		await page.getByRole('button', { name: 'Create task and choose criteria' }).click();
		await expect(
			page.getByRole('heading', { level: 1, name: 'Pitch a community app' })
		).toBeVisible();
		await expect(page.getByText('Draft: learners cannot see it')).toBeVisible();

		// Filter the bank by CAPRI category, then by text.
		await page.getByLabel('CAPRI category').selectOption('C');
		await page.getByRole('button', { name: 'Filter' }).click();
		await expect(page.getByRole('button', { name: /^Add C/ }).first()).toBeVisible();
		await expect(page.getByRole('button', { name: /^Add [APRI]/ })).toHaveCount(0);
		await page.getByRole('button', { name: 'Add C1.1 Presenting your work aloud' }).click();
		await expect(page.getByRole('status')).toHaveText('Criterion added.');

		await page.goto(page.url().split('?')[0]!);
		await page.getByRole('button', { name: 'Add I4.1 Applying ideas to a real need' }).click();
		await expect(page.getByRole('status')).toHaveText('Criterion added.');
		await page
			.getByRole('button', { name: 'Add R3.2 Evaluating your own work against the criteria' })
			.click();
		await expect(page.getByRole('status')).toHaveText('Criterion added.');

		const chosen = page
			.getByRole('region', { name: /Criteria in this task/ })
			.getByRole('listitem');
		await expect(chosen).toHaveCount(3);
		await page
			.getByRole('button', { name: 'Move Evaluating your own work against the criteria up' })
			.click();
		await expect(page.getByRole('status')).toHaveText('Criterion moved up.');
		await expect(chosen.nth(1)).toContainText('Evaluating your own work');

		await chosen.nth(0).getByLabel('Weight').fill('2');
		await chosen.nth(0).getByRole('button', { name: /Save/ }).click();
		await expect(page.getByRole('status')).toHaveText('Weight saved.');
		// The skills summary shows its working: C1.1 (weight 2) is half the task, all oral communication.
		await expect(page.getByText(/Fusion Skills this task assesses: .*FS-01 50%/)).toBeVisible();
		await expectAccessible(page);

		await page.getByRole('button', { name: /Publish to/ }).click();
		await expect(page.getByRole('status')).toContainText(
			'learners in the class can now see this task'
		);

		const learner = await (
			await browser.newContext({ baseURL, storageState: storageFor('student') })
		).newPage();
		await learner.goto('/student');
		await learner.getByRole('link', { name: 'Pitch a community app' }).click();
		const cards = learner.getByRole('article');
		await expect(cards).toHaveCount(3);
		await expect(cards.nth(0)).toContainText('C1.1');
		await expect(cards.nth(1)).toContainText('R3.2');
		await expect(cards.nth(2)).toContainText('I4.1');
		await expect(cards.nth(0)).toContainText('Secure');
		const brief = learner
			.getByRole('group')
			.filter({ has: learner.getByRole('heading', { name: 'The brief' }) });
		await expect(brief.getByRole('strong')).toHaveText('community');
		// Learners see bands and descriptors, never marks or percentages.
		await expect(learner.getByText(/\d\s*%|\bmarks?\b/i)).toHaveCount(0);
		const taskUrl = learner.url();
		await expectAccessible(learner);

		const other = await (
			await browser.newContext({ baseURL, storageState: storageFor('studentOther') })
		).newPage();
		await other.goto('/student');
		await expect(other.getByRole('link', { name: 'Pitch a community app' })).toHaveCount(0);
		const refused = await other.goto(taskUrl);
		expect(refused?.status()).toBe(404);
	});

	test('writes a criterion, then edits it', async ({ page }) => {
		await page.goto('/teacher/criteria/new');
		await page
			.getByLabel('CAPRI sub-category')
			.selectOption({ label: 'R2 Questioning and reasoning' });
		await page.getByLabel('Title').fill('Spotting bias in a source');
		await page
			.getByLabel('What it looks for')
			.fill('You notice when a source is one-sided and say how that affects what you can trust.');
		for (const [i, band] of [
			'Not yet',
			'Emerging',
			'Developing',
			'Secure',
			'Excelling'
		].entries()) {
			await page.getByLabel(band, { exact: true }).fill(`Band ${i + 1} description for bias.`);
		}
		await page.getByRole('button', { name: 'Add to the bank' }).click();
		await expect(page.getByRole('status')).toContainText(/Criterion R2\.\d+ is in the bank/);
		await expect(page.getByText('FS-09 Critical thinking: 100%')).toBeVisible();
		await expectAccessible(page);

		await page.getByText('Edit', { exact: true }).click();
		await page.getByLabel('Title').fill('Spotting bias in sources');
		await page.getByRole('button', { name: 'Save changes' }).click();
		await expect(page.getByRole('status')).toHaveText('Changes saved.');
		await expect(
			page.getByRole('heading', { level: 1, name: 'Spotting bias in sources' })
		).toBeVisible();
	});

	test('a blank title is explained and nothing is created', async ({ page }) => {
		await page.goto(`/teacher/classes/${DEMO_CLASS.first.id}/tasks/new`);
		await page.getByLabel('Title').fill('x');
		await page.getByRole('button', { name: 'Create task and choose criteria' }).click();
		await expect(page.getByLabel('Title')).toHaveAccessibleDescription(
			'Give the task a title of at least 3 characters.'
		);
		await expect(page).toHaveURL(/tasks\/new$/);
	});
});

test.describe('a teacher of another class', () => {
	test.use({ storageState: storageFor('teacherOther') });
	test('cannot create a task for a class they do not teach', async ({ page }) => {
		const response = await page.goto(`/teacher/classes/${DEMO_CLASS.first.id}/tasks/new`);
		expect(response?.status()).toBe(403);
	});
});

test.describe('frameworks', () => {
	test.use({ storageState: storageFor('admin') });
	test('an admin edits the crosswalk; a row with no skill is refused', async ({ page }) => {
		await page.goto('/admin/frameworks/crosswalk');
		const c1ToOral = page.getByLabel(
			'C1 Speaking and presenting to FS-01 Oral communication / presentation skills'
		);
		await c1ToOral.fill('0');
		await page.getByRole('button', { name: 'Save crosswalk' }).click();
		await expect(page.getByRole('alert')).toContainText(
			'C1 Speaking and presenting must count towards at least one Fusion Skill'
		);
		await c1ToOral.fill('2');
		await page.getByLabel('C1 Speaking and presenting to FS-03 Initiative').fill('1');
		await page.getByRole('button', { name: 'Save crosswalk' }).click();
		await expect(page.getByRole('status')).toHaveText('Crosswalk saved.');
		await page.getByRole('button', { name: 'Go back to the shipped default' }).click();
		await expect(page.getByRole('status')).toHaveText('Back to the shipped default.');
	});

	test('the Fusion Skills framework is published as CASE JSON for anyone', async ({ request }) => {
		const response = await request.get('/frameworks/999d5e3b-0023-4b21-9564-5da5d91e8988');
		expect(response.status()).toBe(200);
		const pkg = await response.json();
		expect(pkg.CFItems.map((i: { humanCodingScheme: string }) => i.humanCodingScheme)).toEqual(
			Array.from({ length: 12 }, (_, i) => `FS-${String(i + 1).padStart(2, '0')}`)
		);
		const item = await request.get(new URL(pkg.CFItems[0].uri).pathname);
		expect((await item.json()).fullStatement).toBe('Oral communication / presentation skills');
	});
});
