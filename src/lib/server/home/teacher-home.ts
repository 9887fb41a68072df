import { sql } from 'kysely';
import type { DB } from '../db/connection';
import type { SessionUser } from '../auth/sessions';
import { listTeacherClasses } from '../classes/classes';
import { tasksToSecondMark } from '../moderation/moderation';
import { scaleBandsOf } from '../scales/scales';
import { isLargeGap } from '../../domain/moderation';
import { teacherResult } from '../../domain/results';

// The figures on a teacher's home page. Each kind is one set-based query over all the classes the
// teacher teaches (never one per class or task), so a teacher of ten classes costs the same few
// queries as a teacher of one. Every count uses the same rule as the screen it links to.

/** Published tasks of the (not archived) classes this teacher teaches, in their school. */
function taughtTasks(db: DB, teacher: SessionUser) {
	return db
		.selectFrom('tasks')
		.innerJoin('classes', 'classes.id', 'tasks.class_id')
		.innerJoin('class_teachers', (join) =>
			join
				.onRef('class_teachers.class_id', '=', 'tasks.class_id')
				.on('class_teachers.teacher_id', '=', teacher.id)
		)
		.where('classes.school_id', '=', teacher.schoolId)
		.where('classes.archived', '=', 0)
		.where('tasks.state', '=', 'published');
}

/**
 * Work ready to mark, per task: the learner (still in the class) has submitted their
 * self-assessment, and the teacher grades do not yet cover every criterion — the marking list's
 * "Self-assessed" (`learnerTaskStatus`), so the figure counts exactly the rows it leads to.
 */
export async function readyToMark(db: DB, teacher: SessionUser) {
	const rows = await taughtTasks(db, teacher)
		.innerJoin('submissions', 'submissions.task_id', 'tasks.id')
		.innerJoin('enrolments', (join) =>
			join
				.onRef('enrolments.class_id', '=', 'tasks.class_id')
				.onRef('enrolments.learner_id', '=', 'submissions.learner_id')
		)
		.innerJoin('users', 'users.id', 'submissions.learner_id')
		.select((eb) => [
			'tasks.id as taskId',
			'tasks.title',
			'tasks.class_id as classId',
			'tasks.due_at as dueAt',
			eb.fn.countAll<number>().as('count')
		])
		.where('users.active', '=', 1)
		.where('submissions.self_state', '=', 'submitted')
		.where('submissions.released_at', 'is', null)
		.where(
			(eb) =>
				eb
					.selectFrom('assessments')
					.select((e) => e.fn.count<number>('assessments.criterion_id').distinct().as('n'))
					.whereRef('assessments.submission_id', '=', 'submissions.id')
					.where('assessments.role', '=', 'teacher')
					.where('assessments.value', 'is not', null),
			'<',
			(eb) =>
				eb
					.selectFrom('task_criteria')
					.select((e) => e.fn.countAll<number>().as('n'))
					.whereRef('task_criteria.task_id', '=', 'tasks.id')
		)
		.groupBy('tasks.id')
		.orderBy('tasks.due_at')
		.orderBy('tasks.id')
		.execute();
	return rows.map((r) => ({ ...r, count: Number(r.count) }));
}

/**
 * Peer reviews done of those allocated, per peer-assessed task that is still in progress (some
 * submitted work not yet released). Counted as the consensus counts them: reviews a teacher set
 * aside, and reviews of work that is no longer submitted (reopened), are left out.
 */
export async function peerReviewProgress(db: DB, teacher: SessionUser) {
	const rows = await taughtTasks(db, teacher)
		.innerJoin('peer_allocations', 'peer_allocations.task_id', 'tasks.id')
		.innerJoin('submissions', 'submissions.id', 'peer_allocations.submission_id')
		.select((eb) => [
			'tasks.id as taskId',
			'tasks.title',
			'tasks.class_id as classId',
			eb.fn.countAll<number>().as('allocated'),
			eb.fn
				.sum<number>(
					eb.case().when('peer_allocations.state', '=', 'submitted').then(1).else(0).end()
				)
				.as('done')
		])
		.where('tasks.peer_enabled', '=', 1)
		.where('peer_allocations.excluded_at', 'is', null)
		.where('submissions.self_state', '=', 'submitted')
		.where((eb) =>
			eb.exists(
				eb
					.selectFrom('submissions as waiting')
					.select('waiting.id')
					.whereRef('waiting.task_id', '=', 'tasks.id')
					.where('waiting.self_state', '=', 'submitted')
					.where('waiting.released_at', 'is', null)
			)
		)
		.groupBy('tasks.id')
		.orderBy('tasks.id')
		.execute();
	return rows.map((r) => ({ ...r, allocated: Number(r.allocated), done: Number(r.done ?? 0) }));
}

type JudgeRole = 'self' | 'teacher' | 'agreed';

/**
 * Self–teacher gaps the moderation matrix flags, per task: learners (still in the class) whose own
 * judgement of a criterion is more than one band from the teacher result (`isLargeGap`, with the
 * teacher result of `teacherResult`: the agreed grade, else the marker's, else the markers' mean).
 * One query reads every self and teacher judgement and agreed grade of the teacher's tasks; the
 * scales' bands come from a second.
 */
export async function flaggedGaps(db: DB, teacher: SessionUser) {
	const judgements = taughtTasks(db, teacher)
		.innerJoin('submissions', 'submissions.task_id', 'tasks.id')
		.innerJoin('enrolments', (join) =>
			join
				.onRef('enrolments.class_id', '=', 'tasks.class_id')
				.onRef('enrolments.learner_id', '=', 'submissions.learner_id')
		)
		.innerJoin('users', 'users.id', 'submissions.learner_id')
		.where('users.active', '=', 1);
	const rows = await judgements
		.innerJoin('assessments', 'assessments.submission_id', 'submissions.id')
		.innerJoin('task_criteria', (join) =>
			join
				.onRef('task_criteria.task_id', '=', 'tasks.id')
				.onRef('task_criteria.criterion_id', '=', 'assessments.criterion_id')
		)
		.select([
			'tasks.id as taskId',
			'tasks.title',
			'tasks.class_id as classId',
			'tasks.scale_id as scaleId',
			'submissions.id as submissionId',
			'submissions.learner_id as learnerId',
			'assessments.criterion_id as criterionId',
			sql<JudgeRole>`assessments.role`.as('role'),
			'assessments.value'
		])
		.where('assessments.role', 'in', ['self', 'teacher'])
		.where('assessments.value', 'is not', null)
		.unionAll(
			judgements
				.innerJoin('agreed_grades', 'agreed_grades.submission_id', 'submissions.id')
				.innerJoin('task_criteria', (join) =>
					join
						.onRef('task_criteria.task_id', '=', 'tasks.id')
						.onRef('task_criteria.criterion_id', '=', 'agreed_grades.criterion_id')
				)
				.select([
					'tasks.id as taskId',
					'tasks.title',
					'tasks.class_id as classId',
					'tasks.scale_id as scaleId',
					'submissions.id as submissionId',
					'submissions.learner_id as learnerId',
					'agreed_grades.criterion_id as criterionId',
					sql<JudgeRole>`'agreed'`.as('role'),
					'agreed_grades.value'
				])
		)
		.execute();
	const bands = await scaleBandsOf(
		db,
		rows.map((r) => r.scaleId)
	);
	type Cell = { self: number | null; markers: number[]; agreed: number | null };
	const cells = new Map<string, { row: (typeof rows)[number]; cell: Cell }>();
	for (const r of rows) {
		const key = `${r.submissionId}:${r.criterionId}`;
		const entry = cells.get(key) ?? { row: r, cell: { self: null, markers: [], agreed: null } };
		if (r.role === 'self') entry.cell.self = r.value;
		else if (r.role === 'agreed') entry.cell.agreed = r.value;
		else if (r.value !== null) entry.cell.markers.push(r.value);
		cells.set(key, entry);
	}
	const byTask = new Map<
		number,
		{ taskId: number; title: string; classId: number; learners: Set<number>; gaps: number }
	>();
	for (const { row, cell } of cells.values()) {
		const teacherValue = teacherResult(cell.markers, cell.agreed)?.value ?? null;
		if (!isLargeGap(bands.get(row.scaleId) ?? [], cell.self, teacherValue)) continue;
		const task = byTask.get(row.taskId) ?? {
			taskId: row.taskId,
			title: row.title,
			classId: row.classId,
			learners: new Set<number>(),
			gaps: 0
		};
		task.learners.add(row.learnerId);
		task.gaps++;
		byTask.set(row.taskId, task);
	}
	return [...byTask.values()]
		.sort((a, b) => a.taskId - b.taskId)
		.map(({ learners, ...t }) => ({ ...t, learners: learners.size }));
}

/** Live sessions not yet closed in the classes this teacher teaches. */
export async function openLiveSessions(db: DB, teacher: SessionUser) {
	return db
		.selectFrom('live_sessions')
		.innerJoin('classes', 'classes.id', 'live_sessions.class_id')
		.innerJoin('class_teachers', (join) =>
			join
				.onRef('class_teachers.class_id', '=', 'live_sessions.class_id')
				.on('class_teachers.teacher_id', '=', teacher.id)
		)
		.select([
			'live_sessions.id',
			'live_sessions.class_id as classId',
			'live_sessions.exemplar_title as exemplarTitle',
			'live_sessions.state',
			'live_sessions.started_at as startedAt'
		])
		.where('classes.school_id', '=', teacher.schoolId)
		.where('classes.archived', '=', 0)
		.where('live_sessions.state', '!=', 'closed')
		.orderBy('live_sessions.id', 'desc')
		.execute();
}

/** Everything on the teacher's home page, grouped by class. */
export async function teacherHome(db: DB, teacher: SessionUser) {
	const [classes, toMark, reviews, gaps, live, secondMarking] = await Promise.all([
		listTeacherClasses(db, teacher.id),
		readyToMark(db, teacher),
		peerReviewProgress(db, teacher),
		flaggedGaps(db, teacher),
		openLiveSessions(db, teacher),
		tasksToSecondMark(db, teacher)
	]);
	const of = <T extends { classId: number }>(rows: T[], classId: number) =>
		rows.filter((r) => r.classId === classId);
	return {
		classes: classes.map((c) => ({
			...c,
			readyToMark: of(toMark, c.id),
			peerReviews: of(reviews, c.id),
			gaps: of(gaps, c.id),
			live: of(live, c.id)
		})),
		secondMarking
	};
}
