import { afterAll, describe, expect, it } from 'vitest';
import {
	demoDatabase,
	prefixedSchool,
	secondSchool,
	serveAppFrom,
	sessionUser,
	userId
} from './helpers';
import { closeDb, type DB } from '../../src/lib/server/db/connection';
import { hashPassword } from '../../src/lib/server/auth/passwords';
import { schoolOfSize } from '../../src/lib/server/db/seed';
import { fusionSkills } from '../../src/lib/server/frameworks/frameworks';
import { listScales } from '../../src/lib/server/scales/scales';
import { capriTree } from '../../src/lib/server/frameworks/frameworks';
import { requireCityAdmin, requireRole } from '../../src/lib/server/auth/guards';
import { CITY_CSV_HEADER, cityReport, cityReportCsvRows } from '../../src/lib/server/city/report';
import { closeReportWorkers, reportWorkers } from '../../src/lib/server/workers/report-pool';
import { load as cityReportsPage } from '../../src/routes/city/reports/+page.server';
import { GET as cityCsvRoute } from '../../src/routes/city/reports/fusion-skills.csv/+server';
import { cityOverview, createCitySchool } from '../../src/lib/server/city/schools';
import {
	adoptCityCriterion,
	cityBankForSchool,
	createCityCriterion,
	takeNewerCityVersion,
	updateCityCriterion
} from '../../src/lib/server/city/criteria';
import {
	createCityTemplate,
	taskFromTemplate,
	templatesForSchool,
	updateCityTemplate
} from '../../src/lib/server/city/templates';
import {
	adoptCityBadge,
	cityBadgesForSchool,
	createCityBadge,
	updateCityBadge
} from '../../src/lib/server/city/badges';
import { figureOf } from '../../src/lib/domain/city-report';
import { Refusal } from '../../src/lib/server/errors';
import { taskCriteria } from '../../src/lib/server/tasks/task-criteria';
import { getCriterion } from '../../src/lib/server/criteria/criteria';

async function makeCity(db: DB, name: string, slug: string, admin: string) {
	const now = new Date().toISOString();
	const { id: cityId } = await db
		.insertInto('cities')
		.values({ name, slug, created_at: now })
		.returning('id')
		.executeTakeFirstOrThrow();
	const { id: adminId } = await db
		.insertInto('users')
		.values({
			username: admin,
			given_name: 'City',
			family_name: 'Admin',
			password_hash: await hashPassword('city-password'),
			password_changed_at: now,
			created_at: now
		})
		.returning('id')
		.executeTakeFirstOrThrow();
	await db
		.insertInto('city_admins')
		.values({ city_id: cityId, user_id: adminId, created_at: now })
		.execute();
	return cityId;
}

/**
 * Two cities: Northbridge City holds the demo school and a third school; Otherton holds the
 * "other" school. Every learner gets aggregates for every Fusion Skill (level 0.25 … 0.75).
 */
async function twoCities() {
	const { db, schoolId } = await demoDatabase();
	const { schoolId: otherSchoolId } = await secondSchool(db);
	const { schoolId: thirdSchoolId } = await prefixedSchool(db, 'third', {
		...schoolOfSize(7, 1, 11),
		schoolName: 'Third School'
	});
	const cityId = await makeCity(db, 'Northbridge City', 'nb-city', 'nb-city-admin');
	const otherCityId = await makeCity(db, 'Otherton', 'otherton', 'otherton-admin');
	await db
		.updateTable('schools')
		.set({ city_id: cityId })
		.where('id', 'in', [schoolId, thirdSchoolId])
		.execute();
	await db
		.updateTable('schools')
		.set({ city_id: otherCityId })
		.where('id', '=', otherSchoolId)
		.execute();
	const skills = await fusionSkills(db);
	const learners = await db
		.selectFrom('memberships')
		.select(['user_id', 'school_id'])
		.where('role', '=', 'student')
		.orderBy('user_id')
		.execute();
	const now = new Date().toISOString();
	const rows = learners.flatMap((l, i) =>
		skills.map((s) => ({
			learner_id: l.user_id,
			skill_id: s.id,
			school_id: l.school_id,
			weight: 2,
			level_sum: 2 * (0.25 + (i % 3) * 0.25),
			self_weight: 2,
			self_level_sum: 1,
			evidence_count: 1,
			task_count: 1,
			updated_at: now
		}))
	);
	for (let i = 0; i < rows.length; i += 100)
		await db
			.insertInto('learner_skill_aggregates')
			.values(rows.slice(i, i + 100))
			.execute();
	return { db, schoolId, otherSchoolId, thirdSchoolId, cityId, otherCityId, skills };
}

const asEvent = (user: App.Locals['user']) => ({
	locals: { user } as App.Locals,
	url: new URL('http://localhost/city')
});

async function cityCriterionInput(db: DB) {
	const scale = (await listScales(db, 0)).find((s) => s.shared)!;
	const sub = (await capriTree(db))[0]!.subCategories[0]!;
	return {
		subCategoryId: sub.id,
		scaleId: scale.id,
		title: 'Speaks to a city audience',
		description: 'Presents an idea clearly to people from other schools.',
		descriptors: scale.bands.map((b) => `${b.label}: what it looks like`),
		skillOverrides: []
	};
}

afterAll(async () => {
	await closeReportWorkers();
	await closeDb();
});

describe('the city report', () => {
	it('aggregates its own city’s schools by school × year group × skill, with small cells hidden', async () => {
		const { db, schoolId, thirdSchoolId, otherSchoolId, cityId, skills } = await twoCities();
		const report = await cityReport(db, cityId);
		expect(report.schools.map((s) => s.id).sort()).toEqual([schoolId, thirdSchoolId].sort());
		expect(report.schools.map((s) => s.id)).not.toContain(otherSchoolId);
		const skill = skills[0]!.id;
		// The demo school's year groups each hold 12 or more learners: shown, with their mean.
		for (const y of report.yearGroups) {
			const size = report.learnersInYear[`${schoolId}|${y}`];
			if (typeof size === 'number' && size >= 5)
				expect(figureOf(report, schoolId, y, skill).kind).toBe('shown');
		}
		const total = figureOf(report, schoolId, null, skill);
		expect(total.kind === 'shown' || total.kind === 'withheld').toBe(true);
		// Every shown mean is the mean of level_sum / weight.
		const shown = Object.values(report.figures).filter((f) => f.kind === 'shown');
		expect(shown.length).toBeGreaterThan(0);
		for (const f of shown) if (f.kind === 'shown') expect(f.mean).toBeGreaterThanOrEqual(0.25);
	});

	it('hides a school year group of fewer than 5 learners, and what would give it away', async () => {
		const { db, thirdSchoolId, cityId, skills } = await twoCities();
		// Third School's learners: move two into a year group of their own.
		const two = await db
			.selectFrom('memberships')
			.select('id')
			.where('school_id', '=', thirdSchoolId)
			.where('role', '=', 'student')
			.orderBy('id')
			.limit(2)
			.execute();
		await db
			.updateTable('memberships')
			.set({ year_group: '13' })
			.where(
				'id',
				'in',
				two.map((t) => t.id)
			)
			.execute();
		const report = await cityReport(db, cityId);
		const skill = skills[0]!.id;
		expect(figureOf(report, thirdSchoolId, '13', skill)).toEqual({ kind: 'small' });
		expect(report.learnersInYear[`${thirdSchoolId}|13`]).toBe('small');
		expect(figureOf(report, thirdSchoolId, null, skill).kind).not.toBe('shown');
		expect(figureOf(report, null, '13', skill).kind).not.toBe('shown');
		const csv = cityReportCsvRows(report);
		expect(
			csv.some((r) => r[0] === 'Third School' && r[1] === '13' && r[7] === 'fewer than 5')
		).toBe(true);
	});

	it('its page and CSV are read and built in a report worker: the same report as read here', async () => {
		const { db, cityId } = await twoCities();
		serveAppFrom(db);
		await closeDb();
		const here = await cityReport(db, cityId);
		const cityAdmin = await sessionUser(db, 'nb-city-admin');
		const event = (path: string) =>
			({
				locals: { user: cityAdmin, session: null },
				url: new URL(`http://localhost${path}`)
			}) as never;
		const page = (await cityReportsPage(event('/city/reports'))) as { report: typeof here };
		expect({ ...page.report, generatedAt: '' }).toEqual({ ...here, generatedAt: '' });
		expect(reportWorkers().threads().length).toBeGreaterThan(0);
		const csv = await (await cityCsvRoute(event('/city/reports/fusion-skills.csv?bom=0'))).text();
		expect(csv.split('\r\n')[0]).toBe(CITY_CSV_HEADER.join(','));
		expect(csv.split('\r\n').filter(Boolean)).toHaveLength(cityReportCsvRows(here).length + 1);
	}, 60_000);

	it('never carries a learner: no name, username or id of any learner in what it returns', async () => {
		const { db, cityId } = await twoCities();
		const report = await cityReport(db, cityId);
		const text = JSON.stringify(report) + JSON.stringify(cityReportCsvRows(report));
		const learners = await db
			.selectFrom('users')
			.innerJoin('memberships', 'memberships.user_id', 'users.id')
			.select(['users.username', 'users.given_name', 'users.family_name'])
			.where('memberships.role', '=', 'student')
			.execute();
		for (const l of learners) {
			expect(text).not.toContain(`"${l.username}"`);
			expect(text).not.toContain(l.family_name);
		}
		expect(text).not.toMatch(/learner_?[iI]d/);
	});
});

describe('the city admin’s schools', () => {
	it('counts only its own city’s schools, and makes a new school with its first admin', async () => {
		const { db, cityId, otherSchoolId, schoolId } = await twoCities();
		const overview = await cityOverview(db, cityId);
		expect(overview.schools.map((s) => s.id)).toContain(schoolId);
		expect(overview.schools.map((s) => s.id)).not.toContain(otherSchoolId);
		const demo = overview.schools.find((s) => s.id === schoolId)!;
		expect(demo).toMatchObject({ learners: 27, teachers: 2, classes: 2 });
		expect(Object.keys(demo).sort()).toEqual(
			['classes', 'createdAt', 'id', 'learners', 'name', 'teachers'].sort()
		);
		const actor = await userId(db, 'nb-city-admin');
		const created = await createCitySchool(
			db,
			cityId,
			actor,
			{ schoolName: 'Fourth Academy', username: 'fourth-admin', givenName: 'F', familyName: 'A' },
			'http://localhost'
		);
		expect(created.password).toMatch(/\S{8,}/);
		const school = await db
			.selectFrom('schools')
			.select(['city_id'])
			.where('id', '=', created.schoolId)
			.executeTakeFirstOrThrow();
		expect(school.city_id).toBe(cityId);
		const admin = await sessionUser(db, 'fourth-admin');
		expect(admin).toMatchObject({ schoolId: created.schoolId, roles: ['admin'], city: null });
		expect(admin.mustChangePassword).toBe(true);
		// The new school has the starter bank, like any set-up school.
		const bank = await db
			.selectFrom('criteria')
			.select('id')
			.where('school_id', '=', created.schoolId)
			.execute();
		expect(bank.length).toBeGreaterThan(10);
		expect((await cityOverview(db, cityId)).schools).toHaveLength(3);
	});
});

describe('who may act for a city', () => {
	it('only a city admin passes requireCityAdmin, for their own city; school roles are refused', async () => {
		const { db, cityId } = await twoCities();
		const cityAdmin = await sessionUser(db, 'nb-city-admin');
		expect(requireCityAdmin(asEvent(cityAdmin)).cityId).toBe(cityId);
		expect(cityAdmin).toMatchObject({ schoolId: 0, roles: [] });
		for (const username of ['admin', 'teacher', 'student1']) {
			const user = await sessionUser(db, username);
			expect(() => requireCityAdmin(asEvent(user))).toThrow(
				expect.objectContaining({ status: 403 })
			);
		}
		expect(() => requireCityAdmin(asEvent(null))).toThrow(expect.objectContaining({ status: 303 }));
		// ...and a city admin holds no school role: every school page refuses them.
		expect(() => requireRole(asEvent(cityAdmin), 'admin')).toThrow(
			expect.objectContaining({ status: 403 })
		);
		expect(() => requireRole(asEvent(cityAdmin), 'teacher', 'admin')).toThrow(
			expect.objectContaining({ status: 403 })
		);
	});
});

describe('the city criteria bank', () => {
	it('is seen and adopted by its own schools only, and offers a newer version', async () => {
		const { db, cityId, otherCityId, schoolId, otherSchoolId } = await twoCities();
		const actor = await userId(db, 'nb-city-admin');
		const input = await cityCriterionInput(db);
		const id = await createCityCriterion(db, cityId, actor, input);
		const otherId = await createCityCriterion(db, otherCityId, await userId(db, 'otherton-admin'), {
			...input,
			title: 'Otherton’s own'
		});

		const bank = await cityBankForSchool(db, schoolId);
		expect(bank.criteria.map((c) => c.id)).toEqual([id]);
		expect((await cityBankForSchool(db, otherSchoolId)).criteria.map((c) => c.id)).toEqual([
			otherId
		]);

		const teacher = await sessionUser(db, 'teacher');
		// Another city's criterion is as absent as one that does not exist.
		await expect(adoptCityCriterion(db, teacher, otherId)).rejects.toMatchObject({ status: 404 });
		const copyId = await adoptCityCriterion(db, teacher, id);
		const copy = await getCriterion(db, schoolId, copyId);
		expect(copy).toMatchObject({ title: input.title, version: 1 });
		await expect(adoptCityCriterion(db, teacher, id)).rejects.toBeInstanceOf(Refusal);

		// Adopted, so the city's edit is a new version; the school is offered it.
		const edit = await updateCityCriterion(db, cityId, actor, id, {
			...input,
			title: 'Speaks to a city audience, with evidence'
		});
		expect(edit.versioned).toBe(true);
		const offered = (await cityBankForSchool(db, schoolId)).criteria[0]!;
		expect(offered).toMatchObject({ id: edit.id, version: 2, newerVersion: true });
		expect(offered.copy).toMatchObject({ criterionId: copyId, adoptedVersion: 1 });
		await takeNewerCityVersion(db, teacher, edit.id);
		const after = (await cityBankForSchool(db, schoolId)).criteria[0]!;
		expect(after.newerVersion).toBe(false);
		expect((await getCriterion(db, schoolId, after.copy!.criterionId))!.title).toBe(
			'Speaks to a city audience, with evidence'
		);
		// The old version can no longer be adopted or edited.
		await expect(adoptCityCriterion(db, teacher, id)).rejects.toBeInstanceOf(Refusal);
		await expect(updateCityCriterion(db, cityId, actor, id, input)).rejects.toBeInstanceOf(Refusal);
		// Another city's admin cannot edit it.
		await expect(updateCityCriterion(db, otherCityId, actor, edit.id, input)).rejects.toMatchObject(
			{ status: 404 }
		);
	});

	it('refuses a school’s own scale: a city criterion fits every school', async () => {
		const { db, cityId, schoolId } = await twoCities();
		const input = await cityCriterionInput(db);
		const { id: ownScale } = await db
			.insertInto('grade_scales')
			.values({ school_id: schoolId, name: 'Ours', created_at: new Date().toISOString() })
			.returning('id')
			.executeTakeFirstOrThrow();
		await expect(
			createCityCriterion(db, cityId, 1, { ...input, scaleId: ownScale })
		).rejects.toBeInstanceOf(Refusal);
	});
});

describe('city task templates', () => {
	it('make a draft task in the teacher’s class with the criteria adopted, recording the version', async () => {
		const { db, cityId, otherCityId, schoolId } = await twoCities();
		const actor = await userId(db, 'nb-city-admin');
		const input = await cityCriterionInput(db);
		const criterionId = await createCityCriterion(db, cityId, actor, input);
		const templateInput = {
			title: 'City debate',
			brief: 'Argue a case.',
			scaleId: input.scaleId,
			settings: {
				selfRequiredBeforeRelease: true,
				selfMarkerVisibility: 'always' as const,
				peerEnabled: true,
				peerReviewersPerLearner: 2,
				peerAllocation: 'random' as const,
				peerAnonymous: true,
				groupTask: false
			},
			criteria: [{ cityCriterionId: criterionId, weight: 2 }]
		};
		const templateId = await createCityTemplate(db, cityId, actor, templateInput);
		const otherCriterion = await createCityCriterion(db, otherCityId, 1, input);
		const otherTemplate = await createCityTemplate(db, otherCityId, 1, {
			...templateInput,
			criteria: [{ cityCriterionId: otherCriterion, weight: 1 }]
		});
		// Another city's criterion cannot go into this city's template.
		await expect(
			createCityTemplate(db, cityId, actor, {
				...templateInput,
				criteria: [{ cityCriterionId: otherCriterion, weight: 1 }]
			})
		).rejects.toMatchObject({ status: 404 });

		expect((await templatesForSchool(db, schoolId)).map((t) => t.id)).toEqual([templateId]);
		const teacher = await sessionUser(db, 'teacher');
		await expect(taskFromTemplate(db, teacher, 1, otherTemplate)).rejects.toMatchObject({
			status: 404
		});
		const taskId = await taskFromTemplate(db, teacher, 1, templateId);
		const task = await db
			.selectFrom('tasks')
			.selectAll()
			.where('id', '=', taskId)
			.executeTakeFirstOrThrow();
		expect(task).toMatchObject({
			title: 'City debate',
			state: 'draft',
			city_template_id: templateId,
			peer_enabled: 1
		});
		const criteria = await taskCriteria(db, taskId);
		expect(criteria).toHaveLength(1);
		expect(criteria[0]!.weight).toBe(2);
		// The criterion came into the school's bank as the city's copy.
		expect((await cityBankForSchool(db, schoolId)).criteria[0]!.copy).not.toBeNull();

		// teacher2 does not teach class 1.
		const teacher2 = await sessionUser(db, 'teacher2');
		await expect(taskFromTemplate(db, teacher2, 1, templateId)).rejects.toMatchObject({
			status: 403
		});
		// A task was made from it: the edit is a new version, and the task keeps the old.
		const edit = await updateCityTemplate(db, cityId, actor, templateId, {
			...templateInput,
			title: 'City debate, revised'
		});
		expect(edit.versioned).toBe(true);
		await expect(taskFromTemplate(db, teacher, 1, templateId)).rejects.toMatchObject({
			status: 404
		});
	});
});

describe('city badges', () => {
	it('are adopted by a school of the city as its own badge, and a new version replaces the old', async () => {
		const { db, cityId, otherCityId, schoolId, skills } = await twoCities();
		const actor = await userId(db, 'nb-city-admin');
		const definition = {
			name: 'City speaker',
			description: 'Speaks well in public.',
			criteriaNarrative: 'Secure in oral communication in two tasks.',
			layer: 'demonstrate' as const,
			rule: { kind: 'skill' as const, target: skills[0]!.id, minBand: 3, minTasks: 2 },
			alignmentItemIds: [skills[0]!.id]
		};
		const badgeId = await createCityBadge(db, cityId, actor, definition);
		const otherBadge = await createCityBadge(db, otherCityId, 1, { ...definition, name: 'Other' });
		expect((await cityBadgesForSchool(db, schoolId)).badges.map((b) => b.id)).toEqual([badgeId]);

		const admin = await sessionUser(db, 'admin');
		await expect(adoptCityBadge(db, admin, otherBadge)).rejects.toMatchObject({ status: 404 });
		const schoolBadge = await adoptCityBadge(db, admin, badgeId);
		const row = await db
			.selectFrom('badges')
			.selectAll()
			.where('id', '=', schoolBadge)
			.executeTakeFirstOrThrow();
		expect(row).toMatchObject({ school_id: schoolId, city_badge_id: badgeId, active: 1 });
		expect(row.description).toContain('A badge of Northbridge City');
		await expect(adoptCityBadge(db, admin, badgeId)).rejects.toBeInstanceOf(Refusal);

		const edit = await updateCityBadge(db, cityId, actor, badgeId, {
			...definition,
			description: 'Speaks well in public, to any audience.'
		});
		expect(edit.versioned).toBe(true);
		expect((await cityBadgesForSchool(db, schoolId)).badges[0]).toMatchObject({
			newerVersion: true
		});
		const newer = await adoptCityBadge(db, admin, edit.id);
		const [old, current] = await Promise.all(
			[schoolBadge, newer].map((id) =>
				db.selectFrom('badges').select('active').where('id', '=', id).executeTakeFirstOrThrow()
			)
		);
		expect(old!.active).toBe(0);
		expect(current!.active).toBe(1);
	});
});
