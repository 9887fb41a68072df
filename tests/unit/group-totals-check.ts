import { expect } from 'vitest';
import type { DB } from '../../src/lib/server/db/connection';
import { releasedResults, skillList } from '../../src/lib/server/profiles/results';
import { fusionSkillProfile, schoolTerm } from '../../src/lib/domain/profiles';
import { mappedLevel } from '../../src/lib/domain/framework-conversion';
import { MAPPED_FRAMEWORKS } from '../../src/lib/domain/mapped-frameworks';
import { mappedFramework } from '../../src/lib/server/frameworks/mapped';

/**
 * The class × skill and year group × skill totals (0032) against a full recomputation: every
 * school's released results through the profile's formula (`fusionSkillProfile`), each active
 * student counted in their year group and in each class of their school, as the tables say they
 * stand now; and each item of the other frameworks a report can be read in (Skills Builder, the
 * OECD Learning Compass) from those levels through the school's crosswalk as it stands
 * (`mappedFramework`, the profile's own reader). Nothing of the increments is reused.
 */
export async function expectGroupTotalsMatchRecomputation(db: DB) {
	const skills = (await skillList(db)).map((s) => s.id);
	const schools = await db.selectFrom('schools').select('id').execute();
	const sizes = new Map<string, number>();
	const totals = new Map<string, { learners: number; milli: number }>();
	for (const { id: schoolId } of schools) {
		const items = (
			await Promise.all(MAPPED_FRAMEWORKS.map((v) => mappedFramework(db, schoolId, v.slug)))
		).flatMap((f) => f.items);
		const [results, students, enrolments] = await Promise.all([
			releasedResults(db, { schoolId, includeSelf: false }),
			db
				.selectFrom('memberships')
				.innerJoin('users', 'users.id', 'memberships.user_id')
				.select(['users.id', 'memberships.year_group as yearGroup'])
				.where('memberships.school_id', '=', schoolId)
				.where('memberships.role', '=', 'student')
				.where('users.active', '=', 1)
				.execute(),
			db
				.selectFrom('enrolments')
				.innerJoin('classes', 'classes.id', 'enrolments.class_id')
				.select(['enrolments.learner_id as learnerId', 'classes.id as classId'])
				.where('classes.school_id', '=', schoolId)
				.execute()
		]);
		for (const student of students) {
			const year = student.yearGroup ?? '';
			const groups = [
				`${schoolId}|0|${year}`,
				...enrolments
					.filter((e) => e.learnerId === student.id)
					.map((e) => `${schoolId}|${e.classId}|${year}`)
			];
			const own = results.get(student.id) ?? [];
			const levels: [string, number, number][] = [];
			const count = (term: string, counted: typeof own) => {
				const profile = fusionSkillProfile(counted, skills);
				for (const [skillId, entry] of profile)
					if (entry.level !== null) levels.push([term, skillId, entry.level]);
				for (const item of items) {
					const { level } = mappedLevel(profile, item.mapping);
					if (level !== null) levels.push([term, item.id, level]);
				}
			};
			count('', own);
			for (const term of new Set(own.map((r) => schoolTerm(r.releasedAt).key)))
				count(
					term,
					own.filter((r) => schoolTerm(r.releasedAt).key === term)
				);
			for (const group of groups) {
				sizes.set(group, (sizes.get(group) ?? 0) + 1);
				for (const [term, skillId, level] of levels) {
					const key = `${group}|${term}|${skillId}`;
					const t = totals.get(key) ?? { learners: 0, milli: 0 };
					t.learners++;
					t.milli += Math.round(level * 1000);
					totals.set(key, t);
				}
			}
		}
	}
	const gotSizes = new Map(
		(await db.selectFrom('report_group_sizes').selectAll().execute()).map((r) => [
			`${r.school_id}|${r.class_id}|${r.year_key}`,
			Number(r.learners)
		])
	);
	const gotTotals = new Map(
		(await db.selectFrom('report_group_totals').selectAll().execute()).map((r) => [
			`${r.school_id}|${r.class_id}|${r.year_key}|${r.term_key}|${r.skill_id}`,
			{ learners: Number(r.learners), milli: Number(r.level_milli_sum) }
		])
	);
	expect(Object.fromEntries(gotSizes)).toEqual(Object.fromEntries(sizes));
	expect(Object.fromEntries(gotTotals)).toEqual(Object.fromEntries(totals));
	return { groups: sizes.size, totals: totals.size };
}
