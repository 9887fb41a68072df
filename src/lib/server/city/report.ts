import { sql } from 'kysely';
import type { DB } from '../db/connection';
import { fusionSkills } from '../frameworks/frameworks';
import { buildCityReport, figureOf, figureWords, type CityReport } from '../../domain/city-report';
import { levelWords } from '../../domain/profiles';
import { LEVEL_LABELS } from '../../domain/scales';
import { compareGroupNames } from '../../domain/names';

/**
 * The city's cross-school Fusion Skills report: learners with evidence and their mean level by
 * school × year group × skill, read from `learner_skill_aggregates` (one row per learner, skill and
 * school, maintained when grades are released or agreed) in one grouped query, so its cost grows
 * with the number of learners and never reads a judgement. Nothing leaves this module that names,
 * counts alone or places a learner: suppression (`domain/city-report.ts`) decides every figure.
 */

export interface CityReportData extends CityReport {
	/** learners (student memberships) per school × year group, for the working; small ones hidden */
	learnersInYear: Record<string, number | 'small'>;
	generatedAt: string;
}

const NO_YEAR = '';

export async function cityReport(
	db: DB,
	cityId: number,
	now = new Date()
): Promise<CityReportData> {
	// One GROUP BY over the aggregates of the city's schools: the index on
	// learner_skill_aggregates(school_id, skill_id) finds each school's rows. A learner's level for a
	// skill is level_sum / weight (domain/profiles.ts); only learners with evidence (weight > 0) count.
	const [cells, schools, skills, yearSizes] = await Promise.all([
		db
			.selectFrom('learner_skill_aggregates as a')
			.innerJoin('schools', 'schools.id', 'a.school_id')
			.innerJoin('memberships as m', (join) =>
				join
					.onRef('m.user_id', '=', 'a.learner_id')
					.onRef('m.school_id', '=', 'a.school_id')
					.on('m.role', '=', 'student')
			)
			.select((eb) => [
				'a.school_id as schoolId',
				'm.year_group as yearGroup',
				'a.skill_id as skillId',
				eb.fn.countAll<number>().as('learners'),
				eb.fn.sum<number>(sql<number>`a.level_sum / a.weight`).as('levelSum')
			])
			.where('schools.city_id', '=', cityId)
			.where('a.weight', '>', 0)
			.groupBy(['a.school_id', 'm.year_group', 'a.skill_id'])
			.orderBy('a.school_id')
			.orderBy('m.year_group')
			.orderBy('a.skill_id')
			.execute(),
		citySchools(db, cityId),
		fusionSkills(db),
		db
			.selectFrom('memberships as m')
			.innerJoin('schools', 'schools.id', 'm.school_id')
			.select((eb) => [
				'm.school_id as schoolId',
				'm.year_group as yearGroup',
				eb.fn.countAll<number>().as('learners')
			])
			.where('schools.city_id', '=', cityId)
			.where('m.role', '=', 'student')
			.groupBy(['m.school_id', 'm.year_group'])
			.orderBy('m.school_id')
			.orderBy('m.year_group')
			.execute()
	]);
	const yearGroups = [...new Set([...yearSizes, ...cells].map((r) => r.yearGroup ?? NO_YEAR))].sort(
		compareGroupNames
	);
	const report = buildCityReport({
		schools,
		yearGroups,
		skills: skills.map((s) => ({ id: s.id, code: s.code, title: s.title })),
		cells: cells.map((c) => ({
			schoolId: Number(c.schoolId),
			yearGroup: c.yearGroup ?? NO_YEAR,
			skillId: Number(c.skillId),
			learners: Number(c.learners),
			levelSum: Number(c.levelSum)
		}))
	});
	const learnersInYear: CityReportData['learnersInYear'] = {};
	for (const row of yearSizes) {
		const n = Number(row.learners);
		learnersInYear[`${row.schoolId}|${row.yearGroup ?? NO_YEAR}`] = n < 5 ? 'small' : n;
	}
	return { ...report, learnersInYear, generatedAt: now.toISOString() };
}

/** The city's schools, by name. */
export async function citySchools(db: DB, cityId: number) {
	return db
		.selectFrom('schools')
		.select(['id', 'name'])
		.where('city_id', '=', cityId)
		.orderBy('name')
		.orderBy('id')
		.execute();
}

export const CITY_CSV_HEADER = [
	'school',
	'year_group',
	'skill_code',
	'skill',
	'learners_with_evidence',
	'mean_level',
	'level_words',
	'note'
];

/**
 * The report as CSV rows: every school × year group × skill, then each school's total, each year
 * group's and the city's, with suppressed figures written as the page says them.
 */
export function cityReportCsvRows(report: CityReportData): unknown[][] {
	const rows: unknown[][] = [];
	const row = (school: string, year: string, schoolId: number | null, y: string | null) => {
		for (const skill of report.skills) {
			const figure = figureOf(report, schoolId, y, skill.id);
			rows.push([
				school,
				year,
				skill.code,
				skill.title,
				figure.kind === 'shown' ? figure.learners : figure.kind === 'none' ? 0 : '',
				figure.kind === 'shown' ? figure.mean.toFixed(3) : '',
				figure.kind === 'shown' ? levelWords(figure.mean, LEVEL_LABELS) : '',
				figure.kind === 'shown' || figure.kind === 'none' ? '' : figureWords(figure)
			]);
		}
	};
	for (const school of report.schools) {
		for (const y of report.yearGroups) row(school.name, yearLabel(y), school.id, y);
		row(school.name, 'all year groups', school.id, null);
	}
	for (const y of report.yearGroups) row('all schools', yearLabel(y), null, y);
	row('all schools', 'all year groups', null, null);
	return rows;
}

export const yearLabel = (yearGroup: string) =>
	yearGroup === NO_YEAR ? 'No year group' : yearGroup;
