import type { DB } from '../db/connection';
import type { SessionUser } from '../auth/sessions';
import { recordAudit } from '../audit';
import {
	requireLearnerOfTask,
	requireTaskToMark,
	requireTaskToTeach,
	type TaskToMark,
	type TaskToTeach
} from '../auth/task-guards';
import { taskCriteria } from '../tasks/task-criteria';
import { nowIso } from '../clock';
import { scaleBands } from '../scales/scales';
import { peerConsensus } from '../../domain/peer-review';
import { teacherResult } from '../../domain/results';
import { bandCounts, gapInBands, isLargeGap, markerAgreement } from '../../domain/moderation';
import { bandFor } from '../../domain/scales';
import { Refusal } from '../errors';
import { displayName } from '../../domain/names';
import { NEUTRAL_COLOUR } from '../../domain/frameworks';
import { refreshLearnerSkillAggregates } from '../profiles/aggregates';

/** Every agreed grade on one task's work: what moderation settled, which outranks any marker's. */
export function agreedGradesOfTask(db: DB, taskId: number) {
	return db
		.selectFrom('agreed_grades')
		.innerJoin('submissions', 'submissions.id', 'agreed_grades.submission_id')
		.select([
			'agreed_grades.submission_id as submissionId',
			'agreed_grades.criterion_id as criterionId',
			'agreed_grades.value'
		])
		.where('submissions.task_id', '=', taskId)
		.execute();
}

/**
 * The class moderation matrix: every learner × criterion with self, peer consensus and teacher
 * result, the gaps in bands and the flags — from four set-based queries for the whole task.
 */
export async function moderationMatrix(db: DB, user: SessionUser, taskId: number) {
	const task = await requireTaskToMark(db, user, taskId);
	const [criteria, bands, learners, assessments, allocations, agreed, markers] = await Promise.all([
		taskCriteria(db, taskId),
		scaleBands(db, task.scale_id),
		db
			.selectFrom('enrolments')
			.innerJoin('users', 'users.id', 'enrolments.learner_id')
			.leftJoin('submissions', (join) =>
				join.onRef('submissions.learner_id', '=', 'users.id').on('submissions.task_id', '=', taskId)
			)
			.select([
				'users.id',
				'users.given_name as givenName',
				'users.family_name as familyName',
				'submissions.id as submissionId',
				'submissions.self_state as selfState'
			])
			.where('enrolments.class_id', '=', task.class_id)
			.where('users.active', '=', 1)
			.orderBy('users.family_name')
			.orderBy('users.given_name')
			.execute(),
		db
			.selectFrom('assessments')
			.innerJoin('submissions', 'submissions.id', 'assessments.submission_id')
			.select([
				'assessments.submission_id as submissionId',
				'assessments.criterion_id as criterionId',
				'assessments.role',
				'assessments.assessor_id as assessorId',
				'assessments.value'
			])
			.where('submissions.task_id', '=', taskId)
			.where('assessments.value', 'is not', null)
			.execute(),
		db
			.selectFrom('peer_allocations')
			.select([
				'submission_id as submissionId',
				'reviewer_id as reviewerId',
				'state',
				'excluded_at as excludedAt'
			])
			.where('task_id', '=', taskId)
			.execute(),
		agreedGradesOfTask(db, taskId),
		taskMarkers(db, taskId, task.class_id)
	]);
	const bandLabel = (v: number | null) => (v === null ? null : bandFor(bands, v).label);

	const rows = learners.map((learner) => {
		const cells = criteria.map((c) => {
			const mine = assessments.filter(
				(a) => a.submissionId === learner.submissionId && a.criterionId === c.criterionId
			);
			const self = mine.find((a) => a.role === 'self')?.value ?? null;
			const teacherRows = mine.filter((a) => a.role === 'teacher');
			const agreedValue =
				agreed.find(
					(a) => a.submissionId === learner.submissionId && a.criterionId === c.criterionId
				)?.value ?? null;
			const teacher = teacherResult(
				teacherRows.map((t) => t.value),
				agreedValue
			);
			const peer = peerConsensus(
				bands,
				allocations
					.filter((a) => a.submissionId === learner.submissionId)
					.map((a) => ({
						value:
							mine.find((m) => m.role === 'peer' && m.assessorId === a.reviewerId)?.value ?? null,
						submitted: a.state === 'submitted',
						excluded: a.excludedAt !== null
					})),
				learner.selfState === 'submitted'
			);
			const teacherValue = teacher?.value ?? null;
			const peerValue = peer?.median ?? null;
			return {
				criterionId: c.criterionId,
				self,
				peer: peerValue,
				teacher: teacherValue,
				teacherSource: teacher?.source ?? null,
				selfBand: bandLabel(self),
				peerBand: bandLabel(peerValue),
				// What the median rests on, shown beside it: reviews counted, set aside by a teacher,
				// allocated but not submitted, and the range (null with no counted review).
				peerCounted: peer?.counted ?? 0,
				peerExcluded: peer?.excluded ?? null,
				peerMissing: peer?.missing ?? null,
				peerRange: peer ? { min: peer.min, max: peer.max } : null,
				teacherBand: bandLabel(teacherValue),
				selfGap: gapInBands(bands, self, teacherValue),
				peerGap: gapInBands(bands, peerValue, teacherValue),
				flagged: isLargeGap(bands, self, teacherValue) || isLargeGap(bands, peerValue, teacherValue)
			};
		});
		const largest = (key: 'selfGap' | 'peerGap') =>
			Math.max(-1, ...cells.map((c) => (c[key] === null ? -1 : Math.abs(c[key]!))));
		return {
			learnerId: learner.id,
			name: displayName(learner),
			cells,
			largestSelfGap: largest('selfGap'),
			largestPeerGap: largest('peerGap'),
			flagged: cells.some((c) => c.flagged)
		};
	});

	const distributions = criteria.map((c) => {
		const cells = rows.map((r) => r.cells.find((x) => x.criterionId === c.criterionId)!);
		return {
			criterionId: c.criterionId,
			self: bandCounts(
				bands,
				cells.map((x) => x.self)
			),
			peer: bandCounts(
				bands,
				cells.map((x) => x.peer)
			),
			teacher: bandCounts(
				bands,
				cells.map((x) => x.teacher)
			)
		};
	});

	const markerPairs = [];
	for (let i = 0; i < markers.length; i++) {
		for (let j = i + 1; j < markers.length; j++) {
			const first = markers[i]!;
			const second = markers[j]!;
			markerPairs.push({
				first: first.name,
				second: second.name,
				perCriterion: criteria.map((c) => {
					const pairs = learners
						.map((l) => {
							const a = assessments.find(
								(x) =>
									x.submissionId === l.submissionId &&
									x.criterionId === c.criterionId &&
									x.role === 'teacher' &&
									x.assessorId === first.id
							)?.value;
							const b = assessments.find(
								(x) =>
									x.submissionId === l.submissionId &&
									x.criterionId === c.criterionId &&
									x.role === 'teacher' &&
									x.assessorId === second.id
							)?.value;
							return a != null && b != null ? { first: a, second: b } : null;
						})
						.filter((p): p is { first: number; second: number } => p !== null);
					return { criterionId: c.criterionId, code: c.code, ...markerAgreement(bands, pairs) };
				})
			});
		}
	}

	return {
		task: { id: task.id, title: task.title, className: task.className, classId: task.class_id },
		bands: bands.map((b) => ({ label: b.label, minValue: b.minValue })),
		criteria: criteria.map((c) => ({
			criterionId: c.criterionId,
			code: c.code,
			title: c.title,
			colour: c.colour ?? NEUTRAL_COLOUR,
			categoryTitle: `${c.categoryCode} ${c.categoryTitle}`
		})),
		rows,
		distributions,
		markers,
		markerPairs
	};
}

/** Everyone whose grades count on this task: the class's teachers and any added markers. */
async function taskMarkers(db: DB, taskId: number, classId: number) {
	const [teachers, extra] = await Promise.all([
		db
			.selectFrom('class_teachers')
			.innerJoin('users', 'users.id', 'class_teachers.teacher_id')
			.select(['users.id', 'users.given_name as givenName', 'users.family_name as familyName'])
			.where('class_teachers.class_id', '=', classId)
			.execute(),
		db
			.selectFrom('task_markers')
			.innerJoin('users', 'users.id', 'task_markers.marker_id')
			.select([
				'users.id',
				'users.given_name as givenName',
				'users.family_name as familyName',
				'task_markers.is_moderator'
			])
			.where('task_markers.task_id', '=', taskId)
			.execute()
	]);
	const all = new Map<
		number,
		{ id: number; name: string; role: 'class teacher' | 'second marker' }
	>();
	for (const t of teachers)
		all.set(t.id, { id: t.id, name: displayName(t), role: 'class teacher' });
	for (const m of extra)
		if (!all.has(m.id)) all.set(m.id, { id: m.id, name: displayName(m), role: 'second marker' });
	return [...all.values()];
}

export async function schoolTeachers(db: DB, schoolId: number) {
	return db
		.selectFrom('memberships')
		.innerJoin('users', 'users.id', 'memberships.user_id')
		.select(['users.id', 'users.given_name as givenName', 'users.family_name as familyName'])
		.where('memberships.school_id', '=', schoolId)
		.where('memberships.role', '=', 'teacher')
		.where('users.active', '=', 1)
		.orderBy('users.family_name')
		.execute();
}

/**
 * The tasks of other classes a teacher was added to as a second marker: their only way in (they do
 * not teach the class, so its pages do not list the task).
 */
export async function tasksToSecondMark(db: DB, teacher: SessionUser) {
	return db
		.selectFrom('task_markers')
		.innerJoin('tasks', 'tasks.id', 'task_markers.task_id')
		.innerJoin('classes', 'classes.id', 'tasks.class_id')
		.select([
			'tasks.id',
			'tasks.title',
			'tasks.due_at as dueAt',
			'classes.name as className',
			'task_markers.is_moderator as isModerator'
		])
		.where('task_markers.marker_id', '=', teacher.id)
		.where('classes.school_id', '=', teacher.schoolId)
		.where('tasks.state', '=', 'published')
		.where((eb) =>
			eb.not(
				eb.exists(
					eb
						.selectFrom('class_teachers')
						.select('class_teachers.teacher_id')
						.whereRef('class_teachers.class_id', '=', 'tasks.class_id')
						.where('class_teachers.teacher_id', '=', teacher.id)
				)
			)
		)
		.orderBy('tasks.due_at')
		.orderBy('tasks.id')
		.execute();
}

export async function addMarker(
	db: DB,
	teacher: SessionUser,
	taskOrId: number | TaskToTeach,
	markerId: number
) {
	const { id: taskId } = await requireTaskToTeach(db, teacher, taskOrId);
	const isTeacher = (await schoolTeachers(db, teacher.schoolId)).some((t) => t.id === markerId);
	if (!isTeacher) throw new Refusal('Choose a teacher of your school.', 404);
	await db.transaction().execute(async (trx) => {
		await trx
			.insertInto('task_markers')
			.values({ task_id: taskId, marker_id: markerId, is_moderator: 0 })
			.onConflict((oc) => oc.doNothing())
			.execute();
		await recordAudit(trx, {
			schoolId: teacher.schoolId,
			actorId: teacher.id,
			action: 'marker.add',
			entityType: 'task',
			entityId: String(taskId),
			after: { markerId }
		});
	});
}

/**
 * One learner's grades side by side for moderation: every marker, self, peers and any agreed grade.
 */
export async function moderationDetail(
	db: DB,
	user: SessionUser,
	taskId: number,
	learnerId: number
) {
	const matrix = await moderationMatrix(db, user, taskId);
	const row = matrix.rows.find((r) => r.learnerId === learnerId);
	if (!row) throw new Refusal('That learner is not in this task’s class.', 404);
	const submission = await db
		.selectFrom('submissions')
		.select('id')
		.where('task_id', '=', taskId)
		.where('learner_id', '=', learnerId)
		.executeTakeFirst();
	const [markerGrades, agreed] = submission
		? await Promise.all([
				db
					.selectFrom('assessments')
					.innerJoin('users', 'users.id', 'assessments.assessor_id')
					.select([
						'assessments.criterion_id as criterionId',
						'assessments.value',
						'assessments.comment',
						'users.given_name as givenName',
						'users.family_name as familyName'
					])
					.where('assessments.submission_id', '=', submission.id)
					.where('assessments.role', '=', 'teacher')
					.execute(),
				db
					.selectFrom('agreed_grades')
					.leftJoin('users', 'users.id', 'agreed_grades.agreed_by')
					.select([
						'agreed_grades.criterion_id as criterionId',
						'agreed_grades.value',
						'agreed_grades.note',
						'agreed_grades.agreed_at as agreedAt',
						'users.given_name as givenName',
						'users.family_name as familyName'
					])
					.where('agreed_grades.submission_id', '=', submission.id)
					.execute()
			])
		: [[], []];
	return {
		...matrix,
		learner: { id: learnerId, name: row.name },
		row,
		markerGrades: markerGrades.map((g) => ({
			criterionId: g.criterionId,
			value: g.value,
			comment: g.comment,
			marker: displayName(g)
		})),
		agreed: agreed.map((a) => ({
			criterionId: a.criterionId,
			value: a.value,
			note: a.note,
			agreedAt: a.agreedAt,
			by: displayName(a) ?? 'Someone since removed'
		}))
	};
}

/**
 * The moderator's agreed grade becomes the learner's result; every change (and removal) is audited.
 */
export async function recordAgreedGrade(
	db: DB,
	user: SessionUser,
	taskOrId: number | TaskToMark,
	learnerId: number,
	criterionId: number,
	value: number | null,
	note: string
) {
	const task = await requireTaskToMark(db, user, taskOrId);
	const taskId = task.id;
	await requireLearnerOfTask(db, task.class_id, learnerId);
	const inTask = await db
		.selectFrom('task_criteria')
		.select('id')
		.where('task_id', '=', taskId)
		.where('criterion_id', '=', criterionId)
		.executeTakeFirst();
	if (!inTask) throw new Refusal('That criterion is not part of this task.');
	await db.transaction().execute(async (trx) => {
		const now = nowIso();
		const submission = await trx
			.insertInto('submissions')
			.values({ task_id: taskId, learner_id: learnerId, updated_at: now })
			.onConflict((oc) => oc.columns(['task_id', 'learner_id']).doUpdateSet({ updated_at: now }))
			.returning('id')
			.executeTakeFirstOrThrow();
		const before = await trx
			.selectFrom('agreed_grades')
			.select(['value', 'note'])
			.where('submission_id', '=', submission.id)
			.where('criterion_id', '=', criterionId)
			.executeTakeFirst();
		if (value === null) {
			await trx
				.deleteFrom('agreed_grades')
				.where('submission_id', '=', submission.id)
				.where('criterion_id', '=', criterionId)
				.execute();
		} else {
			await trx
				.insertInto('agreed_grades')
				.values({
					submission_id: submission.id,
					criterion_id: criterionId,
					value,
					agreed_by: user.id,
					agreed_at: now,
					note
				})
				.onConflict((oc) =>
					oc
						.columns(['submission_id', 'criterion_id'])
						.doUpdateSet({ value, agreed_by: user.id, agreed_at: now, note })
				)
				.execute();
		}
		// An agreed grade replaces the markers' grades in every released result.
		await refreshLearnerSkillAggregates(trx, [learnerId]);
		await recordAudit(trx, {
			schoolId: user.schoolId,
			actorId: user.id,
			action: value === null ? 'agreed.clear' : 'agreed.record',
			entityType: 'submission',
			entityId: String(submission.id),
			before: before
				? { criterionId, value: before.value, note: before.note }
				: { criterionId, value: null },
			after: { criterionId, value, note },
			reason: note
		});
	});
}
