import type { DB } from '../db/connection';

/** Head counts for the admin's front page, in one query. */
export async function schoolOverview(db: DB, schoolId: number) {
	const counts = await db
		.selectFrom('schools')
		.select((eb) => [
			'schools.name',
			...(['student', 'teacher', 'admin'] as const).map((role) =>
				eb
					.selectFrom('memberships')
					.innerJoin('users', 'users.id', 'memberships.user_id')
					.select((e) => e.fn.countAll<number>().as('n'))
					.where('memberships.school_id', '=', schoolId)
					.where('memberships.role', '=', role)
					.where('users.active', '=', 1)
					.as(`${role}Count`)
			),
			eb
				.selectFrom('classes')
				.select((e) => e.fn.countAll<number>().as('n'))
				.where('classes.school_id', '=', schoolId)
				.where('classes.archived', '=', 0)
				.as('classCount')
		])
		.where('schools.id', '=', schoolId)
		.executeTakeFirstOrThrow();
	return {
		schoolName: counts.name,
		students: Number(counts.studentCount ?? 0),
		teachers: Number(counts.teacherCount ?? 0),
		admins: Number(counts.adminCount ?? 0),
		classes: Number(counts.classCount ?? 0)
	};
}
