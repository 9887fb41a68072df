import type { DB } from '../db/connection';
import {
	fusionSkillProfile,
	levelWords,
	schoolTerm,
	type CriterionResult
} from '../../domain/profiles';
import { releasedResults, skillList } from '../profiles/results';
import { LEVEL_LABELS } from '../../domain/scales';
import { compareGroupNames, displayName } from '../../domain/names';
import { mappedProfile, workingText } from '../../domain/framework-conversion';
import type { FrameworkViewSlug } from '../../domain/mapped-frameworks';
import { mappedFramework, type MappedFramework } from '../frameworks/mapped';
import {
	aggregateSummaries,
	type ClassPage,
	learnerRowPages,
	learnerSkillRow,
	reportLearners,
	rowsFromSkillTotals,
	rowsFromTotals,
	summaryFromTotals,
	type LearnerSkillRow,
	type ReportLearner,
	type ReportSkill
} from './school-aggregates';

export interface SchoolReportFilter {
	classId?: number;
	yearGroup?: string;
	/** a school term key, e.g. "2026-1" for Autumn 2026–27 */
	term?: string;
}

const round3 = (n: number) => Math.round(n * 1000) / 1000;

/**
 * The school's Fusion Skills picture: one row per learner × skill, and means per class and per year
 * group × skill (over learners with evidence; learners without are counted, not averaged in as 0).
 * With `framework`, the same picture in another framework (Skills Builder, the OECD Learning
 * Compass): each learner's Fusion Skills levels read through the school's crosswalk, `skills` being
 * that framework's items and each row carrying its working.
 */
export async function schoolFusionReport(
	db: DB,
	schoolId: number,
	filter: SchoolReportFilter = {},
	framework: FrameworkViewSlug = 'fusion-skills'
): Promise<SchoolFusionReport> {
	if (!summaryFromTotals(filter))
		return schoolFusionReportFromResults(db, schoolId, filter, framework);
	const [summary, rows] = await Promise.all([
		schoolFusionSummary(db, schoolId, filter, framework),
		(async () => {
			const all: LearnerSkillRow[] = [];
			for await (const page of schoolReportRowPages(db, schoolId, filter, framework))
				for (const own of page.learners) all.push(...own);
			return all;
		})()
	]);
	const { classGroups: _classGroups, ...report } = summary;
	return { ...report, rows };
}

/**
 * The report without its learner rows (what the admin page shows): from the class and year group
 * totals when it can be (`summaryFromTotals`), in the Fusion Skills or another framework, so its
 * cost is a few reads of a row per group and skill whatever the number of learners.
 */
export async function schoolFusionSummary(
	db: DB,
	schoolId: number,
	filter: SchoolReportFilter = {},
	framework: FrameworkViewSlug = 'fusion-skills',
	classPage?: ClassPage
): Promise<Omit<SchoolFusionReport, 'rows'> & { classGroups: number }> {
	if (!summaryFromTotals(filter)) {
		const { rows: _rows, ...rest } = await schoolFusionReportFromResults(
			db,
			schoolId,
			filter,
			framework
		);
		const start = classPage ? (classPage.page - 1) * classPage.size : 0;
		return {
			...rest,
			byClass: classPage ? rest.byClass.slice(start, start + classPage.size) : rest.byClass,
			classGroups: rest.byClass.length
		};
	}
	const [fusion, classes, mapped] = await Promise.all([
		skillList(db),
		schoolClassesInOrder(db, schoolId),
		framework === 'fusion-skills' ? null : mappedFramework(db, schoolId, framework)
	]);
	const skills = mapped ? itemColumns(mapped) : fusion;
	const summaries = await aggregateSummaries(db, schoolId, filter, skills, classes, classPage);
	return {
		skills,
		framework: mapped ? frameworkShown(mapped, fusion) : null,
		byClass: summaries.byClass,
		classGroups: summaries.classGroups,
		byYear: summaries.byYear,
		options: { classes, years: summaries.years, terms: summaries.terms }
	};
}

/** The school's classes as the report lists them (7S before 10A), with their year groups. */
async function schoolClassesInOrder(db: DB, schoolId: number) {
	const classes = await db
		.selectFrom('classes')
		.select(['id', 'name', 'year_group as yearGroup'])
		.where('school_id', '=', schoolId)
		.execute();
	return classes.sort((a, b) => compareGroupNames(a.name, b.name) || a.id - b.id);
}

/** A mapped framework's items as the report's columns. */
const itemColumns = (mapped: MappedFramework) =>
	mapped.items.map(({ id, code, title, identifier }) => ({ id, code, title, identifier }));

/** The framework shown, with each item's mapping onto the Fusion Skills (the report's working). */
function frameworkShown(mapped: MappedFramework, fusion: readonly ReportSkill[]) {
	const skillOf = new Map(fusion.map((s) => [s.id, s]));
	return {
		slug: mapped.slug,
		title: mapped.title,
		shortTitle: mapped.shortTitle,
		creator: mapped.creator,
		mapping: mapped.items.map((item) => ({
			code: item.code,
			title: item.title,
			skills: item.mapping.map((m) => ({
				code: skillOf.get(m.skillId)?.code ?? '',
				title: skillOf.get(m.skillId)?.title ?? '',
				share: m.share
			}))
		}))
	};
}

/**
 * The learner × skill rows a page of learners at a time, for a streamed CSV: from the learner ×
 * skill totals when it can be (`rowsFromTotals`), else worked out from the page's learners'
 * results (a class, or another framework's view): either way the server holds a page, not the
 * school.
 */
export async function* schoolReportRowPages(
	db: DB,
	schoolId: number,
	filter: SchoolReportFilter = {},
	framework: FrameworkViewSlug = 'fusion-skills',
	pageSize?: number
): AsyncGenerator<{
	skills: SchoolFusionReport['skills'];
	framework: boolean;
	learners: LearnerSkillRow[][];
}> {
	const [fusion, mapped] = await Promise.all([
		skillList(db),
		framework === 'fusion-skills' ? null : mappedFramework(db, schoolId, framework)
	]);
	const skills = mapped ? itemColumns(mapped) : fusion;
	const rowsOf = rowsFromTotals(filter, framework)
		? rowsFromSkillTotals(db, schoolId, filter, fusion)
		: async (page: ReportLearner[]) => {
				const results = await releasedResults(db, {
					schoolId,
					classId: filter.classId,
					learnerIds: page.map((l) => l.id),
					includeSelf: false
				});
				return page.map(
					(learner) =>
						learnerRowsFromResults(learner, results.get(learner.id) ?? [], filter, fusion, mapped)
							.rows
				);
			};
	// A page's results are some 160 a learner (20 tasks × 8 criteria): 200 learners a page keep
	// them to a few megabytes.
	const size = pageSize ?? (rowsFromTotals(filter, framework) ? 500 : 200);
	for await (const learners of learnerRowPages(db, schoolId, filter, rowsOf, size))
		yield { skills, framework: mapped !== null, learners };
}

/**
 * One learner's rows from their released results: their Fusion Skills profile, or that profile read
 * in another framework (each row with its working), and each column's level.
 */
function learnerRowsFromResults(
	learner: ReportLearner,
	results: readonly CriterionResult[],
	filter: SchoolReportFilter,
	fusion: readonly ReportSkill[],
	mapped: MappedFramework | null
): { rows: LearnerSkillRow[]; levels: Map<number, number | null> } {
	const own = filter.term
		? results.filter((r) => schoolTerm(r.releasedAt).key === filter.term)
		: results;
	const fusionProfile = fusionSkillProfile(
		own,
		fusion.map((s) => s.id)
	);
	const skills = mapped ? mapped.items : fusion;
	const converted = mapped
		? mappedProfile(
				own,
				fusionProfile,
				mapped.crosswalk,
				skills.map((s) => s.id)
			)
		: null;
	const profile = converted ?? fusionProfile;
	const codeOf = (id: number) => fusion.find((s) => s.id === id)?.code ?? '';
	const levels = new Map<number, number | null>();
	const rows = skills.map((skill) => {
		const entry = profile.get(skill.id)!;
		const conversion = converted?.get(skill.id);
		levels.set(skill.id, entry.level);
		return learnerSkillRow(learner, skill, {
			level: entry.level,
			evidenceCount: entry.evidenceCount,
			taskCount: entry.tasks.length,
			// How a mapped figure came from the Fusion Skills (only in a mapped framework's report).
			...(conversion ? { working: workingText(conversion, codeOf) } : {})
		});
	});
	return { rows, levels };
}

/**
 * The report worked out from every released result in scope (a class's own report): also the
 * reference the totals are tested against.
 */
export async function schoolFusionReportFromResults(
	db: DB,
	schoolId: number,
	filter: SchoolReportFilter,
	framework: FrameworkViewSlug
) {
	const [learners, enrolments, fusion, results, classes, mapped] = await Promise.all([
		reportLearners(db, schoolId, filter),
		db
			.selectFrom('enrolments')
			.innerJoin('classes', 'classes.id', 'enrolments.class_id')
			.select(['enrolments.learner_id as learnerId', 'classes.id as classId', 'classes.name'])
			.where('classes.school_id', '=', schoolId)
			.orderBy('classes.name')
			.orderBy('classes.id')
			.execute(),
		skillList(db),
		releasedResults(db, {
			schoolId,
			classId: filter.classId,
			yearGroup: filter.yearGroup,
			includeSelf: false
		}),
		schoolClassesInOrder(db, schoolId),
		framework === 'fusion-skills' ? null : mappedFramework(db, schoolId, framework)
	]);
	// The columns of the report: the Fusion Skills, or the chosen framework's items.
	const skills = mapped ? itemColumns(mapped) : fusion;
	const classesOf = new Map<number, { classId: number; name: string }[]>();
	for (const e of enrolments)
		classesOf.set(e.learnerId, [
			...(classesOf.get(e.learnerId) ?? []),
			{ classId: e.classId, name: e.name }
		]);

	const rows: LearnerSkillRow[] = [];
	const learnerLevels = new Map<number, Map<number, number | null>>();
	for (const learner of learners) {
		const own = learnerRowsFromResults(
			{
				id: learner.id,
				username: learner.username,
				name: displayName(learner),
				yearGroup: learner.yearGroup ?? '',
				classes: (classesOf.get(learner.id) ?? []).map((c) => c.name).join('; ')
			},
			results.get(learner.id) ?? [],
			filter,
			fusion,
			mapped
		);
		learnerLevels.set(learner.id, own.levels);
		rows.push(...own.rows);
	}

	const summarise = (groupOf: (learnerId: number) => string[]) => {
		const groups = new Map<string, number[]>();
		for (const learner of learners)
			for (const g of groupOf(learner.id)) groups.set(g, [...(groups.get(g) ?? []), learner.id]);
		return [...groups.entries()]
			.sort(([a], [b]) => compareGroupNames(a, b))
			.map(([group, ids]) => ({
				group,
				learners: ids.length,
				skills: skills.map((skill) => {
					const levels = ids
						.map((id) => learnerLevels.get(id)!.get(skill.id))
						.filter((l): l is number => l !== null && l !== undefined);
					const mean = levels.length
						? round3(levels.reduce((s, l) => s + l, 0) / levels.length)
						: null;
					return {
						skillCode: skill.code,
						skill: skill.title,
						mean,
						words: levelWords(mean, LEVEL_LABELS),
						learnersWithEvidence: levels.length
					};
				})
			}));
	};
	const yearOf = new Map(learners.map((l) => [l.id, l.yearGroup ?? 'No year group']));
	// Results share a few release dates: work out each date's term once, not once per result.
	const releaseDates = new Set<string>();
	for (const list of results.values()) for (const r of list) releaseDates.add(r.releasedAt);
	const terms = new Map<string, string>();
	for (const date of releaseDates) {
		const t = schoolTerm(date);
		terms.set(t.key, t.label);
	}
	return {
		skills,
		/** the framework shown, with each item's mapping onto the Fusion Skills; null: Fusion Skills */
		framework: mapped ? frameworkShown(mapped, fusion) : null,
		rows,
		byClass: summarise((id) =>
			(classesOf.get(id) ?? [])
				.filter((c) => filter.classId === undefined || c.classId === filter.classId)
				.map((c) => c.name)
		),
		byYear: summarise((id) => [yearOf.get(id)!]),
		options: {
			classes,
			years: [
				...new Set(learners.map((l) => l.yearGroup).filter((y): y is string => Boolean(y)))
			].sort(compareGroupNames),
			terms: [...terms.entries()]
				.sort(([a], [b]) => a.localeCompare(b))
				.map(([key, label]) => ({ key, label }))
		}
	};
}

export type SchoolFusionReport = Awaited<ReturnType<typeof schoolFusionReportFromResults>>;

export const LEARNER_CSV_HEADER = [
	'learner_id',
	'username',
	'name',
	'year_group',
	'classes',
	'skill_code',
	'skill',
	'level',
	'level_words',
	'evidence_count',
	'task_count'
];
export const SUMMARY_CSV_HEADER = [
	'grouping',
	'group',
	'learners',
	'skill_code',
	'skill',
	'mean_level',
	'level_words',
	'learners_with_evidence'
];

/** The long layout's header: a mapped framework's rows carry their working in one more column. */
export function learnerCsvHeader(report: SchoolFusionReport): string[] {
	return report.framework ? [...LEARNER_CSV_HEADER, 'working'] : LEARNER_CSV_HEADER;
}

export function learnerRowsForCsv(report: SchoolFusionReport): unknown[][] {
	return report.rows.map((r) => [
		...learnerRowCells(r),
		...(report.framework ? [r.working ?? ''] : [])
	]);
}

function learnerRowCells(r: SchoolFusionReport['rows'][number]): unknown[] {
	return [
		r.learnerId,
		r.username,
		r.name,
		r.yearGroup,
		r.classes,
		r.skillCode,
		r.skill,
		r.level ?? '',
		r.words,
		r.evidenceCount,
		r.taskCount
	];
}

/**
 * The wide layout spreadsheets want: one row per learner, a level column per skill (blank where
 * there is no evidence yet, never 0), beside the long learner × skill layout.
 */
export function wideCsv(report: SchoolFusionReport): { header: string[]; rows: unknown[][] } {
	const header = [
		'learner_id',
		'username',
		'name',
		'year_group',
		'classes',
		...report.skills.map((s) => `${s.code} ${s.title}`)
	];
	const byLearner = new Map<number, SchoolFusionReport['rows']>();
	for (const r of report.rows)
		byLearner.set(r.learnerId, [...(byLearner.get(r.learnerId) ?? []), r]);
	const rows = [...byLearner.values()].map((own) => {
		const first = own[0]!;
		const levels = new Map(own.map((r) => [r.skillCode, r.level]));
		return [
			first.learnerId,
			first.username,
			first.name,
			first.yearGroup,
			first.classes,
			...report.skills.map((s) => levels.get(s.code) ?? '')
		];
	});
	return { header, rows };
}

export function summaryRowsForCsv(
	report: Pick<SchoolFusionReport, 'byClass' | 'byYear'>
): unknown[][] {
	const rows: unknown[][] = [];
	for (const [grouping, groups] of [
		['class', report.byClass],
		['year', report.byYear]
	] as const) {
		for (const g of groups)
			for (const s of g.skills)
				rows.push([
					grouping,
					g.group,
					g.learners,
					s.skillCode,
					s.skill,
					s.mean ?? '',
					s.words,
					s.learnersWithEvidence
				]);
	}
	return rows;
}
