import { sql } from 'kysely';
import type { DB } from '../db/connection';
import { recordAudit } from '../audit';
import { nowIso } from '../clock';
import { Refusal } from '../errors';
import { joinedText } from '../db/dialect';
import { refreshReportGroups } from '../profiles/aggregates';

export interface ClassSummary {
	id: number;
	name: string;
	yearGroup: string | null;
	subject: string | null;
	/** from a OneRoster bundle: the class's course and its terms */
	courseTitle: string | null;
	term: string | null;
	learnerCount: number;
	teacherNames: string;
}

function classSummaries(db: DB) {
	return db
		.selectFrom('classes')
		.select((eb) => [
			'classes.id',
			'classes.name',
			'classes.year_group as yearGroup',
			'classes.subject',
			'classes.course_title as courseTitle',
			'classes.term',
			eb
				.selectFrom('enrolments')
				.select((e) => e.fn.countAll<number>().as('n'))
				.whereRef('enrolments.class_id', '=', 'classes.id')
				.as('learnerCount'),
			eb
				.selectFrom('class_teachers')
				.innerJoin('users', 'users.id', 'class_teachers.teacher_id')
				.select(
					joinedText(db, sql<string>`users.given_name || ' ' || users.family_name`, ', ').as(
						'names'
					)
				)
				.whereRef('class_teachers.class_id', '=', 'classes.id')
				.as('teacherNames')
		])
		.where('classes.archived', '=', 0)
		.orderBy('classes.name');
}

function toSummary(row: {
	id: number;
	name: string;
	yearGroup: string | null;
	subject: string | null;
	courseTitle: string | null;
	term: string | null;
	learnerCount: number | null;
	teacherNames: string | null;
}): ClassSummary {
	return {
		...row,
		learnerCount: Number(row.learnerCount ?? 0),
		teacherNames: row.teacherNames ?? ''
	};
}

export async function listSchoolClasses(db: DB, schoolId: number): Promise<ClassSummary[]> {
	return (await classSummaries(db).where('classes.school_id', '=', schoolId).execute()).map(
		toSummary
	);
}

export async function listTeacherClasses(db: DB, teacherId: number): Promise<ClassSummary[]> {
	const rows = await classSummaries(db)
		.where((eb) =>
			eb.exists(
				eb
					.selectFrom('class_teachers')
					.select('class_teachers.class_id')
					.whereRef('class_teachers.class_id', '=', 'classes.id')
					.where('class_teachers.teacher_id', '=', teacherId)
			)
		)
		.execute();
	return rows.map(toSummary);
}

export async function listLearnerClasses(db: DB, learnerId: number): Promise<ClassSummary[]> {
	const rows = await classSummaries(db)
		.where((eb) =>
			eb.exists(
				eb
					.selectFrom('enrolments')
					.select('enrolments.class_id')
					.whereRef('enrolments.class_id', '=', 'classes.id')
					.where('enrolments.learner_id', '=', learnerId)
			)
		)
		.execute();
	return rows.map(toSummary);
}

export interface ClassMember {
	id: number;
	username: string;
	givenName: string;
	familyName: string;
	active: boolean;
}

export async function classMembers(
	db: DB,
	classId: number
): Promise<{ teachers: ClassMember[]; learners: ClassMember[] }> {
	const columns = [
		'users.id',
		'users.username',
		'users.given_name as givenName',
		'users.family_name as familyName',
		'users.active'
	] as const;
	const [teachers, learners] = await Promise.all([
		db
			.selectFrom('class_teachers')
			.innerJoin('users', 'users.id', 'class_teachers.teacher_id')
			.select(columns)
			.where('class_teachers.class_id', '=', classId)
			.orderBy('users.family_name')
			.execute(),
		db
			.selectFrom('enrolments')
			.innerJoin('users', 'users.id', 'enrolments.learner_id')
			.select(columns)
			.where('enrolments.class_id', '=', classId)
			.orderBy('users.family_name')
			.orderBy('users.given_name')
			.execute()
	]);
	const toMember = (m: (typeof teachers)[number]) => ({ ...m, active: m.active === 1 });
	return { teachers: teachers.map(toMember), learners: learners.map(toMember) };
}

export async function createClass(
	db: DB,
	schoolId: number,
	actorId: number,
	input: { name: string; yearGroup?: string | null; subject?: string }
): Promise<number> {
	const clash = await db
		.selectFrom('classes')
		.select('id')
		.where('school_id', '=', schoolId)
		.where('name', '=', input.name)
		.executeTakeFirst();
	if (clash) throw new Refusal(`There is already a class called ${input.name}.`);
	return db.transaction().execute(async (trx) => {
		const { id } = await trx
			.insertInto('classes')
			.values({
				school_id: schoolId,
				name: input.name,
				year_group: input.yearGroup || null,
				subject: input.subject || null,
				created_at: nowIso()
			})
			.returning('id')
			.executeTakeFirstOrThrow();
		await recordAudit(trx, {
			schoolId,
			actorId,
			action: 'class.create',
			entityType: 'class',
			entityId: String(id),
			after: input
		});
		return id;
	});
}

/**
 * People must hold the role in this school before they can teach or join one of its classes (one
 * query).
 */
async function requireMembersWithRole(
	db: DB,
	schoolId: number,
	userIds: number[],
	role: 'teacher' | 'student'
) {
	if (userIds.length === 0) return;
	const members = await db
		.selectFrom('memberships')
		.select('user_id')
		.where('school_id', '=', schoolId)
		.where('user_id', 'in', userIds)
		.where('role', '=', role)
		.execute();
	if (members.length < new Set(userIds).size)
		throw new Refusal(
			role === 'teacher'
				? 'That person is not a teacher in this school.'
				: 'That person is not a student in this school.'
		);
}

export async function assignTeacher(
	db: DB,
	schoolId: number,
	actorId: number,
	classId: number,
	teacherId: number
) {
	await requireMembersWithRole(db, schoolId, [teacherId], 'teacher');
	await db.transaction().execute(async (trx) => {
		await trx
			.insertInto('class_teachers')
			.values({ class_id: classId, teacher_id: teacherId })
			.onConflict((oc) => oc.doNothing())
			.execute();
		await recordAudit(trx, {
			schoolId,
			actorId,
			action: 'class.assign_teacher',
			entityType: 'class',
			entityId: String(classId),
			after: { teacherId }
		});
	});
}

export async function removeTeacher(
	db: DB,
	schoolId: number,
	actorId: number,
	classId: number,
	teacherId: number
) {
	await db.transaction().execute(async (trx) => {
		const removed = await trx
			.deleteFrom('class_teachers')
			.where('class_id', '=', classId)
			.where('teacher_id', '=', teacherId)
			.executeTakeFirst();
		if (Number(removed.numDeletedRows) === 0)
			throw new Refusal('That is not a teacher of this class.');
		await recordAudit(trx, {
			schoolId,
			actorId,
			action: 'class.remove_teacher',
			entityType: 'class',
			entityId: String(classId),
			before: { teacherId }
		});
	});
}

export async function enrolLearners(
	db: DB,
	schoolId: number,
	actorId: number,
	classId: number,
	learnerIds: number[]
) {
	await requireMembersWithRole(db, schoolId, learnerIds, 'student');
	await db.transaction().execute(async (trx) => {
		const now = nowIso();
		if (learnerIds.length) {
			await trx
				.insertInto('enrolments')
				.values(
					learnerIds.map((learnerId) => ({
						class_id: classId,
						learner_id: learnerId,
						created_at: now
					}))
				)
				.onConflict((oc) => oc.doNothing())
				.execute();
		}
		await recordAudit(trx, {
			schoolId,
			actorId,
			action: 'class.enrol',
			entityType: 'class',
			entityId: String(classId),
			after: { learnerIds }
		});
		// The report's class totals count them from now on (0032).
		await refreshReportGroups(trx, learnerIds);
	});
}

export async function unenrolLearner(
	db: DB,
	schoolId: number,
	actorId: number,
	classId: number,
	learnerId: number
) {
	await db.transaction().execute(async (trx) => {
		const removed = await trx
			.deleteFrom('enrolments')
			.where('class_id', '=', classId)
			.where('learner_id', '=', learnerId)
			.executeTakeFirst();
		if (Number(removed.numDeletedRows) === 0)
			throw new Refusal('That is not a student of this class.');
		await recordAudit(trx, {
			schoolId,
			actorId,
			action: 'class.unenrol',
			entityType: 'class',
			entityId: String(classId),
			before: { learnerId }
		});
		await refreshReportGroups(trx, [learnerId]);
	});
}
