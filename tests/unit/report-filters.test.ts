import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDb, type DB } from '../../src/lib/server/db/connection';
import { schoolOfSize } from '../../src/lib/server/db/seed';
import { CLASSES_LISTED_AT_ONCE, classFilterChoices } from '../../src/lib/domain/report-filters';
import { load } from '../../src/routes/admin/reports/+page.server';
import { demoDatabase, prefixedSchool, serveAppFrom, sessionUser } from './helpers';

const classes = (n: number) =>
	Array.from({ length: n }, (_, i) => ({
		id: i + 1,
		name: `${7 + (i % 7)}${i} Class`,
		yearGroup: String(7 + (i % 7))
	}));

describe('the report’s class filter', () => {
	it(`lists every class of a school of up to ${CLASSES_LISTED_AT_ONCE}`, () => {
		const few = classes(CLASSES_LISTED_AT_ONCE);
		expect(classFilterChoices(few, {})).toEqual({
			classes: few,
			chooseYearFirst: false,
			total: 40
		});
	});

	it('lists one year group’s classes at a big school, the chosen class always among them', () => {
		const many = classes(350);
		expect(classFilterChoices(many, {})).toEqual({
			classes: [],
			chooseYearFirst: true,
			total: 350
		});
		const chosen = classFilterChoices(many, { classId: 2 });
		expect(chosen.classes.map((c) => c.id)).toEqual([2]);
		expect(chosen.chooseYearFirst).toBe(true);
		// The year as a link may spell it: "Year 7" is year 7.
		const year7 = classFilterChoices(many, { yearGroup: 'Year 7', classId: 2 });
		expect(year7.chooseYearFirst).toBe(false);
		expect(year7.classes.filter((c) => c.yearGroup !== '7').map((c) => c.id)).toEqual([2]);
		expect(year7.classes.filter((c) => c.yearGroup === '7')).toHaveLength(50);
	});
});

describe('the admin reports page at a school of many classes', () => {
	let db: DB;
	let bigAdmin: Awaited<ReturnType<typeof sessionUser>>;
	beforeAll(async () => {
		({ db } = await demoDatabase());
		serveAppFrom(db);
		await prefixedSchool(db, 'many', schoolOfSize(90, 45, 9));
		bigAdmin = await sessionUser(db, 'many-admin');
	});
	afterAll(async () => {
		await closeDb();
		await db.destroy();
	});

	const page = async (query: string) =>
		(await load({
			locals: { user: bigAdmin, session: null },
			url: new URL(`http://localhost/admin/reports${query}`)
		} as never)) as Exclude<Awaited<ReturnType<typeof load>>, void>;

	it('asks for a year group first, then lists that year’s classes; a small school lists them all', async () => {
		const all = await page('');
		expect(all.classChoices).toMatchObject({ classes: [], chooseYearFirst: true, total: 45 });
		const year = all.options.years[0]!;
		const ofYear = await page(`?year=${encodeURIComponent(`Year ${year}`)}`);
		expect(ofYear.classChoices.chooseYearFirst).toBe(false);
		expect(ofYear.classChoices.classes.length).toBeGreaterThan(0);
		expect(
			ofYear.classChoices.classes.every((c: { yearGroup: string | null }) => c.yearGroup === year)
		).toBe(true);
		const demoAdmin = await sessionUser(db, 'admin');
		const demo = (await load({
			locals: { user: demoAdmin, session: null },
			url: new URL('http://localhost/admin/reports')
		} as never)) as typeof all;
		expect(demo.classChoices.chooseYearFirst).toBe(false);
		expect(demo.classChoices.classes.length).toBe(demo.classChoices.total);
	});

	it('refuses a teacher', async () => {
		const teacher = await sessionUser(db, 'many-teacher');
		await expect(
			load({
				locals: { user: teacher, session: null },
				url: new URL('http://localhost/admin/reports')
			} as never)
		).rejects.toMatchObject({ status: 403 });
	});
});
