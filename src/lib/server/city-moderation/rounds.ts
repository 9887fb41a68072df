import { randomBytes } from 'node:crypto';
import type { DB } from '../db/connection';
import type { SessionUser } from '../auth/sessions';
import { recordAudit } from '../audit';
import { nowIso } from '../clock';
import { Refusal } from '../errors';
import { displayName } from '../../domain/names';
import {
	drawSample,
	schoolsWithoutOutsideModerator,
	seedFromBytes,
	type DrawCandidate,
	type DrawModerator
} from '../../domain/city-moderation';
import type { NewRound } from '../../schemas/city-moderation';
import { roundAgreement } from './agreement';

/**
 * A city admin's cross-school moderation rounds (docs/CITY-MODERATION.md). Everything here is
 * scoped by the city id the guard (`requireCityAdmin`) returned; nothing returned names a learner
 * or carries their work or a grade: counts, teachers' names and aggregates only.
 */

/** What the new-round form offers: the city's schools, their teachers and the criterion codes. */
export async function roundChoices(db: DB, cityId: number) {
	const [schools, teachers, codes, released] = await Promise.all([
		db
			.selectFrom('schools')
			.select(['id', 'name'])
			.where('city_id', '=', cityId)
			.orderBy('name')
			.orderBy('id')
			.execute(),
		db
			.selectFrom('memberships')
			.innerJoin('schools', 'schools.id', 'memberships.school_id')
			.innerJoin('users', 'users.id', 'memberships.user_id')
			.select([
				'users.id',
				'users.given_name as givenName',
				'users.family_name as familyName',
				'schools.id as schoolId'
			])
			.where('schools.city_id', '=', cityId)
			.where('memberships.role', '=', 'teacher')
			.where('users.active', '=', 1)
			.orderBy('schools.id')
			.orderBy('users.family_name')
			.orderBy('users.given_name')
			.orderBy('users.id')
			.execute(),
		// Codes of criteria on tasks with released work in the city's schools: what can be sampled.
		db
			.selectFrom('criteria')
			.innerJoin('task_criteria', 'task_criteria.criterion_id', 'criteria.id')
			.innerJoin('tasks', 'tasks.id', 'task_criteria.task_id')
			.innerJoin('classes', 'classes.id', 'tasks.class_id')
			.innerJoin('schools', 'schools.id', 'classes.school_id')
			.select((eb) => ['criteria.code', eb.fn.min('criteria.title').as('title')])
			.where('schools.city_id', '=', cityId)
			.where((eb) =>
				eb.exists(
					eb
						.selectFrom('submissions')
						.select('submissions.id')
						.whereRef('submissions.task_id', '=', 'tasks.id')
						.where('submissions.released_at', 'is not', null)
				)
			)
			.groupBy('criteria.code')
			.orderBy('criteria.code')
			.execute(),
		db
			.selectFrom('submissions')
			.innerJoin('tasks', 'tasks.id', 'submissions.task_id')
			.innerJoin('classes', 'classes.id', 'tasks.class_id')
			.innerJoin('schools', 'schools.id', 'classes.school_id')
			.select((eb) => ['classes.school_id as schoolId', eb.fn.countAll().as('pieces')])
			.where('schools.city_id', '=', cityId)
			.where('submissions.released_at', 'is not', null)
			.groupBy('classes.school_id')
			.execute()
	]);
	const releasedBy = new Map(released.map((r) => [r.schoolId, Number(r.pieces)]));
	return {
		schools: schools.map((s) => ({ ...s, releasedPieces: releasedBy.get(s.id) ?? 0 })),
		teachers: teachers.map((t) => ({ id: t.id, name: displayName(t), schoolId: t.schoolId })),
		codes: codes.map((c) => ({ code: c.code, title: String(c.title ?? '') }))
	};
}

/**
 * Released work of these schools on tasks that use one of these criterion codes, by an active
 * learner: what a round draws from.
 */
async function drawCandidates(
	db: DB,
	schoolIds: number[],
	codes: string[]
): Promise<DrawCandidate[]> {
	return db
		.selectFrom('submissions')
		.innerJoin('tasks', 'tasks.id', 'submissions.task_id')
		.innerJoin('classes', 'classes.id', 'tasks.class_id')
		.innerJoin('users', 'users.id', 'submissions.learner_id')
		.select(['submissions.id as submissionId', 'classes.school_id as schoolId'])
		.where('classes.school_id', 'in', schoolIds)
		.where('submissions.released_at', 'is not', null)
		.where('users.active', '=', 1)
		.where((eb) =>
			eb.exists(
				eb
					.selectFrom('task_criteria')
					.innerJoin('criteria', 'criteria.id', 'task_criteria.criterion_id')
					.select('task_criteria.id')
					.whereRef('task_criteria.task_id', '=', 'tasks.id')
					.where('criteria.code', 'in', codes)
			)
		)
		.orderBy('submissions.id')
		.execute();
}

/**
 * Draws a new round: the schools and moderators must be the city's (at least two schools, and for
 * every school a moderator of another one), the sample is drawn from `seed` (a fresh random one
 * unless given, for tests) and written with the round in one transaction. Returns the round's id.
 */
export async function createRound(
	db: DB,
	cityAdmin: SessionUser,
	cityId: number,
	input: NewRound,
	seed: number = seedFromBytes(randomBytes(4))
): Promise<number> {
	const schoolIds = [...new Set(input.schoolIds)];
	const codes = [...new Set(input.codes)];
	const cityschools = await db
		.selectFrom('schools')
		.select('id')
		.where('city_id', '=', cityId)
		.where('id', 'in', schoolIds)
		.execute();
	if (cityschools.length !== schoolIds.length)
		throw new Refusal('Choose schools of your city.', 404);
	if (schoolIds.length < 2)
		throw new Refusal('Choose at least two schools: moderation compares schools.');
	const teacherRows = await db
		.selectFrom('memberships')
		.innerJoin('schools', 'schools.id', 'memberships.school_id')
		.innerJoin('users', 'users.id', 'memberships.user_id')
		.select(['users.id as teacherId', 'memberships.school_id as schoolId'])
		.where('schools.city_id', '=', cityId)
		.where('memberships.role', '=', 'teacher')
		.where('users.active', '=', 1)
		.where('users.id', 'in', [...new Set(input.teacherIds)])
		.orderBy('users.id')
		.orderBy('memberships.school_id')
		.execute();
	// Every school each of them belongs to, in any role and any city: a teacher of two schools
	// never gets the work of either.
	const belongings = teacherRows.length
		? await db
				.selectFrom('memberships')
				.select(['user_id as userId', 'school_id as schoolId'])
				.where(
					'user_id',
					'in',
					teacherRows.map((t) => t.teacherId)
				)
				.execute()
		: [];
	const moderators: DrawModerator[] = [];
	for (const row of teacherRows)
		if (!moderators.some((m) => m.teacherId === row.teacherId))
			moderators.push({
				...row,
				memberOf: belongings.filter((b) => b.userId === row.teacherId).map((b) => b.schoolId)
			});
	if (moderators.length !== new Set(input.teacherIds).size)
		throw new Refusal('Choose moderators among the teachers of your city’s schools.', 404);
	const uncovered = schoolsWithoutOutsideModerator(schoolIds, moderators);
	if (uncovered.length > 0) {
		const names = await db
			.selectFrom('schools')
			.select('name')
			.where('id', 'in', uncovered)
			.orderBy('name')
			.execute();
		throw new Refusal(
			`Every school's work needs a moderator from another school: add a teacher who is not at ${names.map((n) => n.name).join(', ')}.`
		);
	}
	const candidates = await drawCandidates(db, schoolIds, codes);
	if (candidates.length === 0)
		throw new Refusal(
			'None of these schools has released work on tasks with those criteria yet: choose other criteria or schools.'
		);
	const pieces = drawSample({
		seed,
		perSchool: input.perSchool,
		schoolIds,
		candidates,
		moderators
	});
	return db.transaction().execute(async (trx) => {
		const now = nowIso();
		const { id: roundId } = await trx
			.insertInto('city_moderation_rounds')
			.values({
				city_id: cityId,
				title: input.title,
				criterion_codes: JSON.stringify(codes),
				per_school: input.perSchool,
				seed,
				created_by: cityAdmin.id,
				created_at: now
			})
			.returning('id')
			.executeTakeFirstOrThrow();
		await trx
			.insertInto('city_moderation_round_schools')
			.values(schoolIds.map((school_id) => ({ round_id: roundId, school_id })))
			.execute();
		await trx
			.insertInto('city_moderation_moderators')
			.values(
				moderators.map((m) => ({
					round_id: roundId,
					teacher_id: m.teacherId,
					school_id: m.schoolId
				}))
			)
			.execute();
		// In the drawn (shuffled) order, so even the samples' ids do not group them by school.
		for (const piece of pieces)
			await trx
				.insertInto('city_moderation_samples')
				.values({
					round_id: roundId,
					code: piece.code,
					submission_id: piece.submissionId,
					school_id: piece.schoolId,
					moderator_id: piece.moderatorId
				})
				.execute();
		// Each school's log says its work was sampled, by whom and how many pieces (never which).
		for (const schoolId of schoolIds)
			await recordAudit(trx, {
				schoolId,
				actorId: cityAdmin.id,
				action: 'city_moderation.draw',
				entityType: 'city_moderation_round',
				entityId: String(roundId),
				after: {
					title: input.title,
					codes,
					perSchool: input.perSchool,
					seed,
					pieces: pieces.filter((p) => p.schoolId === schoolId).length
				}
			});
		return roundId;
	});
}

/** The city's rounds, newest first, with how much of each is marked. */
export async function listRounds(db: DB, cityId: number) {
	const [rounds, counts] = await Promise.all([
		db
			.selectFrom('city_moderation_rounds')
			.select([
				'id',
				'title',
				'criterion_codes as codes',
				'per_school as perSchool',
				'created_at as createdAt',
				'closed_at as closedAt'
			])
			.where('city_id', '=', cityId)
			.orderBy('created_at', 'desc')
			.orderBy('id', 'desc')
			.execute(),
		db
			.selectFrom('city_moderation_samples')
			.innerJoin(
				'city_moderation_rounds',
				'city_moderation_rounds.id',
				'city_moderation_samples.round_id'
			)
			.select((eb) => [
				'city_moderation_samples.round_id as roundId',
				eb.fn.countAll().as('pieces'),
				eb.fn.count('city_moderation_samples.marked_at').as('marked')
			])
			.where('city_moderation_rounds.city_id', '=', cityId)
			.groupBy('city_moderation_samples.round_id')
			.execute()
	]);
	return rounds.map((r) => {
		const c = counts.find((x) => x.roundId === r.id);
		return {
			...r,
			codes: JSON.parse(r.codes) as string[],
			pieces: Number(c?.pieces ?? 0),
			marked: Number(c?.marked ?? 0)
		};
	});
}

/** A round of this city, or 404 (another city's round does not exist for this admin). */
export async function requireRoundOfCity(db: DB, cityId: number, roundId: number) {
	const round = await db
		.selectFrom('city_moderation_rounds')
		.select([
			'id',
			'title',
			'criterion_codes',
			'per_school as perSchool',
			'seed',
			'created_at as createdAt',
			'closed_at as closedAt'
		])
		.where('id', '=', roundId)
		.where('city_id', '=', cityId)
		.executeTakeFirst();
	if (!round) throw new Refusal('That moderation round does not exist.', 404);
	return { ...round, codes: JSON.parse(round.criterion_codes) as string[] };
}

/**
 * The city admin's view of a round: schools with how many pieces were drawn and marked, the
 * moderators' progress, and the agreement per school × criterion with cells of fewer than 5
 * pieces suppressed. No learner, no piece, no grade.
 */
export async function roundReport(db: DB, cityId: number, roundId: number) {
	const round = await requireRoundOfCity(db, cityId, roundId);
	const [schools, moderators, samples, agreement] = await Promise.all([
		db
			.selectFrom('city_moderation_round_schools')
			.innerJoin('schools', 'schools.id', 'city_moderation_round_schools.school_id')
			.select(['schools.id', 'schools.name'])
			.where('city_moderation_round_schools.round_id', '=', roundId)
			.orderBy('schools.name')
			.orderBy('schools.id')
			.execute(),
		db
			.selectFrom('city_moderation_moderators')
			.innerJoin('users', 'users.id', 'city_moderation_moderators.teacher_id')
			.innerJoin('schools', 'schools.id', 'city_moderation_moderators.school_id')
			.select([
				'users.id',
				'users.given_name as givenName',
				'users.family_name as familyName',
				'schools.name as schoolName'
			])
			.where('city_moderation_moderators.round_id', '=', roundId)
			.orderBy('users.family_name')
			.orderBy('users.given_name')
			.orderBy('users.id')
			.execute(),
		db
			.selectFrom('city_moderation_samples')
			.select(['school_id as schoolId', 'moderator_id as moderatorId', 'marked_at as markedAt'])
			.where('round_id', '=', roundId)
			.orderBy('id')
			.execute(),
		roundAgreement(db, roundId, round.codes, { suppressSmall: true })
	]);
	const count = (rows: typeof samples) => ({
		pieces: rows.length,
		marked: rows.filter((s) => s.markedAt !== null).length
	});
	return {
		round: {
			id: round.id,
			title: round.title,
			codes: round.codes,
			perSchool: round.perSchool,
			seed: round.seed,
			createdAt: round.createdAt,
			closedAt: round.closedAt
		},
		schools: schools.map((s) => ({ ...s, ...count(samples.filter((x) => x.schoolId === s.id)) })),
		moderators: moderators.map((m) => ({
			name: displayName(m),
			schoolName: m.schoolName,
			...count(samples.filter((x) => x.moderatorId === m.id))
		})),
		agreement
	};
}

/** Closes a round: its marks are kept and no longer change. */
export async function closeRound(db: DB, cityId: number, roundId: number) {
	await requireRoundOfCity(db, cityId, roundId);
	await db
		.updateTable('city_moderation_rounds')
		.set({ closed_at: nowIso() })
		.where('id', '=', roundId)
		.where('city_id', '=', cityId)
		.where('closed_at', 'is', null)
		.execute();
}

/**
 * A school admin's view: the rounds their school's work was sampled in, with their own school's
 * agreement only (every cell shown: the school sees its own learners' grades anyway).
 */
export async function roundsOfSchool(db: DB, admin: SessionUser) {
	const rounds = await db
		.selectFrom('city_moderation_rounds')
		.innerJoin(
			'city_moderation_round_schools',
			'city_moderation_round_schools.round_id',
			'city_moderation_rounds.id'
		)
		.innerJoin('schools', 'schools.id', 'city_moderation_round_schools.school_id')
		.select([
			'city_moderation_rounds.id',
			'city_moderation_rounds.title',
			'city_moderation_rounds.criterion_codes as codes',
			'city_moderation_rounds.created_at as createdAt',
			'city_moderation_rounds.closed_at as closedAt'
		])
		.where('city_moderation_round_schools.school_id', '=', admin.schoolId)
		// The school must still be in the round's city.
		.whereRef('schools.city_id', '=', 'city_moderation_rounds.city_id')
		.orderBy('city_moderation_rounds.created_at', 'desc')
		.orderBy('city_moderation_rounds.id', 'desc')
		.execute();
	return Promise.all(
		rounds.map(async (r) => {
			const codes = JSON.parse(r.codes) as string[];
			const agreement = await roundAgreement(db, r.id, codes, {
				suppressSmall: false,
				schoolId: admin.schoolId
			});
			return { ...r, codes, agreement };
		})
	);
}
