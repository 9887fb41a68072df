import { sql } from 'kysely';
import type { DB } from '../db/connection';
import { levelWords } from '../../domain/profiles';
import { LEVEL_LABELS } from '../../domain/scales';
import { displayName } from '../../domain/names';
import { round3Sql } from '../db/dialect';
import type { SchoolReportFilter } from './school-report';

/**
 * The school report read from the learner × skill totals (`profiles/aggregates.ts`) rather than
 * from every released judgement: the whole school or a year group, all terms or one. A class's
 * report (the class filter, bounded by the class) and another framework's view (which needs each
 * result's mapping) are still worked out from the results.
 */
export function reportFromAggregates(filter: SchoolReportFilter, framework: string): boolean {
	return framework === 'fusion-skills' && filter.classId === undefined;
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

/** The totals a report reads: all terms (0026's rows), or one term's (0028's). */
function totalsOf(db: DB, schoolId: number, term: string | undefined) {
	return term === undefined
		? db
				.selectFrom('learner_skill_aggregates as a')
				.where('a.school_id', '=', schoolId)
				.where('a.weight', '>', 0)
		: db
				.selectFrom('learner_term_skill_aggregates as a')
				.where('a.school_id', '=', schoolId)
				.where('a.term_key', '=', term)
				.where('a.weight', '>', 0);
}

/**
 * The report's learners a page at a time (ordered by family name, given name, id), each page with
 * its learner × skill rows. Memory holds one page and the ordered ids, not the school's rows.
 */
export async function* learnerRowPages(
	db: DB,
	schoolId: number,
	filter: SchoolReportFilter,
	skills: readonly ReportSkill[],
	pageSize = 100
): AsyncGenerator<LearnerSkillRow[][]> {
	// The order once, as ids only (8 bytes a learner: the one thing held for the whole school);
	// each page then reads its own learners, classes and totals by id. (A keyset query per page
	// sorted the school's learners again for every page.)
	const order = await db
		.selectFrom('memberships')
		.innerJoin('users', 'users.id', 'memberships.user_id')
		.select('users.id')
		.where('memberships.school_id', '=', schoolId)
		.where('memberships.role', '=', 'student')
		.where('users.active', '=', 1)
		.$if(filter.yearGroup !== undefined, (qb) =>
			qb.where('memberships.year_group', '=', filter.yearGroup!)
		)
		.orderBy('users.family_name')
		.orderBy('users.given_name')
		.orderBy('users.id')
		.execute();
	const orderedIds = Int32Array.from(order, (r) => r.id);
	order.length = 0;
	for (let start = 0; start < orderedIds.length; start += pageSize) {
		const pageIds = [...orderedIds.subarray(start, start + pageSize)];
		const found = await db
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
			.where('users.id', 'in', pageIds)
			.execute();
		const byId = new Map(found.map((l) => [l.id, l]));
		const learners = pageIds.flatMap((id) => {
			const learner = byId.get(id);
			return learner ? [learner] : [];
		});
		if (learners.length === 0) continue;
		const ids = learners.map((l) => l.id);
		const [enrolments, totals] = await Promise.all([
			db
				.selectFrom('enrolments')
				.innerJoin('classes', 'classes.id', 'enrolments.class_id')
				.select(['enrolments.learner_id as learnerId', 'classes.name'])
				.where('classes.school_id', '=', schoolId)
				.where('enrolments.learner_id', 'in', ids)
				.orderBy('enrolments.learner_id')
				.orderBy('classes.name')
				.orderBy('classes.id')
				.execute(),
			db
				.selectFrom('learner_term_skill_aggregates as a')
				.select((eb) => [
					'a.learner_id as learnerId',
					'a.skill_id as skillId',
					eb.fn.sum<number>('a.weight').as('weight'),
					eb.fn.sum<number>('a.level_sum').as('levelSum'),
					eb.fn.sum<number>('a.evidence_count').as('evidenceCount'),
					eb.fn.sum<number>('a.task_count').as('taskCount')
				])
				// By learner only, so the database seeks each learner's rows by the primary key
				// (with the school too it chose the school's index and read the whole school's).
				.select('a.school_id as schoolId')
				.where('a.learner_id', 'in', ids)
				.$if(filter.term !== undefined, (qb) => qb.where('a.term_key', '=', filter.term!))
				.groupBy(['a.learner_id', 'a.skill_id', 'a.school_id'])
				.execute()
		]);
		const classesOf = new Map<number, string[]>();
		for (const e of enrolments) {
			const list = classesOf.get(e.learnerId);
			if (list) list.push(e.name);
			else classesOf.set(e.learnerId, [e.name]);
		}
		const totalsOf = new Map<number, Map<number, (typeof totals)[number]>>();
		for (const t of totals) {
			if (t.schoolId !== schoolId) continue;
			let own = totalsOf.get(t.learnerId);
			if (!own) totalsOf.set(t.learnerId, (own = new Map()));
			own.set(t.skillId, t);
		}
		yield learners.map((learner) => {
			const own = totalsOf.get(learner.id);
			const name = displayName(learner);
			const classes = (classesOf.get(learner.id) ?? []).join('; ');
			return skills.map((skill) => {
				const t = own?.get(skill.id);
				const weight = Number(t?.weight ?? 0);
				const level = weight > 0 ? round3(Number(t!.levelSum) / weight) : null;
				return {
					learnerId: learner.id,
					username: learner.username,
					name,
					yearGroup: learner.yearGroup ?? '',
					classes,
					skillCode: skill.code,
					skill: skill.title,
					level,
					words: levelWords(level, LEVEL_LABELS),
					evidenceCount: weight > 0 ? Number(t!.evidenceCount) : 0,
					taskCount: weight > 0 ? Number(t!.taskCount) : 0
				};
			});
		});
	}
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
 * rounded as the profile rounds it), worked out by the database from the totals: a few grouped
 * queries, no row per judgement or per learner handed to JavaScript.
 */
export async function aggregateSummaries(
	db: DB,
	schoolId: number,
	filter: SchoolReportFilter,
	skills: readonly ReportSkill[]
) {
	const learnerLevel = round3Sql(
		db,
		sql<number>`${sql.ref('a.level_sum')} / ${sql.ref('a.weight')}`
	);
	const students = () =>
		db
			.selectFrom('memberships as m')
			.innerJoin('users as u', 'u.id', 'm.user_id')
			.where('m.school_id', '=', schoolId)
			.where('m.role', '=', 'student')
			.where('u.active', '=', 1)
			.$if(filter.yearGroup !== undefined, (qb) =>
				qb.where('m.year_group', '=', filter.yearGroup!)
			);
	const [yearCounts, classCounts, yearLevels, classLevels, years, terms] = await Promise.all([
		students()
			.select((eb) => ['m.year_group as group', eb.fn.countAll<number>().as('learners')])
			.groupBy('m.year_group')
			.execute(),
		students()
			.innerJoin('enrolments as e', 'e.learner_id', 'm.user_id')
			.innerJoin('classes as c', 'c.id', 'e.class_id')
			.where('c.school_id', '=', schoolId)
			.select((eb) => ['c.name as group', eb.fn.countAll<number>().as('learners')])
			.groupBy('c.name')
			.execute(),
		totalsOf(db, schoolId, filter.term)
			.innerJoin('memberships as m', (join) =>
				join
					.onRef('m.user_id', '=', 'a.learner_id')
					.on('m.school_id', '=', schoolId)
					.on('m.role', '=', 'student')
			)
			.innerJoin('users as u', 'u.id', 'a.learner_id')
			.where('u.active', '=', 1)
			.$if(filter.yearGroup !== undefined, (qb) => qb.where('m.year_group', '=', filter.yearGroup!))
			.select((eb) => [
				'm.year_group as group',
				'a.skill_id as skillId',
				eb.fn.countAll<number>().as('learners'),
				eb.fn.sum<number>(learnerLevel).as('total')
			])
			.groupBy(['m.year_group', 'a.skill_id'])
			.execute(),
		totalsOf(db, schoolId, filter.term)
			.innerJoin('memberships as m', (join) =>
				join
					.onRef('m.user_id', '=', 'a.learner_id')
					.on('m.school_id', '=', schoolId)
					.on('m.role', '=', 'student')
			)
			.innerJoin('users as u', 'u.id', 'a.learner_id')
			.innerJoin('enrolments as e', 'e.learner_id', 'a.learner_id')
			.innerJoin('classes as c', 'c.id', 'e.class_id')
			.where('c.school_id', '=', schoolId)
			.where('u.active', '=', 1)
			.$if(filter.yearGroup !== undefined, (qb) => qb.where('m.year_group', '=', filter.yearGroup!))
			.select((eb) => [
				'c.name as group',
				'a.skill_id as skillId',
				eb.fn.countAll<number>().as('learners'),
				eb.fn.sum<number>(learnerLevel).as('total')
			])
			.groupBy(['c.name', 'a.skill_id'])
			.execute(),
		students()
			.select('m.year_group')
			.distinct()
			.where('m.year_group', 'is not', null)
			.orderBy('m.year_group')
			.execute(),
		db
			.selectFrom('learner_term_skill_aggregates')
			.select('term_key')
			.distinct()
			.where('school_id', '=', schoolId)
			.orderBy('term_key')
			.execute()
	]);
	const summarise = (
		counts: { group: string | null; learners: number }[],
		levels: { group: string | null; skillId: number; learners: number; total: number }[]
	): GroupSummary[] => {
		const byGroup = new Map<string, Map<number, { learners: number; total: number }>>();
		for (const l of levels) {
			const group = l.group ?? 'No year group';
			let own = byGroup.get(group);
			if (!own) byGroup.set(group, (own = new Map()));
			own.set(l.skillId, { learners: Number(l.learners), total: Number(l.total) });
		}
		return counts
			.map((c) => ({ group: c.group ?? 'No year group', learners: Number(c.learners) }))
			.sort((a, b) => a.group.localeCompare(b.group))
			.map(({ group, learners }) => ({
				group,
				learners,
				skills: skills.map((skill) => {
					const t = byGroup.get(group)?.get(skill.id);
					const mean = t && t.learners > 0 ? round3(t.total / t.learners) : null;
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
		byClass: summarise(classCounts, classLevels),
		byYear: summarise(yearCounts, yearLevels),
		years: years
			.map((y) => y.year_group!)
			.filter(Boolean)
			.sort(),
		terms: terms.map((t) => ({ key: t.term_key, label: termLabel(t.term_key) }))
	};
}

/** "2026-1" → "Autumn 2026–27": the label `schoolTerm` gives the same key. */
export function termLabel(key: string): string {
	const [year, order] = key.split('-').map(Number) as [number, number];
	const name = order === 1 ? 'Autumn' : order === 2 ? 'Spring' : 'Summer';
	return `${name} ${year}–${String((year + 1) % 100).padStart(2, '0')}`;
}
