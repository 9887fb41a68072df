// Bulk activity for a generated school: the benchmark's data. The school itself (people, classes,
// criteria) is made by the seed through kysely; the millions of tasks, submissions and judgements
// are written through `bulk-writer.ts` (prepared statements on SQLite, array inserts on PostgreSQL:
// it only fills a scratch database fast). The learner × skill aggregates are then built by the
// app's own rule (`profiles/aggregates.ts`).
import { openDatabase } from '../src/lib/server/db/connection';
import { refreshAggregatesForSchool } from '../src/lib/server/profiles/aggregates';
import { migrateToLatest } from '../src/lib/server/db/migrate';
import { DEMO_PASSWORD, insertSchool, planSchool, schoolOfSize } from '../src/lib/server/db/seed';
import { seededRandom } from '../src/lib/domain/peer-review';
import { bulkWriterFor } from './bulk-writer';

const OPEN_TASK = 'Open task for autosave';
const TASK_COLUMNS = [
	'class_id',
	'title',
	'brief_markdown',
	'scale_id',
	'state',
	'peer_enabled',
	'created_by',
	'created_at',
	'updated_at'
];
const SUBMISSION_COLUMNS = [
	'task_id',
	'learner_id',
	'self_state',
	'self_submitted_at',
	'released_at',
	'released_by',
	'updated_at'
];
const ASSESSMENT_COLUMNS = [
	'submission_id',
	'criterion_id',
	'assessor_id',
	'role',
	'value',
	'comment',
	'revision',
	'updated_at',
	'submitted_at'
];
const ALLOCATION_COLUMNS = [
	'task_id',
	'reviewer_id',
	'submission_id',
	'anonymous_label',
	'state',
	'submitted_at',
	'created_at'
];

export interface GeneratedSchool {
	schoolId: number;
	slug: string;
	learners: number;
	/** the open task per class that learners autosave into */
	openTaskByClass: Map<number, number>;
	classIds: number[];
	/** fully marked, unreleased tasks of the first class, for timing a class's release */
	toRelease: number[];
	/** how long filling the tables took, and building the aggregates from them */
	fillMs: number;
	aggregatesMs: number;
}

export async function generateSchool(
	target: string,
	spec: {
		learners: number;
		classes: number;
		tasksPerClass: number;
		criteriaPerTask: number;
		peers: number;
		seed: number;
		/** distinguishes schools of the same size in one database (the city's) */
		tag?: string;
		cityId?: number;
		/** fully marked, unreleased tasks to add to the first class */
		toRelease?: number;
	}
): Promise<GeneratedSchool> {
	const started = performance.now();
	const tag = spec.tag ?? String(spec.learners);
	const db = openDatabase(target);
	await migrateToLatest(db);
	const plan = planSchool({
		...schoolOfSize(spec.learners, spec.classes, spec.seed),
		slug: `bench-${tag}`,
		schoolName: `Bench School ${tag}`
	});
	// Several generated schools share one database: usernames are unique across schools.
	const rename = (u: string) => `b${tag}-${u}`;
	plan.people = plan.people.map((p) => ({ ...p, username: rename(p.username) }));
	plan.classes = plan.classes.map((c) => ({
		...c,
		teachers: c.teachers.map(rename),
		learners: c.learners.map(rename)
	}));
	const { schoolId } = await insertSchool(db, plan, DEMO_PASSWORD);
	if (spec.cityId !== undefined)
		await db
			.updateTable('schools')
			.set({ city_id: spec.cityId })
			.where('id', '=', schoolId)
			.execute();
	const scaleId = (
		await db
			.selectFrom('grade_scales')
			.select('id')
			.where('school_id', 'is', null)
			.orderBy('id')
			.limit(1)
			.executeTakeFirstOrThrow()
	).id;
	const criteria = (
		await db
			.selectFrom('criteria')
			.select('id')
			.where('school_id', '=', schoolId)
			.where('scale_id', '=', scaleId)
			.where('superseded_at', 'is', null)
			.orderBy('id')
			.limit(spec.criteriaPerTask)
			.execute()
	).map((c) => c.id);
	const classes = await db
		.selectFrom('classes')
		.select('id')
		.where('school_id', '=', schoolId)
		.orderBy('id')
		.execute();
	const teacherByClass = new Map(
		(
			await db
				.selectFrom('class_teachers')
				.innerJoin('classes', 'classes.id', 'class_teachers.class_id')
				.select([
					'class_teachers.class_id',
					(e) => e.fn.min('class_teachers.teacher_id').as('teacher_id')
				])
				.where('classes.school_id', '=', schoolId)
				.groupBy('class_teachers.class_id')
				.execute()
		).map((r) => [r.class_id, Number(r.teacher_id)])
	);
	const learnersByClass = new Map<number, number[]>();
	for (const row of await db
		.selectFrom('enrolments')
		.innerJoin('classes', 'classes.id', 'enrolments.class_id')
		.select(['enrolments.class_id', 'enrolments.learner_id'])
		.where('classes.school_id', '=', schoolId)
		.orderBy('enrolments.learner_id')
		.execute()) {
		const list = learnersByClass.get(row.class_id) ?? [];
		list.push(row.learner_id);
		learnersByClass.set(row.class_id, list);
	}
	await db.destroy();

	const writer = await bulkWriterFor(target);
	const random = seededRandom(spec.seed);
	const now = new Date().toISOString();
	const openTaskByClass = new Map<number, number>();
	const toRelease: number[] = [];
	const taskRow = (classId: number, title: string, peer: number, teacherId: number) => [
		classId,
		title,
		'',
		scaleId,
		'published',
		peer,
		teacherId,
		now,
		now
	];
	/** Inserts a class's tasks and their criteria; returns the tasks' ids by title. */
	const insertTasks = async (rows: unknown[][]) => {
		const ids = new Map(
			(await writer.insert('tasks', TASK_COLUMNS, rows, ['id', 'title'])).map((r) => [
				String(r.title),
				Number(r.id)
			])
		);
		await writer.insert(
			'task_criteria',
			['task_id', 'criterion_id', 'position', 'weight'],
			[...ids.values()].flatMap((taskId) => criteria.map((c, i) => [taskId, c, i + 1, 1]))
		);
		return ids;
	};
	/** Inserts submissions; returns their ids by "task:learner". */
	const insertSubmissions = async (rows: unknown[][]) =>
		new Map(
			(
				await writer.insert('submissions', SUBMISSION_COLUMNS, rows, [
					'id',
					'task_id',
					'learner_id'
				])
			).map((r) => [`${r.task_id}:${r.learner_id}`, Number(r.id)])
		);

	for (const { id: classId } of classes) {
		await writer.begin();
		const teacherId = teacherByClass.get(classId)!;
		const learners = learnersByClass.get(classId) ?? [];
		const level = new Map(learners.map((id) => [id, 25 + random() * 60]));
		const titles = Array.from({ length: spec.tasksPerClass }, (_, t) => `Task ${t + 1}`);
		const taskIds = await insertTasks([
			...titles.map((title) => taskRow(classId, title, 1, teacherId)),
			taskRow(classId, OPEN_TASK, 0, teacherId)
		]);
		openTaskByClass.set(classId, taskIds.get(OPEN_TASK)!);
		const submissionIds = await insertSubmissions(
			titles.flatMap((title, t) => {
				const released = new Date(
					Date.UTC(2026, 8 + Math.floor((t * 10) / spec.tasksPerClass), 1 + (t % 27))
				).toISOString();
				return learners.map((learner) => [
					taskIds.get(title)!,
					learner,
					'submitted',
					now,
					released,
					teacherId,
					now
				]);
			})
		);
		const assessments: unknown[][] = [];
		const allocations: unknown[][] = [];
		titles.forEach((title, t) => {
			const taskId = taskIds.get(title)!;
			learners.forEach((learner, i) => {
				const submissionId = submissionIds.get(`${taskId}:${learner}`)!;
				const base = level.get(learner)! + t;
				const value = (spread: number) =>
					Math.max(0, Math.min(100, Math.round(base + (random() - 0.5) * spread)));
				for (const c of criteria) {
					assessments.push([submissionId, c, learner, 'self', value(30), '', 1, now, now]);
					assessments.push([submissionId, c, teacherId, 'teacher', value(12), '', 1, now, now]);
				}
				for (let p = 1; p <= spec.peers && p < learners.length; p++) {
					const reviewer = learners[(i + p) % learners.length]!;
					allocations.push([
						taskId,
						reviewer,
						submissionId,
						`Reviewer ${String.fromCharCode(64 + p)}`,
						'submitted',
						now,
						now
					]);
					for (const c of criteria)
						assessments.push([submissionId, c, reviewer, 'peer', value(25), '', 1, now, now]);
				}
			});
		});
		if (classId === classes[0]!.id && (spec.toRelease ?? 0) > 0) {
			// Marked and waiting for release: self-assessed and submitted, every criterion graded.
			const releaseTitles = Array.from(
				{ length: spec.toRelease! },
				(_, t) => `To release ${t + 1}`
			);
			const releaseIds = await insertTasks(
				releaseTitles.map((title) => taskRow(classId, title, 0, teacherId))
			);
			const ids = releaseTitles.map((title) => releaseIds.get(title)!);
			toRelease.push(...ids);
			const waiting = await insertSubmissions(
				ids.flatMap((taskId) =>
					learners.map((learner) => [taskId, learner, 'submitted', now, null, null, now])
				)
			);
			for (const taskId of ids)
				for (const learner of learners) {
					const submissionId = waiting.get(`${taskId}:${learner}`)!;
					for (const c of criteria) {
						assessments.push([submissionId, c, learner, 'self', 50, '', 1, now, now]);
						assessments.push([submissionId, c, teacherId, 'teacher', 60, '', 1, now, now]);
					}
				}
		}
		await writer.insert('assessments', ASSESSMENT_COLUMNS, assessments);
		await writer.insert('peer_allocations', ALLOCATION_COLUMNS, allocations);
		await writer.commit();
	}
	await writer.finish();
	const fillMs = performance.now() - started;
	const withAggregates = openDatabase(target);
	const aggregatesStarted = performance.now();
	await withAggregates.transaction().execute((trx) => refreshAggregatesForSchool(trx, schoolId));
	const aggregatesMs = performance.now() - aggregatesStarted;
	await withAggregates.destroy();
	return {
		schoolId,
		slug: `bench-${tag}`,
		learners: spec.learners,
		openTaskByClass,
		classIds: classes.map((c) => c.id),
		toRelease,
		fillMs,
		aggregatesMs
	};
}
