import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync, strFromU8 } from 'fflate';
import { seedDemoActivity } from '../../src/lib/server/db/demo-activity';
import { eraseLearner, exportLearnerData } from '../../src/lib/server/privacy/privacy';
import { schoolFusionReport } from '../../src/lib/server/reports/school-report';
import { demoDatabase, sessionUser, userId } from './helpers';

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
		expect(data.work).toHaveLength(2);
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
