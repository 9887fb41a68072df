// Bulk activity for a generated school: the benchmark's data (SQLite-specific on purpose: the app's
// own SQL stays in kysely; this only fills a scratch database fast, through prepared statements).
// The learner × skill aggregates are then built by the app's own rule (`profiles/aggregates.ts`).
import SQLite from 'better-sqlite3';
import { openDatabase } from '../src/lib/server/db/connection';
import { refreshAggregatesForSchool } from '../src/lib/server/profiles/aggregates';
import { migrateToLatest } from '../src/lib/server/db/migrate';
import { DEMO_PASSWORD, insertSchool, planSchool, schoolOfSize } from '../src/lib/server/db/seed';
import { seededRandom } from '../src/lib/domain/peer-review';

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
	path: string,
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
	const db = openDatabase(path);
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
	await db.destroy();

	const sqlite = new SQLite(path);
	sqlite.pragma('journal_mode = WAL');
	sqlite.pragma('synchronous = OFF'); // a scratch database: speed over durability while filling it
	const random = seededRandom(spec.seed);
	const now = new Date().toISOString();
	const scaleId = (
		sqlite
			.prepare(`select id from grade_scales where school_id is null order by id limit 1`)
			.get() as { id: number }
	).id;
	const criteria = (
		sqlite
			.prepare(
				`select id from criteria where school_id = ? and scale_id = ? and superseded_at is null order by id limit ?`
			)
			.all(schoolId, scaleId, spec.criteriaPerTask) as { id: number }[]
	).map((c) => c.id);
	const classes = sqlite
		.prepare(`select id from classes where school_id = ? order by id`)
		.all(schoolId) as { id: number }[];

	const insertTask = sqlite.prepare(
		`insert into tasks (class_id, title, brief_markdown, scale_id, state, peer_enabled, created_by, created_at, updated_at) values (?, ?, '', ?, 'published', ?, ?, ?, ?)`
	);
	const insertTaskCriterion = sqlite.prepare(
		`insert into task_criteria (task_id, criterion_id, position, weight) values (?, ?, ?, 1)`
	);
	const insertSubmission = sqlite.prepare(
		`insert into submissions (task_id, learner_id, self_state, self_submitted_at, released_at, released_by, updated_at) values (?, ?, 'submitted', ?, ?, ?, ?)`
	);
	const insertAssessment = sqlite.prepare(
		`insert into assessments (submission_id, criterion_id, assessor_id, role, value, comment, revision, updated_at, submitted_at) values (?, ?, ?, ?, ?, '', 1, ?, ?)`
	);
	const insertAllocation = sqlite.prepare(
		`insert into peer_allocations (task_id, reviewer_id, submission_id, anonymous_label, state, submitted_at, created_at) values (?, ?, ?, ?, 'submitted', ?, ?)`
	);

	const openTaskByClass = new Map<number, number>();
	const fill = sqlite.transaction((classId: number) => {
		const teacherId = (
			sqlite
				.prepare(`select teacher_id from class_teachers where class_id = ? limit 1`)
				.get(classId) as { teacher_id: number }
		).teacher_id;
		const learners = (
			sqlite
				.prepare(`select learner_id from enrolments where class_id = ? order by learner_id`)
				.all(classId) as { learner_id: number }[]
		).map((l) => l.learner_id);
		const level = new Map(learners.map((id) => [id, 25 + random() * 60]));
		for (let t = 0; t < spec.tasksPerClass; t++) {
			const taskId = Number(
				insertTask.run(classId, `Task ${t + 1}`, scaleId, 1, teacherId, now, now).lastInsertRowid
			);
			criteria.forEach((c, i) => insertTaskCriterion.run(taskId, c, i + 1));
			const released = new Date(
				Date.UTC(2026, 8 + Math.floor((t * 10) / spec.tasksPerClass), 1 + (t % 27))
			).toISOString();
			const submissionOf = new Map<number, number>();
			for (const learner of learners)
				submissionOf.set(
					learner,
					Number(
						insertSubmission.run(taskId, learner, now, released, teacherId, now).lastInsertRowid
					)
				);
			learners.forEach((learner, i) => {
				const submissionId = submissionOf.get(learner)!;
				const base = level.get(learner)! + t;
				const value = (spread: number) =>
					Math.max(0, Math.min(100, Math.round(base + (random() - 0.5) * spread)));
				for (const c of criteria) {
					insertAssessment.run(submissionId, c, learner, 'self', value(30), now, now);
					insertAssessment.run(submissionId, c, teacherId, 'teacher', value(12), now, now);
				}
				for (let p = 1; p <= spec.peers && p < learners.length; p++) {
					const reviewer = learners[(i + p) % learners.length]!;
					insertAllocation.run(
						taskId,
						reviewer,
						submissionId,
						`Reviewer ${String.fromCharCode(64 + p)}`,
						now,
						now
					);
					for (const c of criteria)
						insertAssessment.run(submissionId, c, reviewer, 'peer', value(25), now, now);
				}
			});
		}
		const open = Number(
			insertTask.run(classId, 'Open task for autosave', scaleId, 0, teacherId, now, now)
				.lastInsertRowid
		);
		criteria.forEach((c, i) => insertTaskCriterion.run(open, c, i + 1));
		openTaskByClass.set(classId, open);
		if (classId !== classes[0]!.id) return;
		// Marked and waiting for release: self-assessed and submitted, every criterion graded.
		for (let t = 0; t < (spec.toRelease ?? 0); t++) {
			const taskId = Number(
				insertTask.run(classId, `To release ${t + 1}`, scaleId, 0, teacherId, now, now)
					.lastInsertRowid
			);
			criteria.forEach((c, i) => insertTaskCriterion.run(taskId, c, i + 1));
			toRelease.push(taskId);
			for (const learner of learners) {
				const submissionId = Number(
					insertSubmission.run(taskId, learner, now, null, null, now).lastInsertRowid
				);
				for (const c of criteria) {
					insertAssessment.run(submissionId, c, learner, 'self', 50, now, now);
					insertAssessment.run(submissionId, c, teacherId, 'teacher', 60, now, now);
				}
			}
		}
	});
	const toRelease: number[] = [];
	for (const { id } of classes) fill(id);
	sqlite.pragma('synchronous = NORMAL');
	sqlite.exec('analyze');
	sqlite.close();
	const fillMs = performance.now() - started;
	const withAggregates = openDatabase(path);
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
