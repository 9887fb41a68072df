import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, databaseLocationOf, type DB } from '../../src/lib/server/db/connection';
import { seedDemoActivity } from '../../src/lib/server/db/demo-activity';
import {
	holdGrades,
	releaseGrades,
	saveTeacherGrade
} from '../../src/lib/server/assessment/marking';
import { recordAgreedGrade } from '../../src/lib/server/moderation/moderation';
import { eraseLearner } from '../../src/lib/server/privacy/privacy';
import { enrolLearners, unenrolLearner } from '../../src/lib/server/classes/classes';
import { createPerson, setAccountActive } from '../../src/lib/server/people/accounts';
import { applyRosterImport } from '../../src/lib/server/roster/import';
import {
	rebuildAllAggregates,
	refreshReportGroups
} from '../../src/lib/server/profiles/aggregates';
import { up as oneSpellingOfYearGroups } from '../../migrations/0034_one_spelling_of_year_groups';
import {
	schoolFusionReportFromResults,
	schoolFusionSummary,
	schoolReportRowPages,
	type SchoolReportFilter
} from '../../src/lib/server/reports/school-report';
import { postgresTestRun } from './postgres-run';
import {
	FRAMEWORK_VIEWS,
	SKILLS_BUILDER,
	type FrameworkViewSlug
} from '../../src/lib/domain/mapped-frameworks';
import { mappedFramework } from '../../src/lib/server/frameworks/mapped';
import {
	crosswalkFor,
	resetSchoolCrosswalk,
	saveSchoolCrosswalk
} from '../../src/lib/server/frameworks/frameworks';
import { skillList } from '../../src/lib/server/profiles/results';
import { expectGroupTotalsMatchRecomputation } from './group-totals-check';
import { demoDatabase, publishedTask, secondSchool, sessionUser } from './helpers';
import { classLearners, fullyMarked } from './marking-fixture';

/** The page's figures from the totals equal those worked out from every released result. */
async function expectSummaryAsFromResults(
	db: DB,
	schoolId: number,
	filter: SchoolReportFilter,
	framework: FrameworkViewSlug = 'fusion-skills'
) {
	const fromTotals = await schoolFusionSummary(db, schoolId, filter, framework);
	const { rows: _rows, ...fromResults } = await schoolFusionReportFromResults(
		db,
		schoolId,
		filter,
		framework
	);
	const about = JSON.stringify({ ...filter, framework });
	expect(fromTotals.skills, about).toEqual(fromResults.skills);
	expect(fromTotals.framework, about).toEqual(fromResults.framework);
	expect(fromTotals.byYear, about).toEqual(fromResults.byYear);
	expect(fromTotals.byClass, about).toEqual(fromResults.byClass);
	expect(fromTotals.options.classes).toEqual(fromResults.options.classes);
	expect(fromTotals.options.years).toEqual(fromResults.options.years);
	return fromTotals;
}

async function demoWithActivity() {
	const { db, schoolId } = await demoDatabase();
	process.env.UPLOADS_DIR = mkdtempSync(join(tmpdir(), 'fusion-group-totals-'));
	await seedDemoActivity(db, 'http://localhost:3000');
	return { db, schoolId };
}

describe('class × skill and year group × skill totals (issue 16, 0032)', () => {
	it('equal a full recomputation after the demo’s activity, and the page’s figures are those worked out from every result, whole school, by year and by term', async () => {
		const { db, schoolId } = await demoWithActivity();
		await secondSchool(db);
		const counted = await expectGroupTotalsMatchRecomputation(db);
		expect(counted.totals).toBeGreaterThan(20);
		const whole = await expectSummaryAsFromResults(db, schoolId, {});
		expect(whole.byClass.some((g) => g.skills.some((s) => s.mean !== null))).toBe(true);
		const terms = whole.options.terms.map((t) => t.key);
		expect(terms.length).toBeGreaterThan(0);
		for (const framework of FRAMEWORK_VIEWS.map((v) => v.slug))
			for (const yearGroup of [undefined, ...whole.options.years])
				for (const term of [undefined, ...terms])
					await expectSummaryAsFromResults(db, schoolId, { yearGroup, term }, framework);
		// The terms offered: every term of the school's learner × term rows.
		const stored = await db
			.selectFrom('learner_term_skill_aggregates')
			.select('term_key')
			.distinct()
			.where('school_id', '=', schoolId)
			.orderBy('term_key')
			.execute();
		expect(terms).toEqual(stored.map((t) => t.term_key));
		// The page's class table a page at a time: each page the same rows as the whole table's.
		for (const page of [1, 2, 3]) {
			const paged = await schoolFusionSummary(db, schoolId, {}, 'fusion-skills', { page, size: 1 });
			expect(paged.classGroups).toBe(whole.byClass.length);
			expect(paged.byClass).toEqual(whole.byClass.slice(page - 1, page));
			expect(paged.byYear).toEqual(whole.byYear);
		}
		await db.destroy();
	}, 180_000);

	it('hold the other frameworks’ items too (0035): they follow a school’s crosswalk edited, reset or of CAPRI, and the learner rows a page at a time are those worked out from every result', async () => {
		const { db, schoolId } = await demoWithActivity();
		const admin = await sessionUser(db, 'admin');
		const [skillsBuilder, fusion] = await Promise.all([
			mappedFramework(db, schoolId, 'skills-builder'),
			skillList(db)
		]);
		const stored = () =>
			db
				.selectFrom('report_group_totals')
				.select('skill_id')
				.distinct()
				.where('school_id', '=', schoolId)
				.execute()
				.then((rows) => new Set(rows.map((r) => r.skill_id)));
		// Counted for every Skills Builder item, beside the Fusion Skills.
		const items = await stored();
		for (const item of skillsBuilder.items) expect(items.has(item.id), item.code).toBe(true);
		// Every Skills Builder item drawn from one Fusion Skill only: every figure moves.
		const only = fusion.find((s) => s.code === 'FS-04')!;
		await saveSchoolCrosswalk(
			db,
			schoolId,
			admin.id,
			skillsBuilder.items.map((i) => ({ sourceItemId: i.id, targetItemId: only.id, weight: 1 })),
			SKILLS_BUILDER.identifier
		);
		await expectGroupTotalsMatchRecomputation(db);
		const edited = await expectSummaryAsFromResults(db, schoolId, {}, 'skills-builder');
		expect(edited.framework?.mapping.every((m) => m.skills.length === 1)).toBe(true);
		await resetSchoolCrosswalk(db, schoolId, admin.id, SKILLS_BUILDER.identifier);
		await expectGroupTotalsMatchRecomputation(db);
		await expectSummaryAsFromResults(db, schoolId, {}, 'skills-builder');
		// CAPRI's crosswalk moves the Fusion Skills levels the items are read from.
		const capri = await crosswalkFor(db, schoolId);
		const subCategory = capri.find((r) => r.targetItemId !== only.id)!.sourceItemId;
		await saveSchoolCrosswalk(db, schoolId, admin.id, [
			{ sourceItemId: subCategory, targetItemId: only.id, weight: 5 }
		]);
		await expectGroupTotalsMatchRecomputation(db);
		await expectSummaryAsFromResults(db, schoolId, {}, 'oecd-learning-compass');

		// The CSV's rows: read a page of 7 learners at a time, the same rows, working and all.
		for (const filter of [{}, { classId: 1 }])
			for (const framework of ['skills-builder', 'fusion-skills'] as const) {
				const paged: unknown[] = [];
				for await (const page of schoolReportRowPages(db, schoolId, filter, framework, 7))
					for (const own of page.learners) paged.push(...own);
				const { rows } = await schoolFusionReportFromResults(db, schoolId, filter, framework);
				expect(paged.length, JSON.stringify(filter)).toBeGreaterThan(0);
				expect(paged, JSON.stringify({ filter, framework })).toEqual(rows);
			}
		await db.destroy();
	}, 180_000);

	it('follow release, a changed grade, agreement, a hold, a move between classes, a year group change, deactivation, a new learner and erasure', async () => {
		const { db, schoolId } = await demoDatabase();
		process.env.UPLOADS_DIR = mkdtempSync(join(tmpdir(), 'fusion-group-totals-'));
		const teacher = await sessionUser(db, 'teacher');
		const admin = await sessionUser(db, 'admin');
		// Every student counted in their groups before any grade: sizes only.
		await expectGroupTotalsMatchRecomputation(db);
		const [a, b, c] = await classLearners(db, 1);
		const { taskId, criteria } = await publishedTask(db, schoolId, teacher, [
			'C1.1',
			'P1.1',
			'R3.2'
		]);
		await fullyMarked(db, teacher, taskId, criteria, a!, [40, 60, 80]);
		await fullyMarked(db, teacher, taskId, criteria, b!, [20, 50, 70]);
		await fullyMarked(db, teacher, taskId, criteria, c!, [90, 10, 30]);
		// Autosaved and submitted, not released: nothing counted yet.
		expect(await db.selectFrom('report_group_totals').select('skill_id').execute()).toHaveLength(0);
		await releaseGrades(db, teacher, taskId, 'all');
		expect((await expectGroupTotalsMatchRecomputation(db)).totals).toBeGreaterThan(0);
		await expectSummaryAsFromResults(db, schoolId, {});

		await saveTeacherGrade(db, teacher, taskId, a!.id, {
			kind: 'criterion',
			criterionId: criteria[0]!.criterionId,
			value: 95,
			reason: 'Re-marked.'
		});
		await expectGroupTotalsMatchRecomputation(db);
		await recordAgreedGrade(db, teacher, taskId, b!.id, criteria[1]!.criterionId, 10, 'Agreed.');
		await expectGroupTotalsMatchRecomputation(db);
		await recordAgreedGrade(db, teacher, taskId, b!.id, criteria[1]!.criterionId, null, 'Cleared.');
		await expectGroupTotalsMatchRecomputation(db);
		await holdGrades(db, teacher, taskId, c!.id);
		await expectGroupTotalsMatchRecomputation(db);
		await releaseGrades(db, teacher, taskId, c!.id);

		// Moved from class 1 to class 2: the class totals follow, the year group's stay.
		await unenrolLearner(db, schoolId, admin.id, 1, a!.id);
		await expectGroupTotalsMatchRecomputation(db);
		await enrolLearners(db, schoolId, admin.id, 2, [a!.id]);
		await expectGroupTotalsMatchRecomputation(db);
		await expectSummaryAsFromResults(db, schoolId, {});

		// A roster import changes b's year group and puts them in a new class too.
		const { result } = await applyRosterImport(db, schoolId, admin.id, [
			{
				fileName: 'roster.csv',
				text: `username,given_name,family_name,role,class,year_group\n${b!.username},${b!.givenName},${b!.familyName},student,Moved Class,Year 13\n`
			}
		]);
		expect(result).not.toBeNull();
		const bYear = await db
			.selectFrom('memberships')
			.select('year_group')
			.where('user_id', '=', b!.id)
			.where('role', '=', 'student')
			.executeTakeFirstOrThrow();
		// Stored in the one spelling of year 13 (0034).
		expect(bYear.year_group).toBe('13');
		await expectGroupTotalsMatchRecomputation(db);
		await expectSummaryAsFromResults(db, schoolId, {});
		await expectSummaryAsFromResults(db, schoolId, { yearGroup: '13' });

		// Deactivated learners count nowhere; reactivated, they count again.
		await setAccountActive(db, schoolId, admin.id, c!.id, false);
		await expectGroupTotalsMatchRecomputation(db);
		await expectSummaryAsFromResults(db, schoolId, {});
		await setAccountActive(db, schoolId, admin.id, c!.id, true);
		await expectGroupTotalsMatchRecomputation(db);

		// A new learner, in no class: counted in their year group, without evidence.
		await createPerson(db, schoolId, admin.id, {
			username: 'new.learner',
			givenName: 'New',
			familyName: 'Learner',
			role: 'student',
			yearGroup: 'Year 7'
		});
		await expectGroupTotalsMatchRecomputation(db);

		// Erased: out of every group.
		await eraseLearner(db, admin, a!.id, a!.username);
		await expectGroupTotalsMatchRecomputation(db);
		await expectSummaryAsFromResults(db, schoolId, {});

		// Rebuilt from scratch, the totals are what the increments made.
		const before = await db.selectFrom('report_group_totals').selectAll().execute();
		await db.transaction().execute((trx) => rebuildAllAggregates(trx));
		const key = (r: (typeof before)[number]) =>
			`${r.school_id}|${r.class_id}|${r.year_key}|${r.term_key}|${r.skill_id}`;
		const sorted = (rows: typeof before) =>
			rows
				.map((r) => ({
					...r,
					learners: Number(r.learners),
					level_milli_sum: Number(r.level_milli_sum)
				}))
				.sort((x, y) => key(x).localeCompare(key(y)));
		expect(sorted(await db.selectFrom('report_group_totals').selectAll().execute())).toEqual(
			sorted(before)
		);
		await db.destroy();
	}, 120_000);

	it('two connections writing at once (two servers) leave totals equal to a recomputation, with no deadlock, a school’s crosswalk saved meanwhile too', async () => {
		const { db, schoolId } = await demoDatabase();
		process.env.UPLOADS_DIR = mkdtempSync(join(tmpdir(), 'fusion-group-totals-'));
		// Two servers share a database on PostgreSQL only; on SQLite one server's one connection
		// takes the writes in turn.
		const other = postgresTestRun() ? openDatabase(databaseLocationOf(db)) : db;
		const teacher = await sessionUser(db, 'teacher');
		const admin = await sessionUser(db, 'admin');
		const learners = (await classLearners(db, 1)).slice(0, 8);
		const { taskId, criteria } = await publishedTask(db, schoolId, teacher, ['C1.1', 'P1.1']);
		for (const [i, l] of learners.entries())
			await fullyMarked(db, teacher, taskId, criteria, l, [10 + i * 7, 80 - i * 5]);
		await releaseGrades(db, teacher, taskId, 'all');
		for (let round = 0; round < 6; round++) {
			// Each learner's grade changed through one connection or the other, all at once, into
			// the same class and year group rows; one learner moved between classes meanwhile.
			const moving = learners[round % learners.length]!;
			await Promise.all([
				...learners.map((l, i) =>
					saveTeacherGrade(i % 2 ? other : db, teacher, taskId, l.id, {
						kind: 'criterion',
						criterionId: criteria[(i + round) % 2]!.criterionId,
						value: (i * 13 + round * 29) % 101,
						reason: 'Changed.'
					})
				),
				round % 2 === 0
					? enrolLearners(other, schoolId, admin.id, 2, [moving.id])
					: unenrolLearner(db, schoolId, admin.id, 2, learners[(round - 1) % learners.length]!.id)
			]);
			await expectGroupTotalsMatchRecomputation(db);
		}
		// A school's Skills Builder crosswalk saved through one connection (its items counted again
		// for the whole school) while, through the other, a learner is deactivated or counted again
		// and grades change: the school's counting lock puts them in turn.
		const [skillsBuilder, fusion] = await Promise.all([
			mappedFramework(db, schoolId, 'skills-builder'),
			skillList(db)
		]);
		for (let round = 0; round < 4; round++) {
			const skill = fusion[round % fusion.length]!;
			const returning = learners[round % 2]!;
			await Promise.all([
				saveSchoolCrosswalk(
					other,
					schoolId,
					admin.id,
					skillsBuilder.items.map((item) => ({
						sourceItemId: item.id,
						targetItemId: skill.id,
						weight: 1 + round
					})),
					SKILLS_BUILDER.identifier
				),
				setAccountActive(db, schoolId, admin.id, returning.id, round >= 2),
				...learners.slice(2).map((l, i) =>
					saveTeacherGrade(i % 2 ? other : db, teacher, taskId, l.id, {
						kind: 'criterion',
						criterionId: criteria[(i + round) % 2]!.criterionId,
						value: (i * 17 + round * 31) % 101,
						reason: 'Changed again.'
					})
				)
			]);
			await expectGroupTotalsMatchRecomputation(db);
		}
		if (other !== db) await other.destroy();
		await db.destroy();
	}, 120_000);
	it('count a year group once however its learners’ year was spelt (0034): "Year 9" and " y9 " become "9", and the totals follow', async () => {
		const { db, schoolId } = await demoWithActivity();
		const students = await db
			.selectFrom('memberships')
			.select(['user_id', 'year_group'])
			.where('school_id', '=', schoolId)
			.where('role', '=', 'student')
			.orderBy('user_id')
			.execute();
		const year = students[0]!.year_group!;
		expect(year).toMatch(/^\d+$/);
		const ofYear = students.filter((m) => m.year_group === year).map((m) => m.user_id);
		expect(ofYear.length).toBeGreaterThanOrEqual(3);
		// As an earlier version stored what a school typed, and counted each spelling apart.
		const spelt = [`Year ${year}`, ` y${year} `];
		const respelt = ofYear.slice(0, 2);
		for (const [i, userId] of respelt.entries())
			await db
				.updateTable('memberships')
				.set({ year_group: spelt[i]! })
				.where('user_id', '=', userId)
				.where('role', '=', 'student')
				.execute();
		await refreshReportGroups(db, respelt);
		const before = await schoolFusionSummary(db, schoolId, {});
		expect(before.options.years).toEqual(expect.arrayContaining([year, ...spelt]));

		await oneSpellingOfYearGroups(db);
		const spellings = await db
			.selectFrom('memberships')
			.select('year_group')
			.distinct()
			.where('school_id', '=', schoolId)
			.execute();
		expect(spellings.map((s) => s.year_group).filter((y) => y?.includes(year))).toEqual([year]);
		await expectGroupTotalsMatchRecomputation(db);
		const after = await expectSummaryAsFromResults(db, schoolId, {});
		expect(after.options.years.filter((y) => y.includes(year))).toEqual([year]);
		expect(after.byYear.find((g) => g.group === year)!.learners).toBe(ofYear.length);
		// Run again, it changes nothing.
		await oneSpellingOfYearGroups(db);
		await expectGroupTotalsMatchRecomputation(db);
		await db.destroy();
	}, 120_000);
});
