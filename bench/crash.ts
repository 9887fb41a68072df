// `npm run crash-test`: under autosave load, kill -9 the server, and check that every save the
// server acknowledged is in the database afterwards (WAL, synchronous=NORMAL survives a process
// crash).
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { generateSchool } from './generate';

const TMP = 'bench/tmp-crash';
const DB = join(TMP, 'crash.db');
const PORT = 4321;
const ORIGIN = `http://localhost:${PORT}`;

rmSync(TMP, { recursive: true, force: true });
mkdirSync(TMP, { recursive: true });
process.env.DATABASE_PATH = DB;
const school = await generateSchool(DB, {
	learners: 120,
	classes: 4,
	tasksPerClass: 1,
	criteriaPerTask: 4,
	peers: 0,
	seed: 7
});
const { openDatabase } = await import('../src/lib/server/db/connection');
const { createSession, generateSessionToken, SESSION_COOKIE } =
	await import('../src/lib/server/auth/sessions');
const db = openDatabase(DB);
const learners = await db
	.selectFrom('enrolments')
	.innerJoin('classes', 'classes.id', 'enrolments.class_id')
	.select(['enrolments.learner_id as id', 'enrolments.class_id as classId'])
	.where('classes.school_id', '=', school.schoolId)
	.execute();
const writers = [];
for (const l of learners.slice(0, 48)) {
	const taskId = school.openTaskByClass.get(l.classId)!;
	const criterionId = (
		await db
			.selectFrom('task_criteria')
			.select('criterion_id')
			.where('task_id', '=', taskId)
			.executeTakeFirstOrThrow()
	).criterion_id;
	const token = generateSessionToken();
	await createSession(db, token, l.id);
	writers.push({
		learnerId: l.id,
		taskId,
		criterionId,
		cookie: `${SESSION_COOKIE}=${token}`,
		acknowledged: -1,
		sent: -1
	});
}
await db.destroy();

const server = spawn(process.execPath, ['build'], {
	stdio: 'ignore',
	env: { ...process.env, PORT: String(PORT), HOST: '127.0.0.1', ORIGIN, DATABASE_PATH: DB }
});
for (let i = 0; i < 100; i++) {
	try {
		if ((await fetch(`${ORIGIN}/healthz`)).ok) break;
	} catch {
		/* starting */
	}
	await new Promise((r) => setTimeout(r, 200));
}

let running = true;
const loops = writers.map(async (w) => {
	for (let value = 0; running; value = (value + 1) % 101) {
		w.sent = value;
		try {
			const response = await fetch(`${ORIGIN}/student/tasks/${w.taskId}/save`, {
				method: 'PUT',
				headers: {
					cookie: w.cookie,
					'content-type': 'application/json',
					accept: 'application/json'
				},
				body: JSON.stringify({ kind: 'criterion', criterionId: w.criterionId, value })
			});
			if (response.ok) w.acknowledged = value;
		} catch {
			return; // the server is gone
		}
	}
});
await new Promise((r) => setTimeout(r, 4000));
server.kill('SIGKILL');
running = false;
await Promise.all(loops);

const check = new Database(DB); // opening runs WAL recovery, as a restart would
let lost = 0;
let acknowledgedSaves = 0;
for (const w of writers) {
	if (w.acknowledged < 0) continue;
	acknowledgedSaves++;
	const row = check
		.prepare(
			`select a.value from assessments a join submissions s on s.id = a.submission_id where s.task_id = ? and s.learner_id = ? and a.criterion_id = ? and a.role = 'self'`
		)
		.get(w.taskId, w.learnerId, w.criterionId) as { value: number } | undefined;
	// The last acknowledged value, or the one in flight when the server died (sent but not
	// acknowledged).
	if (!row || (row.value !== w.acknowledged && row.value !== w.sent)) {
		lost++;
		console.error(
			`learner ${w.learnerId}: acknowledged ${w.acknowledged}, database has ${row?.value}`
		);
	}
}
check.close();
console.log(
	`${writers.length} writers; ${acknowledgedSaves} with acknowledged saves at the kill; lost acknowledged saves: ${lost}`
);
process.exit(lost === 0 && acknowledgedSaves > 0 ? 0 : 1);
