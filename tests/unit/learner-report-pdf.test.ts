import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seedDemoActivity } from '../../src/lib/server/db/demo-activity';
import { learnerReport } from '../../src/lib/server/reports/learner-report';
import { renderLearnerReportPdf } from '../../src/lib/server/reports/pdf';
import type { DB } from '../../src/lib/server/db/connection';
import type { SessionUser } from '../../src/lib/server/auth/sessions';
import { demoDatabase, sessionUser } from './helpers';
import { overlaps, textBoxes } from './pdf-text';

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
