import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { isHttpError } from '@sveltejs/kit';
import { closeDb, databaseLocationOf } from '../../src/lib/server/db/connection';
import { isPostgresUrl } from '../../src/lib/server/db/dialect';
import { fusionSkills } from '../../src/lib/server/frameworks/frameworks';
import {
	saveSelfAssessment,
	submitSelfAssessment
} from '../../src/lib/server/assessment/self-assessment';
import { addEvidence } from '../../src/lib/server/assessment/evidence';
import { releaseGrades, saveTeacherGrade } from '../../src/lib/server/assessment/marking';
import { createBadge } from '../../src/lib/server/badges/badges';
import { issueBadge, publicAward, requestBadge } from '../../src/lib/server/badges/awards';
import { exportJob, startBatchExport } from '../../src/lib/server/reports/batch';
import { signIn } from '../../src/lib/server/auth/sign-in';
import { eraseLearner } from '../../src/lib/server/privacy/privacy';
import { load as awardPage } from '../../src/routes/badges/awards/[identifier]/+page.server';
import { GET as credentialJson } from '../../src/routes/badges/awards/[identifier]/credential.json/+server';
import { GET as ob2Json } from '../../src/routes/badges/awards/[identifier]/ob2/+server';
import { GET as bakedSvg } from '../../src/routes/badges/awards/[identifier]/baked.svg/+server';
import { GET as bakedPng } from '../../src/routes/badges/awards/[identifier]/baked.png/+server';
import { demoDatabase, publishedTask, serveAppFrom, sessionUser } from './helpers';

const ORIGIN = 'https://skills.school.example';
/** Unique strings a search of the database's bytes can only find if something was left behind. */
const MARK = {
	username: 'zqxkidname',
	given: 'Zqxgivenname',
	family: 'Zqxfamilyname',
	reflection: 'ZQXREFLECTIONMARK my own words about my pitch',
	criterionWords: 'ZQXCRITERIONMARK I spoke to the year group',
	evidenceTitle: 'ZQXTITLEMARK poster',
	evidenceBody: 'ZQXBODYMARK what I made',
	teacherComment: 'ZQXTEACHERMARK confident and clear',
	requestNote: 'ZQXREQUESTMARK I presented at the open evening',
	gradeReason: 'Zqxgivenname asked for a second look'
};

async function routeStatus(call: () => unknown) {
	try {
		const result = await call();
		return result instanceof Response ? result.status : 200;
	} catch (problem) {
		if (isHttpError(problem)) return problem.status;
		throw problem;
	}
}

afterAll(async () => closeDb());

describe('erasure leaves no trace', () => {
	it('removes the learner’s words from the file and log, their badges (410), exports, sign-in records and audit text', async () => {
		const { db, schoolId } = await demoDatabase();
		process.env.UPLOADS_DIR = mkdtempSync(join(tmpdir(), 'fusion-erasure-'));
		const path = databaseLocationOf(db);
		// The public routes open the app's own connection: the same database.
		serveAppFrom(db);

		await db
			.updateTable('users')
			.set({ username: MARK.username, given_name: MARK.given, family_name: MARK.family })
			.where('username', '=', 'student1')
			.execute();
		const [teacher, admin, learner] = [
			await sessionUser(db, 'teacher'),
			await sessionUser(db, 'admin'),
			await sessionUser(db, MARK.username)
		];
		const {
			taskId,
			criteria: [c]
		} = await publishedTask(db, schoolId, teacher, ['C1.1'], { selfRequiredBeforeRelease: '' });
		// Drafts, as autosave writes them, then the final words.
		for (const draft of ['ZQXREFLECTIONMARK my own', MARK.reflection])
			await saveSelfAssessment(db, learner, taskId, { kind: 'reflection', text: draft });
		await saveSelfAssessment(db, learner, taskId, {
			kind: 'criterion',
			criterionId: c!.criterionId,
			value: 70,
			comment: MARK.criterionWords
		});
		await addEvidence(db, learner, taskId, {
			kind: 'text',
			title: MARK.evidenceTitle,
			body: MARK.evidenceBody
		});
		await submitSelfAssessment(db, learner, taskId);
		await saveTeacherGrade(db, teacher, taskId, learner.id, {
			kind: 'criterion',
			criterionId: c!.criterionId,
			value: 72,
			comment: MARK.teacherComment
		});
		await releaseGrades(db, teacher, taskId, learner.id);
		await saveTeacherGrade(db, teacher, taskId, learner.id, {
			kind: 'criterion',
			criterionId: c!.criterionId,
			value: 75,
			reason: MARK.gradeReason
		});
		const oralId = (await fusionSkills(db)).find((s) => s.code === 'FS-01')!.id;
		const badgeId = await createBadge(db, admin, {
			name: 'Confident presenter',
			description: 'Presents work clearly to an audience.',
			criteriaNarrative: 'Be judged Secure or above by your teacher.',
			layer: 'demonstrate',
			rule: { kind: 'skill', target: oralId, minBand: 3, minTasks: 1 },
			alignmentItemIds: [oralId]
		});
		await requestBadge(db, learner, badgeId, MARK.requestNote);
		const identifier = await issueBadge(db, teacher, badgeId, learner.id, ORIGIN);
		const event = (id: string) =>
			({ params: { identifier: id }, url: new URL(`${ORIGIN}/badges/awards/${id}`) }) as never;
		expect(await routeStatus(() => credentialJson(event(identifier)))).toBe(200);
		// Exports: one of the learner's class (holds their report), one of another class (does not).
		const mine = await startBatchExport(db, teacher, { classId: 1 });
		const theirs = await startBatchExport(db, await sessionUser(db, 'teacher2'), { classId: 2 });
		for (const id of [mine, theirs])
			await expect
				.poll(async () => (await exportJob(db, admin, id)).state, { timeout: 30_000 })
				.toBe('done');
		const mineFile = (await exportJob(db, admin, mine)).filePath!;
		expect(existsSync(mineFile)).toBe(true);
		for (let i = 0; i < 3; i++) await signIn(db, MARK.username, 'not the password', '203.0.113.9');
		expect(
			await db
				.selectFrom('login_attempts')
				.select('id')
				.where('username', '=', MARK.username)
				.execute()
		).toHaveLength(3);

		await eraseLearner(db, admin, learner.id, MARK.username);

		// The database file and its write-ahead log hold none of it. (PostgreSQL's files are the
		// server's, not the app's: there the erased tables are vacuumed, and docs/SECURITY.md says
		// what a city's storage must do; every table is searched below on both.)
		if (!isPostgresUrl(path)) {
			const bytes = Buffer.concat([
				readFileSync(path),
				existsSync(`${path}-wal`) ? readFileSync(`${path}-wal`) : Buffer.alloc(0)
			])
				.toString('latin1')
				.toLowerCase();
			for (const [what, marker] of Object.entries(MARK))
				expect(bytes.includes(marker.toLowerCase().slice(0, 14)), `${what} left on disk`).toBe(
					false
				);
		}
		for (const table of await db.introspection.getTables()) {
			const rows = await db
				.selectFrom(table.name as 'users')
				.selectAll()
				.execute();
			const text = JSON.stringify(rows).toLowerCase();
			for (const [what, marker] of Object.entries(MARK))
				expect(
					text.includes(marker.toLowerCase().slice(0, 14)),
					`${what} left in ${table.name}`
				).toBe(false);
		}

		// The award's addresses answer 410 Gone; only its identifier is kept.
		expect(await publicAward(db, identifier, ORIGIN)).toBeNull();
		for (const route of [awardPage, credentialJson, ob2Json, bakedSvg, bakedPng])
			expect(await routeStatus(() => (route as (e: never) => unknown)(event(identifier)))).toBe(
				410
			);
		expect(await db.selectFrom('erased_awards').selectAll().execute()).toEqual([{ identifier }]);
		expect(
			await db
				.selectFrom('badge_awards')
				.select('id')
				.where('learner_id', '=', learner.id)
				.execute()
		).toEqual([]);

		// The export holding their report is gone, file and row; the other class's stays.
		expect(existsSync(mineFile)).toBe(false);
		await expect(exportJob(db, admin, mine)).rejects.toMatchObject({ status: 404 });
		expect((await exportJob(db, admin, theirs)).state).toBe('done');

		// Audit entries about them keep what happened and when, with no name, title or text.
		const audit = await db.selectFrom('audit_log').selectAll().execute();
		const auditText = JSON.stringify(audit).toLowerCase();
		for (const marker of [MARK.username, MARK.given, MARK.family, 'zqxtitlemark', 'poster'])
			expect(auditText).not.toContain(marker.toLowerCase());
		expect(audit.map((a) => a.action)).toEqual(
			expect.arrayContaining(['evidence.add', 'badge.issue', 'grades.release', 'privacy.erase'])
		);
		await db.destroy();
	}, 90_000);
});
