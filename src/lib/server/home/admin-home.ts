import type { DB } from '../db/connection';
import { exportRetentionDays } from '../reports/batch';
import { peopleToDo, type PeopleToDo } from '../people/accounts';
import { displayName } from '../../domain/names';

// The school's to-dos on the admin home. Each figure uses the same condition as the list it links
// to (the people filters are `peopleToDo`, shared with `listSchoolPeople`), so the count is what
// the admin finds there.

/** The school's to-dos for its admin: counts in one query, and the short lists beside them. */
export async function adminHome(db: DB, schoolId: number, now: Date) {
	const people = (role: 'student' | 'teacher' | null, show: PeopleToDo) =>
		db
			.selectFrom('users')
			.select((e) => e.fn.count<number>('users.id').distinct().as('n'))
			.innerJoin('memberships', 'memberships.user_id', 'users.id')
			.where('memberships.school_id', '=', schoolId)
			.$if(role !== null, (qb) => qb.where('memberships.role', '=', role!))
			.where((eb) => peopleToDo(eb, schoolId, show));
	const cutoff = new Date(now.getTime() - exportRetentionDays() * 86_400_000).toISOString();
	const [counts, classesWithoutTeacher, exportsReady] = await Promise.all([
		db
			.selectNoFrom([
				people(null, 'first-password').as('firstPassword'),
				people('student', 'no-class').as('learnersInNoClass'),
				people('teacher', 'no-class').as('teachersInNoClass'),
				db
					.selectFrom('badge_awards')
					.innerJoin('badges', 'badges.id', 'badge_awards.badge_id')
					.innerJoin('users', 'users.id', 'badge_awards.learner_id')
					.innerJoin('memberships', 'memberships.user_id', 'users.id')
					.select((e) => e.fn.count<number>('badge_awards.id').distinct().as('n'))
					.where('badges.school_id', '=', schoolId)
					.where('badges.active', '=', 1)
					.where('badge_awards.state', '=', 'requested')
					.where('memberships.school_id', '=', schoolId)
					.where('memberships.role', '=', 'student')
					.where('users.active', '=', 1)
					.as('badgeRequests')
			])
			.executeTakeFirstOrThrow(),
		db
			.selectFrom('classes')
			.select(['classes.id', 'classes.name'])
			.where('classes.school_id', '=', schoolId)
			.where('classes.archived', '=', 0)
			.where((eb) =>
				eb.not(
					eb.exists(
						eb
							.selectFrom('class_teachers')
							.select('class_teachers.class_id')
							.whereRef('class_teachers.class_id', '=', 'classes.id')
					)
				)
			)
			.orderBy('classes.name')
			.execute(),
		db
			.selectFrom('export_jobs')
			.leftJoin('users', 'users.id', 'export_jobs.requested_by')
			.select([
				'export_jobs.id',
				'export_jobs.params_json as paramsJson',
				'export_jobs.finished_at as finishedAt',
				'users.given_name as givenName',
				'users.family_name as familyName'
			])
			.where('export_jobs.school_id', '=', schoolId)
			.where('export_jobs.state', '=', 'done')
			.where('export_jobs.created_at', '>=', cutoff)
			.orderBy('export_jobs.created_at', 'desc')
			.execute()
	]);
	return {
		firstPassword: Number(counts.firstPassword ?? 0),
		learnersInNoClass: Number(counts.learnersInNoClass ?? 0),
		teachersInNoClass: Number(counts.teachersInNoClass ?? 0),
		badgeRequests: Number(counts.badgeRequests ?? 0),
		classesWithoutTeacher,
		exportsReady: exportsReady.map((job) => ({
			id: job.id,
			finishedAt: job.finishedAt,
			requestedBy: displayName(job),
			classId: (JSON.parse(job.paramsJson) as { classId?: number }).classId ?? null
		}))
	};
}
