import { expect, test } from '@playwright/test';
import { unzipSync } from 'fflate';
import { PDFParse } from 'pdf-parse';
import { DEMO_CLASS, demoName, demoUserId, expectAccessible, storageFor } from './fixtures';

const FUSION_SKILLS = [
	'Oral communication',
	'Collaboration',
	'Initiative',
	'Problem solving',
	'Organisation',
	'Adaptability',
	'Written communication',
	'Independent working',
	'Critical thinking',
	'Resilience',
	'Creativity',
	'Analysis and evaluation'
];

async function pdfText(bytes: Buffer): Promise<string> {
	const parser = new PDFParse({ data: new Uint8Array(bytes) });
	try {
		return (await parser.getText()).text;
	} finally {
		await parser.destroy();
	}
}

test.describe('a teacher', () => {
	test.use({ storageState: storageFor('teacher') });

	test('sees a learner’s Fusion Skills profile and downloads the PDF learning report with all 12 skills', async ({
		page
	}) => {
		const learnerId = demoUserId('student2'); // self-assessed, marked and released on the Enterprise project (seed-extras)
		await page.goto(`/profile/${learnerId}`);
		await expect(page.getByRole('heading', { level: 1 })).toHaveText(
			`${demoName('student2')}: Fusion Skills profile`
		);
		const skills = page.getByRole('list', { name: 'Fusion Skills' });
		for (const skill of FUSION_SKILLS)
			await expect(
				skills
					.getByRole('listitem')
					.filter({ hasText: new RegExp(skill) })
					.first()
			).toBeVisible();
		await expect(skills.getByText('No evidence yet').first()).toBeVisible();
		await expect(
			page
				.getByRole('region', { name: /How well/ })
				.getByRole('rowheader', { name: 'Enterprise project' })
		).toBeVisible();
		await expectAccessible(page);

		const response = await page.request.get(`/profile/${learnerId}/report.pdf`);
		expect(response.status()).toBe(200);
		expect(response.headers()['content-type']).toBe('application/pdf');
		const text = await pdfText(await response.body());
		expect(text).toContain(demoName('student2'));
		for (const skill of FUSION_SKILLS) expect(text, skill).toContain(skill);
		expect(text).toContain('Enterprise project');

		await page.goto(`/profile/${learnerId}/report`);
		await expect(page.getByRole('heading', { level: 1 })).toHaveText(
			`Learning report: ${demoName('student2')}`
		);
		await expect(page.getByRole('region', { name: 'Enterprise project' })).toContainText(
			'A strong range of ideas'
		);
		await expectAccessible(page);
	});

	test('exports the class’s reports in the background with progress, one PDF per learner', async ({
		page
	}) => {
		test.setTimeout(180_000);
		await page.goto(`/teacher/classes/${DEMO_CLASS.first.id}/overview`);
		await expectAccessible(page);
		await page.getByRole('button', { name: /Export the class’s learning reports/ }).click();
		await expect(page).toHaveURL(/\/exports\/[0-9a-f-]+$/);
		await expect(page.getByRole('progressbar')).toBeVisible();
		const download = page.getByRole('link', { name: /download the zip \(15 PDFs\)/ });
		await expect(download).toBeVisible({ timeout: 60_000 });
		await expectAccessible(page);
		const zip = unzipSync(
			new Uint8Array(await (await page.request.get((await download.getAttribute('href'))!)).body())
		);
		const names = Object.keys(zip);
		expect(names).toHaveLength(15);
		expect(names.every((n) => n.endsWith('.pdf'))).toBe(true);
		expect(new TextDecoder().decode(zip[names[0]!]!.slice(0, 5))).toBe('%PDF-');
	});
});

test.describe('a school admin', () => {
	test.use({ storageState: storageFor('admin') });

	test('filters the school report and downloads it as CSV and JSON', async ({ page }) => {
		await page.goto('/admin/reports');
		await expect(page.getByRole('heading', { level: 1 })).toHaveText('School Fusion Skills report');
		await expectAccessible(page);
		await page
			.getByRole('combobox', { name: 'Class', exact: true })
			.selectOption({ label: DEMO_CLASS.first.name });
		await page.getByRole('button', { name: 'Apply' }).click();
		await expect(page).toHaveURL(new RegExp(`class=${DEMO_CLASS.first.id}(&|$)`));
		const byClass = page.getByRole('region', { name: 'By class' });
		await expect(byClass.getByRole('rowheader')).toHaveText([DEMO_CLASS.first.name]);

		const csv = await (
			await page.request.get(
				`/admin/reports/fusion-skills.csv?class=${DEMO_CLASS.first.id}&kind=learners`
			)
		).text();
		// A byte-order mark, so Excel reads the names as UTF-8.
		expect(csv.startsWith('\uFEFF')).toBe(true);
		const lines = csv.slice(1).trim().split('\r\n');
		expect(lines[0]).toBe(
			'learner_id,username,name,year_group,classes,skill_code,skill,level,level_words,evidence_count,task_count'
		);
		expect(lines).toHaveLength(1 + 15 * 12);
		const summary = await (
			await page.request.get('/admin/reports/fusion-skills.csv?kind=summary')
		).text();
		expect(summary.replace(/^\uFEFF/, '').split('\r\n')[0]).toBe(
			'grouping,group,learners,skill_code,skill,mean_level,level_words,learners_with_evidence'
		);
		const json = await (await page.request.get('/admin/reports/fusion-skills.json')).json();
		expect(json.skills).toHaveLength(12);
		expect(json.byYear.length).toBeGreaterThan(0);
	});
});
