import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// The legacy build is the one pdf.js supports in Node (the modern one expects browser APIs).
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import type { TextItem } from 'pdfjs-dist/types/src/display/api';
import { seedDemoActivity } from '../../src/lib/server/db/demo-activity';
import { learnerReport } from '../../src/lib/server/reports/learner-report';
import { renderLearnerReportPdf } from '../../src/lib/server/reports/pdf';
import type { DB } from '../../src/lib/server/db/connection';
import type { SessionUser } from '../../src/lib/server/auth/sessions';
import { demoDatabase, sessionUser } from './helpers';

type Box = { page: number; text: string; left: number; right: number; bottom: number; top: number };

/**
 * Every piece of text in the PDF with the box it is drawn in (PDF units, y up), read back by pdf.js
 * the way a viewer reads it: the baseline from the item's transform, its advance width, and its
 * height (the font size), so two boxes that share area are two texts printed over each other.
 */
async function textBoxes(pdf: Buffer): Promise<Box[]> {
	const document = await getDocument({
		data: new Uint8Array(pdf),
		useSystemFonts: false,
		isEvalSupported: false
	}).promise;
	const boxes: Box[] = [];
	for (let page = 1; page <= document.numPages; page++) {
		const content = await (await document.getPage(page)).getTextContent();
		for (const item of content.items as TextItem[]) {
			if (!('str' in item) || item.str.trim() === '') continue;
			const [, , , , x, y] = item.transform as number[];
			boxes.push({
				page,
				text: item.str,
				left: x!,
				right: x! + item.width,
				bottom: y!,
				top: y! + item.height
			});
		}
	}
	await document.destroy();
	return boxes;
}

/** Pairs of boxes on the same page that share more than a hair's breadth (kerning, rounding). */
function overlaps(boxes: Box[], tolerance = 0.5): [Box, Box][] {
	const found: [Box, Box][] = [];
	for (let i = 0; i < boxes.length; i++)
		for (let j = i + 1; j < boxes.length; j++) {
			const a = boxes[i]!;
			const b = boxes[j]!;
			if (a.page !== b.page) continue;
			const across = Math.min(a.right, b.right) - Math.max(a.left, b.left);
			const down = Math.min(a.top, b.top) - Math.max(a.bottom, b.bottom);
			if (across > tolerance && down > tolerance) found.push([a, b]);
		}
	return found;
}

describe('the learner PDF report', () => {
	let db: DB;
	let admin: SessionUser;
	let learners: { id: number; username: string }[];

	beforeAll(async () => {
		const demo = await demoDatabase();
		db = demo.db;
		process.env.UPLOADS_DIR = mkdtempSync(join(tmpdir(), 'fusion-pdf-'));
		await seedDemoActivity(db, 'http://localhost:3000');
		admin = await sessionUser(db, 'admin');
		learners = await db
			.selectFrom('users')
			.innerJoin('memberships', 'memberships.user_id', 'users.id')
			.select(['users.id', 'users.username'])
			.where('memberships.school_id', '=', demo.schoolId)
			.where('memberships.role', '=', 'student')
			.orderBy('users.id')
			.execute();
		// Seeding the lived-in demo takes seconds, more on a loaded machine: the same minute the
		// other demo tests give it.
	}, 60_000);

	it('prints no text over other text, for every demo learner', async () => {
		expect(learners.length).toBe(27);
		const problems: string[] = [];
		for (const learner of learners) {
			const pdf = await renderLearnerReportPdf(
				await learnerReport(db, admin, learner.id),
				admin.schoolName
			);
			const boxes = await textBoxes(pdf);
			// A report that read back empty would pass the overlap check while saying nothing.
			expect(boxes.some((b) => b.text.includes('Fusion Skills'))).toBe(true);
			for (const [a, b] of overlaps(boxes))
				problems.push(`${learner.username} page ${a.page}: “${a.text}” over “${b.text}”`);
		}
		expect(problems).toEqual([]);
	}, 60_000);

	it('breaks the skills table and long comments across pages without overprinting, repeating the band names', async () => {
		const report = await learnerReport(db, admin, learners[0]!.id);
		// A learner in many classes pushes the table down page 1; long names wrap to several lines.
		report.profile.learner.classes = Array.from({ length: 120 }, (_, i) => `Class ${i + 1}`);
		for (const skill of report.profile.skills)
			skill.title = `${skill.title}, ${skill.title.toLowerCase()} and ${skill.title.toLowerCase()}`;
		const comment = 'A long comment that goes on, '.repeat(12);
		for (const task of report.tasks)
			for (const c of task.criteria) c.teacherComments = [comment, comment];
		const boxes = await textBoxes(await renderLearnerReportPdf(report, admin.schoolName));
		expect(overlaps(boxes)).toEqual([]);
		const skillPages = new Set(boxes.filter((b) => /^FS-\d\d/.test(b.text)).map((b) => b.page));
		expect(skillPages.size).toBeGreaterThan(1);
		for (const page of skillPages)
			expect(boxes.some((b) => b.page === page && b.text === 'Developing')).toBe(true);
		// Every line stays inside the page's margins (48 pt), the footer inside the bottom one.
		for (const b of boxes) {
			expect(b.left).toBeGreaterThanOrEqual(47);
			expect(b.right).toBeLessThanOrEqual(595.28 - 47);
			expect(b.bottom).toBeGreaterThanOrEqual(12);
		}
	});
});
