import { sql, type ExpressionBuilder } from 'kysely';
import type { DB } from '../db/connection';
import type { Database, Role } from '../db/schema';
import { generateReadablePassword, hashPassword } from '../auth/passwords';
import { invalidateAllSessions } from '../auth/sessions';
import { checkCurrentPassword, type AttemptOrigin } from '../auth/sign-in';
import { waitMessage } from '../auth/rate-limit';
import { recordAudit } from '../audit';
import { nowIso } from '../clock';
import type { NewUserInput } from '../../schemas/people';
import { Refusal } from '../errors';
import { joinedText } from '../db/dialect';
import { refreshReportGroups } from '../profiles/aggregates';
import { pageWindow, type PageWindow } from '../../domain/paging';

export interface SchoolPerson {
	id: number;
	username: string;
	givenName: string;
	familyName: string;
	active: boolean;
	roles: Role[];
	yearGroup: string | null;
	classCount: number;
}

/** Who a people-list filter `show` picks out: the admin home's to-dos, as lists to act on. */
export const PEOPLE_TO_DO = ['first-password', 'no-class'] as const;
export type PeopleToDo = (typeof PEOPLE_TO_DO)[number];

/**
 * The condition for one to-do over `users` (active accounts only: a deactivated one has nothing
 * to do): still to change a password someone else set, or in no class of the school that is not
 * archived (neither taught nor learning in one).
 */
export function peopleToDo(
	eb: ExpressionBuilder<Database, 'users'>,
	schoolId: number,
	show: PeopleToDo
) {
	if (show === 'first-password')
		return eb.and([eb('users.active', '=', 1), eb('users.must_change_password', '=', 1)]);
	// Each person's own enrolments and classes taught, by their index, joined to the class: with
	// `class_id in (the school's live classes)` SQLite probed every class for every person (at
	// 10,000 learners and 350 classes, 742 ms for the admin home's count).
	return eb.and([
		eb('users.active', '=', 1),
		eb.not(
			eb.exists(
				eb
					.selectFrom('enrolments')
					.innerJoin('classes', 'classes.id', 'enrolments.class_id')
					.select('enrolments.class_id')
					.whereRef('enrolments.learner_id', '=', 'users.id')
					.where('classes.school_id', '=', schoolId)
					.where('classes.archived', '=', 0)
			)
		),
		eb.not(
			eb.exists(
				eb
					.selectFrom('class_teachers')
					.innerJoin('classes', 'classes.id', 'class_teachers.class_id')
					.select('class_teachers.class_id')
					.whereRef('class_teachers.teacher_id', '=', 'users.id')
					.where('classes.school_id', '=', schoolId)
					.where('classes.archived', '=', 0)
			)
		)
	]);
}

type PeopleFilter = { role?: Role; search?: string; show?: PeopleToDo };

/** People on one page of the admin's People list: a page's cost does not grow with the school. */
export const PEOPLE_PER_PAGE = 100;

/** The ids of a school's people a filter picks out (one row each, whatever their roles). */
function matchingPeople(db: DB, schoolId: number, filter: PeopleFilter) {
	let query = db
		.selectFrom('users')
		.innerJoin('memberships', 'memberships.user_id', 'users.id')
		.where('memberships.school_id', '=', schoolId)
		.groupBy('users.id');
	if (filter.role) {
		const role = filter.role;
		query = query.having(
			(eb) => eb.fn.sum(eb.case().when('memberships.role', '=', role).then(1).else(0).end()),
			'>',
			0
		);
	}
	if (filter.show) {
		const show = filter.show;
		query = query.where((eb) => peopleToDo(eb, schoolId, show));
	}
	if (filter.search) {
		const pattern = `%${filter.search.replace(/[%_\\]/g, (c) => `\\${c}`)}%`;
		query = query.where((eb) =>
			eb.or([
				sql<boolean>`lower(users.username) like lower(${pattern}) escape '\\'`,
				sql<boolean>`lower(users.given_name || ' ' || users.family_name) like lower(${pattern}) escape '\\'`
			])
		);
	}
	return query;
}

/**
 * These people of a school with their roles, year group and class count, by family name, given
 * name and id (the id makes the order total, so pages neither skip nor repeat anyone).
 */
async function describePeople(
	db: DB,
	schoolId: number,
	who: { ids: number[] } | { filter: PeopleFilter }
): Promise<SchoolPerson[]> {
	if ('ids' in who && who.ids.length === 0) return [];
	const rows = await db
		.selectFrom('users')
		.innerJoin('memberships', 'memberships.user_id', 'users.id')
		.where('memberships.school_id', '=', schoolId)
		.where(
			'users.id',
			'in',
			'ids' in who ? who.ids : matchingPeople(db, schoolId, who.filter).select('users.id')
		)
		.select((eb) => [
			'users.id',
			'users.username',
			'users.given_name as givenName',
			'users.family_name as familyName',
			'users.active',
			joinedText(db, sql.ref<string>('memberships.role'), ',').as('roleList'),
			eb.fn.max('memberships.year_group').as('yearGroup'),
			eb
				.selectFrom('enrolments')
				.select((e) => e.fn.countAll<number>().as('n'))
				.whereRef('enrolments.learner_id', '=', 'users.id')
				.as('enrolled'),
			eb
				.selectFrom('class_teachers')
				.select((e) => e.fn.countAll<number>().as('n'))
				.whereRef('class_teachers.teacher_id', '=', 'users.id')
				.as('teaching')
		])
		.groupBy('users.id')
		.orderBy('users.family_name')
		.orderBy('users.given_name')
		.orderBy('users.id')
		.execute();
	return rows.map((r) => ({
		id: r.id,
		username: r.username,
		givenName: r.givenName,
		familyName: r.familyName,
		active: r.active === 1,
		roles: r.roleList.split(',') as Role[],
		yearGroup: r.yearGroup,
		classCount: Number(r.enrolled ?? 0) + Number(r.teaching ?? 0)
	}));
}

/** Everyone in a school a filter picks out, with their roles and class count, in one query. */
export async function listSchoolPeople(
	db: DB,
	schoolId: number,
	filter: PeopleFilter = {}
): Promise<SchoolPerson[]> {
	return describePeople(db, schoolId, { filter });
}

/**
 * One page of the people a filter picks out, and how many there are in all: the count, the page's
 * ids (the school's matching people sorted by name, nothing else read for them) and only the
 * page's people described, so a school of 10,000 is read as a page of 100 is.
 */
export async function schoolPeoplePage(
	db: DB,
	schoolId: number,
	filter: PeopleFilter,
	askedPage: number | undefined,
	perPage = PEOPLE_PER_PAGE
): Promise<{ people: SchoolPerson[]; position: PageWindow }> {
	const { total } = await db
		.selectFrom(matchingPeople(db, schoolId, filter).select('users.id').as('matching'))
		.select((eb) => eb.fn.countAll<number>().as('total'))
		.executeTakeFirstOrThrow();
	const position = pageWindow(Number(total), askedPage, perPage);
	const ids = await matchingPeople(db, schoolId, filter)
		.select('users.id')
		.orderBy('users.family_name')
		.orderBy('users.given_name')
		.orderBy('users.id')
		.limit(position.perPage)
		.offset(position.offset)
		.execute();
	return {
		people: await describePeople(db, schoolId, { ids: ids.map((r) => r.id) }),
		position
	};
}

/** Students a class's page offers to enrol at once: a big school's are found by name. */
export const STUDENTS_OFFERED_TO_ENROL = 60;

/**
 * Active students of the school not in this class (matching `search`, when given), at most
 * `limit` of them: the class's own year group first, then by name. `total` is how many match in
 * all, so the page can say to narrow the search rather than list a school of thousands.
 */
export async function studentsToEnrol(
	db: DB,
	schoolId: number,
	schoolClass: { id: number; yearGroup: string | null },
	search: string | undefined,
	limit = STUDENTS_OFFERED_TO_ENROL
): Promise<{ students: SchoolPerson[]; total: number }> {
	const candidates = matchingPeople(db, schoolId, { role: 'student', search })
		.where('users.active', '=', 1)
		.where(({ not, exists, selectFrom }) =>
			not(
				exists(
					selectFrom('enrolments')
						.select('enrolments.learner_id')
						.whereRef('enrolments.learner_id', '=', 'users.id')
						.where('enrolments.class_id', '=', schoolClass.id)
				)
			)
		);
	const { total } = await db
		.selectFrom(candidates.select('users.id').as('candidates'))
		.select((eb) => eb.fn.countAll<number>().as('total'))
		.executeTakeFirstOrThrow();
	const year = schoolClass.yearGroup;
	const ids = (
		await candidates
			.select('users.id')
			.$if(year !== null, (query) =>
				query.orderBy((eb) =>
					eb.case().when(eb.fn.max('memberships.year_group'), '=', year!).then(0).else(1).end()
				)
			)
			.orderBy('users.family_name')
			.orderBy('users.given_name')
			.orderBy('users.id')
			.limit(limit)
			.execute()
	).map((r) => r.id);
	const rank = new Map(ids.map((id, i) => [id, i]));
	const students = (await describePeople(db, schoolId, { ids })).sort(
		(a, b) => rank.get(a.id)! - rank.get(b.id)!
	);
	return { students, total: Number(total) };
}

export async function getSchoolPerson(
	db: DB,
	schoolId: number,
	userId: number
): Promise<SchoolPerson | undefined> {
	const [person] = await describePeople(db, schoolId, { ids: [userId] });
	return person;
}

/**
 * Creates a person with a one-time password the admin hands over; returns that password once. They
 * must change it at first sign-in.
 */
export async function createPerson(
	db: DB,
	schoolId: number,
	actorId: number,
	input: NewUserInput
): Promise<{ userId: number; initialPassword: string }> {
	const taken = await db
		.selectFrom('users')
		.select('id')
		.where('username', '=', input.username)
		.executeTakeFirst();
	if (taken) throw new Refusal(`The username ${input.username} is already taken. Choose another.`);
	const initialPassword = generateReadablePassword();
	const passwordHash = await hashPassword(initialPassword);
	const now = nowIso();
	const userId = await db.transaction().execute(async (trx) => {
		const { id } = await trx
			.insertInto('users')
			.values({
				username: input.username,
				given_name: input.givenName,
				family_name: input.familyName,
				password_hash: passwordHash,
				password_changed_at: now,
				must_change_password: 1,
				created_at: now
			})
			.returning('id')
			.executeTakeFirstOrThrow();
		await trx
			.insertInto('memberships')
			.values({
				user_id: id,
				school_id: schoolId,
				role: input.role,
				year_group: input.yearGroup || null,
				created_at: now
			})
			.execute();
		await recordAudit(trx, {
			schoolId,
			actorId,
			action: 'account.create',
			entityType: 'user',
			entityId: String(id),
			after: { username: input.username, role: input.role }
		});
		// A new student is counted in their year group's report totals (0032).
		await refreshReportGroups(trx, [id]);
		return id;
	});
	return { userId, initialPassword };
}

/**
 * A new one-time password; every session of that person ends, so an old one cannot linger, and
 * they must choose their own at the next sign-in (the admin has seen this one).
 */
export async function resetPassword(
	db: DB,
	schoolId: number,
	actorId: number,
	userId: number
): Promise<string> {
	const password = generateReadablePassword();
	const passwordHash = await hashPassword(password);
	await db.transaction().execute(async (trx) => {
		await trx
			.updateTable('users')
			.set({ password_hash: passwordHash, password_changed_at: nowIso(), must_change_password: 1 })
			.where('id', '=', userId)
			.execute();
		await trx.deleteFrom('sessions').where('user_id', '=', userId).execute();
		await recordAudit(trx, {
			schoolId,
			actorId,
			action: 'account.reset_password',
			entityType: 'user',
			entityId: String(userId)
		});
	});
	return password;
}

export async function setAccountActive(
	db: DB,
	schoolId: number,
	actorId: number,
	userId: number,
	active: boolean
) {
	if (!active && userId === actorId) throw new Refusal('You cannot deactivate your own account.');
	await db.transaction().execute(async (trx) => {
		await trx
			.updateTable('users')
			.set({ active: active ? 1 : 0 })
			.where('id', '=', userId)
			.execute();
		if (!active) await trx.deleteFrom('sessions').where('user_id', '=', userId).execute();
		await recordAudit(trx, {
			schoolId,
			actorId,
			action: active ? 'account.reactivate' : 'account.deactivate',
			entityType: 'user',
			entityId: String(userId)
		});
		// The report counts active learners only (0032).
		await refreshReportGroups(trx, [userId]);
	});
}

/**
 * Changing one's own password signs out every other device (the caller starts a fresh session) and
 * lifts the must-change flag: the password is now one only they know. The current password is
 * checked under sign-in's delay rules, counted for this person.
 */
export async function changeOwnPassword(
	db: DB,
	userId: number,
	currentPassword: string,
	newPassword: string,
	from: AttemptOrigin
) {
	const check = await checkCurrentPassword(db, userId, currentPassword, from);
	if (check.kind === 'delayed') throw new Refusal(waitMessage(check.retryAfterSeconds), 429);
	if (check.kind === 'wrong') throw new Refusal('Your current password is not right.');
	const passwordHash = await hashPassword(newPassword);
	await db
		.updateTable('users')
		.set({ password_hash: passwordHash, password_changed_at: nowIso(), must_change_password: 0 })
		.where('id', '=', userId)
		.execute();
	await invalidateAllSessions(db, userId);
}

export interface AwaitingPerson {
	id: number;
	username: string;
	givenName: string;
	familyName: string;
	email: string | null;
	createdAt: string;
}

/** Accounts single sign-on made for people outside the roster, waiting for an admin (0021). */
export async function listAwaitingApproval(db: DB, schoolId: number): Promise<AwaitingPerson[]> {
	return db
		.selectFrom('users')
		.innerJoin('memberships', 'memberships.user_id', 'users.id')
		.select([
			'users.id',
			'users.username',
			'users.given_name as givenName',
			'users.family_name as familyName',
			'users.email',
			'users.created_at as createdAt'
		])
		.distinct()
		.where('memberships.school_id', '=', schoolId)
		.where('users.awaiting_approval', '=', 1)
		.where('users.active', '=', 1)
		.orderBy('users.created_at')
		.execute();
}

/**
 * Approve: the account may sign in (as a student of no class, until the admin enrols them).
 * Decline: it is deactivated (and so leaves the list), and its provider sign-in unlinked; the
 * person page can reactivate it.
 * Someone not awaiting at this school is not found.
 */
export async function decideAwaiting(
	db: DB,
	admin: { id: number; schoolId: number },
	userId: number,
	decision: 'approve' | 'decline'
): Promise<void> {
	await db.transaction().execute(async (trx) => {
		const updated = await trx
			.updateTable('users')
			.set(decision === 'approve' ? { awaiting_approval: 0 } : { active: 0 })
			.where('id', '=', userId)
			.where('awaiting_approval', '=', 1)
			.where('active', '=', 1)
			.where('id', 'in', (eb) =>
				eb.selectFrom('memberships').select('user_id').where('school_id', '=', admin.schoolId)
			)
			.executeTakeFirst();
		if (Number(updated.numUpdatedRows) === 0)
			throw new Refusal('That person is not waiting for approval at your school.', 404);
		// Declined: their provider sign-in is no longer tied to this account, so when the school adds
		// them through the roster, signing in finds that account, not the declined one.
		if (decision === 'decline')
			await trx.deleteFrom('sign_in_identities').where('user_id', '=', userId).execute();
		await recordAudit(trx, {
			schoolId: admin.schoolId,
			actorId: admin.id,
			action: decision === 'approve' ? 'account.approve' : 'account.decline',
			entityType: 'user',
			entityId: String(userId)
		});
		// Declined is deactivated: out of the report's totals (0032).
		if (decision === 'decline') await refreshReportGroups(trx, [userId]);
	});
}
