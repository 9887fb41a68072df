import { error, redirect } from '@sveltejs/kit';
import type { DB } from '../db/connection';
import { ROLES, type Role } from '../../domain/states';
import type { SessionUser } from './sessions';

/**
 * The one place that decides who may see what (with `task-guards.ts` beside it for tasks, learners
 * on a task and peer reviews). Every load and action calls these; the hook's path rules (see
 * `pathPolicy`) are a second net, not a replacement.
 */

interface GuardEvent {
	locals: App.Locals;
	url: URL;
}

const ROLE_NOUN: Record<Role, string> = {
	admin: 'school admins',
	teacher: 'teachers',
	student: 'students'
};

/** A signed-out visitor is sent to sign in and back again. */
export function requireUser(event: GuardEvent): SessionUser {
	const user = event.locals.user;
	if (user) return user;
	redirect(303, `/login?redirectTo=${encodeURIComponent(event.url.pathname + event.url.search)}`);
}

export function hasRole(user: Pick<SessionUser, 'roles'>, ...roles: Role[]): boolean {
	return roles.some((role) => user.roles.includes(role));
}

export function requireRole(event: GuardEvent, ...roles: Role[]): SessionUser {
	const user = requireUser(event);
	if (!hasRole(user, ...roles)) {
		error(403, `This page is only for ${roles.map((r) => ROLE_NOUN[r]).join(' and ')}.`);
	}
	return user;
}

export type ClassPurpose = 'teach' | 'learn' | 'view';

/**
 * A class of the user's own school that the user may use for `purpose`:
 * `teach` — a teacher assigned to it, or a school admin; `learn` — a learner enrolled in it;
 * `view` — either. A class of another school is reported as missing, not forbidden.
 */
export async function requireClassAccess(
	db: DB,
	user: SessionUser,
	classId: number,
	purpose: ClassPurpose
) {
	const schoolClass = await db
		.selectFrom('classes')
		.selectAll('classes')
		.select((eb) => [
			eb
				.exists(
					eb
						.selectFrom('class_teachers')
						.select('class_teachers.class_id')
						.whereRef('class_teachers.class_id', '=', 'classes.id')
						.where('class_teachers.teacher_id', '=', user.id)
				)
				.as('isTeacher'),
			eb
				.exists(
					eb
						.selectFrom('enrolments')
						.select('enrolments.class_id')
						.whereRef('enrolments.class_id', '=', 'classes.id')
						.where('enrolments.learner_id', '=', user.id)
				)
				.as('isLearner')
		])
		.where('classes.id', '=', classId)
		.where('classes.school_id', '=', user.schoolId)
		.executeTakeFirst();
	if (!schoolClass) error(404, 'That class does not exist, or is not in your school.');

	const teaches = Boolean(schoolClass.isTeacher) || hasRole(user, 'admin');
	const learns = Boolean(schoolClass.isLearner);
	const allowed = purpose === 'teach' ? teaches : purpose === 'learn' ? learns : teaches || learns;
	if (!allowed) error(403, 'You are not a member of this class.');
	return schoolClass;
}

/**
 * May `user` see this learner's records? The learner themself, a teacher of one of the learner's
 * classes, or an admin of the learner's school. Peer reviewers never come through here: they see
 * only what an allocation gives them.
 */
export async function requireLearnerAccess(
	db: DB,
	user: SessionUser,
	learnerId: number
): Promise<void> {
	const learner = await db
		.selectFrom('memberships')
		.select('user_id')
		.where('user_id', '=', learnerId)
		.where('school_id', '=', user.schoolId)
		.where('role', '=', 'student')
		.executeTakeFirst();
	if (!learner) error(404, 'That learner does not exist, or is not in your school.');
	if (user.id === learnerId || hasRole(user, 'admin')) return;
	if (hasRole(user, 'teacher')) {
		const teachesLearner = await db
			.selectFrom('enrolments')
			.innerJoin('class_teachers', 'class_teachers.class_id', 'enrolments.class_id')
			.select('enrolments.class_id')
			.where('enrolments.learner_id', '=', learnerId)
			.where('class_teachers.teacher_id', '=', user.id)
			.executeTakeFirst();
		if (teachesLearner) return;
	}
	error(403, 'You can only see the records of learners in your own classes.');
}

/** Where each role starts after signing in. */
export function homePathFor(user: Pick<SessionUser, 'roles'> & { city?: unknown }): string {
	if (hasRole(user, 'admin')) return '/admin';
	if (user.city && user.roles.length === 0) return '/city';
	if (hasRole(user, 'teacher')) return '/teacher';
	return '/student';
}

/**
 * Roles required by URL prefix, checked in the hook for every request (pages, actions, endpoints).
 * Paths not listed here are public or do their own checks.
 */
export const pathPolicy: { prefix: string; roles: PolicyRole[] }[] = [
	{ prefix: '/admin', roles: ['admin'] },
	{ prefix: '/teacher', roles: ['teacher', 'admin'] },
	{ prefix: '/student', roles: ['student'] },
	{ prefix: '/city', roles: ['city_admin'] },
	{ prefix: '/account', roles: [...ROLES, 'city_admin'] },
	{ prefix: '/notifications', roles: [...ROLES, 'city_admin'] }
];

/** A school role, or being a city admin (a city role: see `requireCityAdmin`). */
export type PolicyRole = Role | 'city_admin';

/** Whether the person holds one of `roles` (as the hook's path rules read them). */
export function holdsPolicyRole(
	user: Pick<SessionUser, 'roles' | 'city'>,
	roles: readonly PolicyRole[]
): boolean {
	return roles.some((role) =>
		role === 'city_admin' ? user.city !== null : user.roles.includes(role)
	);
}

/**
 * A city admin acting for their own city (migration 0025). A city admin sees the city's schools and
 * aggregates, never a learner: city pages read only what `server/city` returns for a city id.
 */
export function requireCityAdmin(event: GuardEvent): { user: SessionUser; cityId: number } {
	const user = requireUser(event);
	if (!user.city) error(403, 'This page is only for city admins.');
	return { user, cityId: user.city.id };
}

export function rolesRequiredFor(pathname: string): PolicyRole[] | undefined {
	return pathPolicy.find((p) => pathname === p.prefix || pathname.startsWith(p.prefix + '/'))
		?.roles;
}

/**
 * Every way a request path might be read by the router, a proxy or a browser: as sent, fully
 * percent-decoded (`/%61dmin`, `/admin%2F..`), lower-cased, with backslashes as slashes, repeated
 * slashes collapsed (`//admin`) and dot segments resolved, plus the route SvelteKit matched.
 */
export function pathReadings(pathname: string, routeId: string | null = null): string[] {
	const readings = new Set<string>();
	let decoded = pathname;
	for (let round = 0; round < 4; round++) {
		readings.add(decoded);
		let next: string;
		try {
			next = decodeURIComponent(decoded);
		} catch {
			break;
		}
		if (next === decoded) break;
		decoded = next;
	}
	if (routeId) readings.add(routeId.replace(/\/\([^/]+\)/g, '') || '/');
	for (const reading of [...readings]) {
		const lower = reading.toLowerCase();
		const slashes = lower.replace(/\\/g, '/').replace(/\/{2,}/g, '/');
		readings.add(lower).add(slashes);
		try {
			readings.add(new URL(slashes, 'http://path.invalid').pathname);
		} catch {
			// not a path a URL can hold: the readings above still count
		}
	}
	return [...readings];
}

/**
 * The role sets a request must satisfy: one per policy prefix that any reading of its path falls
 * under (a path read two ways, e.g. `/student/..%2Fadmin`, must satisfy both).
 */
export function roleSetsRequiredFor(
	pathname: string,
	routeId: string | null = null
): PolicyRole[][] {
	const sets = new Set<PolicyRole[]>();
	for (const reading of pathReadings(pathname, routeId)) {
		const roles = rolesRequiredFor(reading);
		if (roles) sets.add(roles);
	}
	return [...sets];
}
