import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync, strFromU8 } from 'fflate';
import { seedDemoActivity } from '../../src/lib/server/db/demo-activity';
import { sql } from 'kysely';
import {
	EXPORT_README_TABLES,
	eraseLearner,
	exportLearnerData
} from '../../src/lib/server/privacy/privacy';
import { listBadges } from '../../src/lib/server/badges/badges';
import { requestBadge } from '../../src/lib/server/badges/awards';
import { schoolFusionReport } from '../../src/lib/server/reports/school-report';
import { demoDatabase, sessionUser, userId } from './helpers';

describe('privacy: the learner export holds everything', () => {
	it('includes agreed grades, badge request notes, the task of each review, and a README naming every table', async () => {
		const { db, schoolId } = await demoDatabase();
		process.env.UPLOADS_DIR = mkdtempSync(join(tmpdir(), 'fusion-privacy-'));
		await seedDemoActivity(db, 'http://localhost:3000');
		const admin = await sessionUser(db, 'admin');
		const learner = await sessionUser(db, 'student1');
		const [badge] = (await listBadges(db, schoolId)).filter(
			(b) => b.active === 1 && !b.name.includes('Communication')
		);
		await db.deleteFrom('badge_awards').where('learner_id', '=', learner.id).execute();
		await requestBadge(db, learner, badge!.id, 'I ran the class assembly on my own.');
		// The demo's moderation agreed some of student1's grades.
		const held = await db
			.selectFrom('agreed_grades')
			.innerJoin('submissions', 'submissions.id', 'agreed_grades.submission_id')
			.select(['agreed_grades.value', 'agreed_grades.note'])
			.where('submissions.learner_id', '=', learner.id)
			.execute();
		expect(held.length).toBeGreaterThan(0);

		const zip = unzipSync(await exportLearnerData(db, admin, learner.id));
		const data = JSON.parse(strFromU8(zip['data.json']!));
		const agreed = data.work.flatMap((w: { agreedGrades: unknown[] }) => w.agreedGrades);
		expect(agreed).toHaveLength(held.length);
		for (const grade of held) expect(agreed).toContainEqual(expect.objectContaining(grade));
		expect(data.badges).toContainEqual(
			expect.objectContaining({
				state: 'requested',
				requestNote: 'I ran the class assembly on my own.'
			})
		);
		const taskTitles = (await db.selectFrom('tasks').select('title').execute()).map((t) => t.title);
		expect(data.peerReviewsGiven.length).toBeGreaterThan(0);
		for (const review of data.peerReviewsGiven) {
			expect(taskTitles).toContain(review.task);
			expect(review.reviewedAs).toMatch(/^Reviewer /);
		}
		expect(
			data.work.flatMap((w: { peerReviews: { reviewer: string }[] }) => w.peerReviews).length
		).toBeGreaterThan(0);
		// Received reviews name no reviewer.
		const reviewerNames = (
			await db.selectFrom('users').select(['given_name', 'family_name']).execute()
		).map((u) => `${u.given_name} ${u.family_name}`);
		const received = JSON.stringify(data.work);
		for (const name of reviewerNames)
			if (name !== `${learner.givenName} ${learner.familyName}`)
				expect(received).not.toContain(name);
		expect(data.signIns.sessions.length).toBeGreaterThan(0);
		// The README names every table the database has and says what each contributes.
		const readme = strFromU8(zip['README.txt']!);
		const tables = (await db.introspection.getTables())
			.map((t) => t.name)
			.filter((name) => !name.startsWith('kysely_'));
		expect(tables.length).toBeGreaterThan(30);
		for (const table of tables) expect(readme).toMatch(new RegExp(`^  ${table} `, 'm'));
		expect(Object.keys(EXPORT_README_TABLES).sort()).toEqual([...tables].sort());
		await db.destroy();
	}, 60_000);
});

describe('privacy: export and erase one learner', () => {
	it('exports everything held about a learner, then erases them while reports keep their anonymous results', async () => {
		const { db, schoolId } = await demoDatabase();
		process.env.UPLOADS_DIR = mkdtempSync(join(tmpdir(), 'fusion-privacy-'));
		await seedDemoActivity(db, 'http://localhost:3000');
		const admin = await sessionUser(db, 'admin');
		const learnerId = await userId(db, 'student1');

		const zip = unzipSync(await exportLearnerData(db, admin, learnerId));
		const data = JSON.parse(strFromU8(zip['data.json']!));
		expect(data.account.username).toBe('student1');
		// The demo's two released tasks and the one student1 has handed in and waits to be marked
		// (the open task, not started, holds nothing of theirs).
		expect(data.work).toHaveLength(3);
		expect(data.work[0].judgements.some((j: { by: string }) => j.by.startsWith('Reviewer'))).toBe(
			true
		);
		expect(JSON.stringify(data.work)).not.toContain('"assessor_id"');
		expect(data.badges.length).toBeGreaterThan(0);
		expect(data.peerReviewsGiven.length).toBeGreaterThan(0);

		const before = await schoolFusionReport(db, schoolId, { classId: 1 });
		await expect(eraseLearner(db, admin, learnerId, 'student2')).rejects.toThrow(
			/Type the learner’s username/
		);
		await eraseLearner(db, admin, learnerId, 'student1');
		const user = await db
			.selectFrom('users')
			.selectAll()
			.where('id', '=', learnerId)
			.executeTakeFirstOrThrow();
		expect(user).toMatchObject({
			username: `erased-${learnerId}`,
			given_name: 'Erased',
			family_name: 'learner',
			active: 0
		});
		expect(
			await db.selectFrom('sessions').selectAll().where('user_id', '=', learnerId).execute()
		).toEqual([]);
		const words = await db
			.selectFrom('assessments')
			.select('comment')
			.where('assessor_id', '=', learnerId)
			.where('comment', '!=', '')
			.execute();
		expect(words).toEqual([]);
		const badges = await db
			.selectFrom('badge_awards')
			.select('state')
			.where('learner_id', '=', learnerId)
			.execute();
		expect(badges.every((b) => b.state !== 'issued')).toBe(true);
		// The numbers stay: the teacher's grades of the erased learner's work are still there.
		expect(
			(
				await db
					.selectFrom('assessments')
					.innerJoin('submissions', 'submissions.id', 'assessments.submission_id')
					.select('assessments.value')
					.where('submissions.learner_id', '=', learnerId)
					.where('role', '=', 'teacher')
					.execute()
			).length
		).toBeGreaterThan(0);
		const after = await schoolFusionReport(db, schoolId, { classId: 1 });
		expect(after.byClass[0]!.learners).toBe(before.byClass[0]!.learners - 1);
		await db.destroy();
	}, 60_000);
});
