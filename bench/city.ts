// The city report the bench times: school × year group × Fusion Skill over the learner × skill
// aggregates. Until the city helper's `cityReport` lands this is an equivalent grouped query; the
// lead points `cityReportForBench` at the real function and the bench times that instead.
import type { DB } from '../src/lib/server/db/connection';

/** Cells with fewer learners than this show as "fewer than 5" (issue 16). */
const SUPPRESS_BELOW = 5;

export async function cityReportForBench(db: DB, cityId: number) {
	const rows = await db
		.selectFrom('learner_skill_aggregates as a')
		.innerJoin('schools as s', 's.id', 'a.school_id')
		.innerJoin('memberships as m', (join) =>
			join
				.onRef('m.user_id', '=', 'a.learner_id')
				.onRef('m.school_id', '=', 'a.school_id')
				.on('m.role', '=', 'student')
		)
		.select((eb) => [
			's.id as schoolId',
			's.name as school',
			'm.year_group as yearGroup',
			'a.skill_id as skillId',
			eb.fn.countAll<number>().as('learners'),
			eb.fn.sum<number>(eb('a.level_sum', '/', eb.ref('a.weight'))).as('levelTotal')
		])
		.where('s.city_id', '=', cityId)
		.where('a.weight', '>', 0)
		.groupBy(['s.id', 's.name', 'm.year_group', 'a.skill_id'])
		.orderBy('s.name')
		.orderBy('m.year_group')
		.orderBy('a.skill_id')
		.execute();
	return rows.map((r) => {
		const learners = Number(r.learners);
		return {
			schoolId: r.schoolId,
			school: r.school,
			yearGroup: r.yearGroup,
			skillId: r.skillId,
			learners: learners < SUPPRESS_BELOW ? null : learners,
			meanLevel:
				learners < SUPPRESS_BELOW
					? null
					: Math.round((Number(r.levelTotal) / learners) * 1000) / 1000
		};
	});
}
