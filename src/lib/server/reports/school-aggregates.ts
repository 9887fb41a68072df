import type { DB } from '../db/connection';
import { levelWords } from '../../domain/profiles';
import { LEVEL_LABELS } from '../../domain/scales';
import { compareGroupNames, displayName } from '../../domain/names';
import { WHOLE_YEAR_GROUP, yearKeyOf } from '../profiles/group-totals';
import type { SchoolReportFilter } from './school-report';

/**
 * The school report's summaries (class and year group means) are read from the class and year
 * group totals (0032, 0035) for the whole school or a year group, all terms or one, in the Fusion
 * Skills or another framework. A class's report counts only the class's own tasks, which the
 * totals do not hold apart: it is worked out from the class's results (bounded by the class).
 */
export function summaryFromTotals(filter: SchoolReportFilter): boolean {
	return filter.classId === undefined;
}

/**
 * The learner rows are read from the learner × skill totals (0026, 0028) in the Fusion Skills;
 * another framework's rows say how many results and tasks are behind each item (results counted
 * once however many of the item's skills they feed), which only the results tell, so they are
 * worked out from the results a page of learners at a time, as a class's are.
 */
export function rowsFromTotals(filter: SchoolReportFilter, framework: string): boolean {
	return framework === 'fusion-skills' && summaryFromTotals(filter);
}

export interface ReportSkill {
	id: number;
	code: string;
	title: string;
}

export interface LearnerSkillRow {
	learnerId: number;
	username: string;
	name: string;
	yearGroup: string;
	classes: string;
	skillCode: string;
	skill: string;
	level: number | null;
	words: string;
	evidenceCount: number;
	taskCount: number;
	working?: string;
}

const round3 = (n: number) => Math.round(n * 1000) / 1000;

/**
 * These learners' totals per skill: all terms from `learner_skill_aggregates` (one row per learner ×
 * skill), or one term's from `learner_term_skill_aggregates`. By learner only, so the database
 * seeks each learner's rows by the primary key (with the school too it chose the school's index and
 * read the whole school's); the caller keeps its school's rows.
 */
function totalsOfLearners(db: DB, ids: number[], term: string | undefined) {
	const columns = [
		'a.learner_id as learnerId',
		'a.skill_id as skillId',
		'a.school_id as schoolId',
		'a.weight',
		'a.level_sum as levelSum',
		'a.evidence_count as evidenceCount',
		'a.task_count as taskCount'
	] as const;
	return term === undefined
		? db
				.selectFrom('learner_skill_aggregates as a')
				.select(columns)
				.where('a.learner_id', 'in', ids)
				.execute()
		: db
				.selectFrom('learner_term_skill_aggregates as a')
				.select(columns)
				.where('a.learner_id', 'in', ids)
				.where('a.term_key', '=', term)
				.execute();
}

/**
 * The report's learners: the school's active students (of a year group, of a class), by family
 * name, given name, id.
 */
export function reportLearners(db: DB, schoolId: number, filter: SchoolReportFilter) {
	return db
		.selectFrom('memberships')
		.innerJoin('users', 'users.id', 'memberships.user_id')
		.select([
			'users.id',
			'users.username',
			'users.given_name as givenName',
			'users.family_name as familyName',
			'memberships.year_group as yearGroup'
		])
		.where('memberships.school_id', '=', schoolId)
		.where('memberships.role', '=', 'student')
		.where('users.active', '=', 1)
		.$if(filter.yearGroup !== undefined, (qb) =>
			qb.where('memberships.year_group', '=', filter.yearGroup!)
		)
		.$if(filter.classId !== undefined, (qb) =>
			qb.where('users.id', 'in', (eb) =>
				eb.selectFrom('enrolments').select('learner_id').where('class_id', '=', filter.classId!)
			)
		)
		.orderBy('users.family_name')
		.orderBy('users.given_name')
		.orderBy('users.id')
		.execute();
}

/** A learner as each of their rows repeats them. */
export interface ReportLearner {
	id: number;
	username: string;
	name: string;
	yearGroup: string;
	/** their classes in the school, by name, "7A; Drama" */
	classes: string;
}

/** A page of learners' rows, one list per learner, in the page's order. */
export type PageRows = (page: ReportLearner[]) => Promise<LearnerSkillRow[][]>;

/**
 * The report's learners a page at a time (ordered by family name, given name, id), each page with
 * its learner × skill rows from `rowsOf`. The learners and their classes are read once, in two
 * queries (what a row repeats: a few hundred bytes a learner, 3 MB for 10,000); only the rows'
 * figures are read a page at a time, so memory holds one page of them, not the school's.
 * (Reading the learners and classes a page at a time too was half the report's queries' time.)
 */
export async function* learnerRowPages(
	db: DB,
	schoolId: number,
	filter: SchoolReportFilter,
	rowsOf: PageRows,
	pageSize = 500
): AsyncGenerator<LearnerSkillRow[][]> {
	const [learners, enrolments] = await Promise.all([
		reportLearners(db, schoolId, filter),
		db
			.selectFrom('enrolments')
			.innerJoin('classes', 'classes.id', 'enrolments.class_id')
			.select(['enrolments.learner_id as learnerId', 'classes.name'])
			.where('classes.school_id', '=', schoolId)
			.$if(filter.classId !== undefined, (qb) =>
				qb.where('enrolments.learner_id', 'in', (eb) =>
					eb.selectFrom('enrolments').select('learner_id').where('class_id', '=', filter.classId!)
				)
			)
			.orderBy('enrolments.learner_id')
			.orderBy('classes.name')
			.orderBy('classes.id')
			.execute()
	]);
	const classesOf = new Map<number, string>();
	for (const e of enrolments) {
		const before = classesOf.get(e.learnerId);
		classesOf.set(e.learnerId, before === undefined ? e.name : `${before}; ${e.name}`);
	}
	enrolments.length = 0;
	for (let start = 0; start < learners.length; start += pageSize)
		yield rowsOf(
			learners.slice(start, start + pageSize).map((l) => ({
				id: l.id,
				username: l.username,
				name: displayName(l),
				yearGroup: l.yearGroup ?? '',
				classes: classesOf.get(l.id) ?? ''
			}))
		);
}

/** One row of the report: the learner's cells, the skill's, and the figures for it. */
export function learnerSkillRow(
	learner: ReportLearner,
	skill: Pick<ReportSkill, 'code' | 'title'>,
	figures: { level: number | null; evidenceCount: number; taskCount: number; working?: string }
): LearnerSkillRow {
	return {
		learnerId: learner.id,
		username: learner.username,
		name: learner.name,
		yearGroup: learner.yearGroup,
		classes: learner.classes,
		skillCode: skill.code,
		skill: skill.title,
		level: figures.level,
		words: levelWords(figures.level, LEVEL_LABELS),
		evidenceCount: figures.evidenceCount,
		taskCount: figures.taskCount,
		...(figures.working === undefined ? {} : { working: figures.working })
	};
}

/** The rows of a page of learners from their learner × skill totals: twelve rows a learner. */
export function rowsFromSkillTotals(
	db: DB,
	schoolId: number,
	filter: SchoolReportFilter,
	skills: readonly ReportSkill[]
): PageRows {
	return async (page) => {
		const totals = await totalsOfLearners(
			db,
			page.map((l) => l.id),
			filter.term
		);
		const totalsOf = new Map<number, Map<number, (typeof totals)[number]>>();
		for (const t of totals) {
			if (t.schoolId !== schoolId) continue;
			let own = totalsOf.get(t.learnerId);
			if (!own) totalsOf.set(t.learnerId, (own = new Map()));
			own.set(t.skillId, t);
		}
		return page.map((learner) => {
			const own = totalsOf.get(learner.id);
			return skills.map((skill) => {
				const t = own?.get(skill.id);
				const weight = Number(t?.weight ?? 0);
				return learnerSkillRow(learner, skill, {
					level: weight > 0 ? round3(Number(t!.levelSum) / weight) : null,
					evidenceCount: weight > 0 ? Number(t!.evidenceCount) : 0,
					taskCount: weight > 0 ? Number(t!.taskCount) : 0
				});
			});
		});
	};
}

/** One page of the class table: the page's class groups (by name) only are read and shown. */
export interface ClassPage {
	/** from 1 */
	page: number;
	size: number;
}

export interface GroupSummary {
	group: string;
	learners: number;
	skills: {
		skillCode: string;
		skill: string;
		mean: number | null;
		words: string;
		learnersWithEvidence: number;
	}[];
}

/**
 * Means per class and per year group × skill over learners with evidence (each learner's level
 * rounded as the profile rounds it), read from the group totals (0032, `profiles/group-totals.ts`):
 * a row per group and skill, however many learners the school has. A class's rows are split by
 * their learners' year group, so the year filter reads totals too. Classes (given in group order)
 * are grouped by name, as the page shows them.
 */
export async function aggregateSummaries(
	db: DB,
	schoolId: number,
	filter: SchoolReportFilter,
	skills: readonly ReportSkill[],
	classes: readonly { id: number; name: string }[],
	classPage?: ClassPage
) {
	const yearKey = filter.yearGroup === undefined ? undefined : yearKeyOf(filter.yearGroup);
	const nameOf = new Map(classes.map((c) => [c.id, c.name]));
	const [sizes, terms] = await Promise.all([
		db
			.selectFrom('report_group_sizes')
			.select(['class_id as classId', 'year_key as yearKey', 'learners'])
			.where('school_id', '=', schoolId)
			.where('learners', '>', 0)
			.$if(yearKey !== undefined, (qb) => qb.where('year_key', '=', yearKey!))
			.execute(),
		schoolTerms(db, schoolId)
	]);
	// The class groups (by name) on the page asked for: only their totals are read. `classes` come
	// in group order, so the names with learners keep it (no second sort of 350 names).
	const withLearners = new Set(
		sizes.filter((s) => s.classId !== WHOLE_YEAR_GROUP).map((s) => s.classId)
	);
	const classNames = [...new Set(classes.filter((c) => withLearners.has(c.id)).map((c) => c.name))];
	const shownNames = new Set(
		classPage
			? classNames.slice((classPage.page - 1) * classPage.size, classPage.page * classPage.size)
			: classNames
	);
	const shownIds = classes.filter((c) => shownNames.has(c.name)).map((c) => c.id);
	const [totals] = await Promise.all([
		db
			.selectFrom('report_group_totals')
			.select([
				'class_id as classId',
				'year_key as yearKey',
				'skill_id as skillId',
				'learners',
				'level_milli_sum as milli'
			])
			.where('school_id', '=', schoolId)
			.where('term_key', '=', filter.term ?? '')
			.where('learners', '>', 0)
			// The Fusion Skills' rows or the chosen framework's items' (0035 keeps both).
			.where(
				'skill_id',
				'in',
				skills.map((s) => s.id)
			)
			.$if(yearKey !== undefined, (qb) => qb.where('year_key', '=', yearKey!))
			.where((eb) =>
				eb.or([
					eb('class_id', '=', WHOLE_YEAR_GROUP),
					...(shownIds.length ? [eb('class_id', 'in', shownIds)] : [])
				])
			)
			.execute()
	]);
	const groupOf = (classId: number, key: string) =>
		classId === WHOLE_YEAR_GROUP ? key || 'No year group' : (nameOf.get(classId) ?? '');
	const summarise = (ofClasses: boolean): GroupSummary[] => {
		const counts = new Map<string, number>();
		for (const s of sizes)
			if ((s.classId !== WHOLE_YEAR_GROUP) === ofClasses) {
				const group = groupOf(s.classId, s.yearKey);
				if (ofClasses && !shownNames.has(group)) continue;
				counts.set(group, (counts.get(group) ?? 0) + Number(s.learners));
			}
		const byGroup = new Map<string, Map<number, { learners: number; milli: number }>>();
		for (const t of totals)
			if ((t.classId !== WHOLE_YEAR_GROUP) === ofClasses) {
				const group = groupOf(t.classId, t.yearKey);
				let own = byGroup.get(group);
				if (!own) byGroup.set(group, (own = new Map()));
				const sum = own.get(t.skillId) ?? { learners: 0, milli: 0 };
				sum.learners += Number(t.learners);
				sum.milli += Number(t.milli);
				own.set(t.skillId, sum);
			}
		return [...counts]
			.sort(([a], [b]) => compareGroupNames(a, b))
			.map(([group, learners]) => ({
				group,
				learners,
				skills: skills.map((skill) => {
					const t = byGroup.get(group)?.get(skill.id);
					// The sum of round3 levels over the learners, then rounded as before (thousandths
					// divided by 1000 give the same number as the sum of the rounded levels).
					const mean = t && t.learners > 0 ? round3(t.milli / 1000 / t.learners) : null;
					return {
						skillCode: skill.code,
						skill: skill.title,
						mean,
						words: levelWords(mean, LEVEL_LABELS),
						learnersWithEvidence: t?.learners ?? 0
					};
				})
			}));
	};
	return {
		byClass: summarise(true),
		classGroups: classNames.length,
		byYear: summarise(false),
		years: [
			...new Set(
				sizes.filter((s) => s.classId === WHOLE_YEAR_GROUP && s.yearKey).map((s) => s.yearKey)
			)
		].sort(compareGroupNames),
		terms: terms.map((key) => ({ key, label: termLabel(key) }))
	};
}

/**
 * The terms the school has any learner's totals in, one index seek per term (the next key after
 * the last): a handful of terms, not a scan of the school's rows.
 */
async function schoolTerms(db: DB, schoolId: number): Promise<string[]> {
	const terms: string[] = [];
	for (;;) {
		// The first entry of the (school, term) index past the last term found: `order by … limit 1`
		// rather than `min()`, which PostgreSQL planned as a scan of the school's 150,000 rows when
		// its estimate for the school was low (65 ms at 10,000 learners; now one index entry).
		const next = await db
			.selectFrom('learner_term_skill_aggregates')
			.select('term_key as termKey')
			.where('school_id', '=', schoolId)
			.$if(terms.length > 0, (qb) => qb.where('term_key', '>', terms.at(-1)!))
			.orderBy('school_id')
			.orderBy('term_key')
			.limit(1)
			.executeTakeFirst();
		if (!next?.termKey) return terms;
		terms.push(next.termKey);
	}
}

/** "2026-1" → "Autumn 2026–27": the label `schoolTerm` gives the same key. */
export function termLabel(key: string): string {
	const [year, order] = key.split('-').map(Number) as [number, number];
	const name = order === 1 ? 'Autumn' : order === 2 ? 'Spring' : 'Summer';
	return `${name} ${year}–${String((year + 1) % 100).padStart(2, '0')}`;
}
