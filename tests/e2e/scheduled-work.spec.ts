import { expect, test } from '@playwright/test';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { startInbox } from '../unit/smtp-inbox';

// Scheduled work with real server processes (issue 15): the built app (`node build`) on its own
// database file, started, killed and started again, or two at once on one file. No browser: what
// is checked is in the database. Each server is an ordinary production start, so anything the
// server sends when a reminder runs (e-mail through an SMTP_URL, say) can be checked here by
// passing its settings in `extraEnv` and counting what arrives.

test.describe.configure({ mode: 'serial' });

const LEARNERS_IN_CLASS_1 = 15;

async function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const probe = createServer();
		probe.once('error', reject);
		probe.listen(0, '127.0.0.1', () => {
			const { port } = probe.address() as { port: number };
			probe.close(() => resolve(port));
		});
	});
}

/** A fresh database made by the fixture script, with reminders due `dueIn` ms from now. */
function prepareDatabase(dueIn: number[]) {
	const dir = mkdtempSync(join(tmpdir(), 'fusion-jobs-'));
	const databasePath = join(dir, 'jobs.db');
	const made = spawnSync(
		'npx',
		['tsx', 'tests/e2e/scheduled-work-fixture.ts', ...dueIn.map(String)],
		{
			env: { ...process.env, DATABASE_PATH: databasePath },
			encoding: 'utf8'
		}
	);
	if (made.status !== 0) throw new Error(`The fixture failed: ${made.stderr}`);
	const taskIds = JSON.parse(made.stdout.trim().split('\n').pop()!) as number[];
	return { dir, databasePath, taskIds };
}

interface RunningServer {
	process: ChildProcess;
	port: number;
}

async function startServer(
	databasePath: string,
	dir: string,
	extraEnv: Record<string, string> = {}
): Promise<RunningServer> {
	const port = await freePort();
	const child = spawn(process.execPath, ['build'], {
		env: {
			...process.env,
			DATABASE_PATH: databasePath,
			UPLOADS_DIR: join(dir, 'uploads'),
			PORT: String(port),
			HOST: '127.0.0.1',
			ORIGIN: `http://127.0.0.1:${port}`,
			...extraEnv
		},
		stdio: 'ignore'
	});
	for (let i = 0; i < 300; i++) {
		if (child.exitCode !== null) throw new Error(`The server exited with ${child.exitCode}`);
		const healthy = await fetch(`http://127.0.0.1:${port}/healthz`, {
			signal: AbortSignal.timeout(5_000)
		})
			.then((r) => r.ok)
			.catch(() => false);
		if (healthy) return { process: child, port };
		await new Promise((r) => setTimeout(r, 100));
	}
	child.kill('SIGKILL');
	throw new Error('The server did not become healthy within 30 seconds');
}

async function stop(server: RunningServer, signal: NodeJS.Signals = 'SIGKILL') {
	// A process ended by a signal has a signalCode and no exitCode.
	if (server.process.exitCode !== null || server.process.signalCode !== null) return;
	const exited = new Promise((r) => server.process.once('exit', r));
	server.process.kill(signal);
	await exited;
}

function read<T>(databasePath: string, query: string, ...params: unknown[]): T[] {
	const db = new Database(databasePath, { readonly: true, fileMustExist: true });
	try {
		return db.prepare(query).all(...params) as T[];
	} finally {
		db.close();
	}
}

const reminderJobs = (databasePath: string) =>
	read<{ key: string; state: string; attempts: number; leased_by: string | null }>(
		databasePath,
		"select key, state, attempts, leased_by from jobs where kind = 'reminder.due' order by key"
	);

/**
 * The reminder jobs, in task order, made to fall due `stepMs` apart from `firstAt`, with their
 * reminders' dates moved to match (the handler checks the task's date is still the one it was for).
 */
function bringRemindersForward(databasePath: string, firstAt: number, stepMs: number) {
	const DAY = 24 * 60 * 60 * 1000;
	const db = new Database(databasePath, { fileMustExist: true });
	try {
		const jobs = db
			.prepare("select id, payload_json from jobs where kind = 'reminder.due' order by id")
			.all() as { id: number; payload_json: string }[];
		const moveJob = db.prepare('update jobs set run_at = ?, payload_json = ? where id = ?');
		const moveTask = db.prepare('update tasks set due_at = ? where id = ?');
		db.transaction(() => {
			jobs.forEach((job, i) => {
				const runAt = firstAt + i * stepMs;
				const payload = JSON.parse(job.payload_json) as { taskId: number; at: string };
				const at = new Date(runAt + DAY).toISOString();
				moveTask.run(at, payload.taskId);
				moveJob.run(new Date(runAt).toISOString(), JSON.stringify({ ...payload, at }), job.id);
			});
		})();
	} finally {
		db.close();
	}
}

/** The task's learners want each notification by e-mail and are old enough to get it. */
function learnersWantEmail(databasePath: string, taskId: number) {
	const db = new Database(databasePath, { fileMustExist: true });
	try {
		const learners = `select learner_id from enrolments
			where class_id = (select class_id from tasks where id = ?)`;
		db.prepare(
			`update users set email = username || '@pupils.example', email_notifications = 'each'
			 where id in (${learners})`
		).run(taskId);
		db.prepare(`update memberships set year_group = 'Year 9' where user_id in (${learners})`).run(
			taskId
		);
	} finally {
		db.close();
	}
}

const dueTomorrow = (databasePath: string) =>
	read<{ user_id: number; dedupe_key: string }>(
		databasePath,
		"select user_id, dedupe_key from notifications where kind = 'due_tomorrow'"
	);

test('a reminder scheduled before a restart is sent after it, once, in the app and by e-mail', async () => {
	test.setTimeout(90_000);
	// Due 12 s from now: long enough to start and kill the first server on a loaded machine.
	const { dir, databasePath, taskIds } = prepareDatabase([12_000]);
	const dueAt = Date.now() + 12_000;
	learnersWantEmail(databasePath, taskIds[0]!);
	const inbox = await startInbox();
	const mail = {
		SMTP_HOST: '127.0.0.1',
		SMTP_PORT: String(inbox.port),
		SMTP_FROM: 'Fusion Skills <no-reply@school.example>'
	};
	const servers: RunningServer[] = [];
	try {
		servers.push(await startServer(databasePath, dir, mail));
		// The server is up and the reminder waits; the server dies (no clean shutdown) before it is due.
		expect(reminderJobs(databasePath)).toMatchObject([{ state: 'queued', attempts: 0 }]);
		await stop(servers[0]!);
		expect(Date.now()).toBeLessThan(dueAt);
		expect(dueTomorrow(databasePath)).toEqual([]);
		// Down past the time it was due; then started again.
		while (Date.now() < dueAt + 500) await new Promise((r) => setTimeout(r, 200));
		expect(inbox.messages).toEqual([]);
		servers.push(await startServer(databasePath, dir, mail));
		await expect.poll(() => reminderJobs(databasePath)[0]?.state, { timeout: 30_000 }).toBe('done');
		await expect.poll(() => inbox.messages.length, { timeout: 30_000 }).toBe(LEARNERS_IN_CLASS_1);
		// A runner tick later (at most 7.5 s) nothing more arrives: each learner told once.
		await new Promise((r) => setTimeout(r, 8_000));
		const told = dueTomorrow(databasePath);
		expect(told).toHaveLength(LEARNERS_IN_CLASS_1);
		expect(new Set(told.map((n) => n.user_id)).size).toBe(LEARNERS_IN_CLASS_1);
		expect(reminderJobs(databasePath)).toMatchObject([{ state: 'done', attempts: 1 }]);
		expect(inbox.messages).toHaveLength(LEARNERS_IN_CLASS_1);
		const recipients = inbox.messages.flatMap((m) => m.to);
		expect(new Set(recipients).size).toBe(LEARNERS_IN_CLASS_1);
		expect(recipients.every((to) => to.endsWith('@pupils.example'))).toBe(true);
		const origin = `http://127.0.0.1:${servers[1]!.port}`;
		for (const message of inbox.messages) {
			expect(message.headers.get('subject')).toMatch(/tomorrow/i);
			expect(message.text).toContain(`${origin}/student/tasks/${taskIds[0]}`);
		}
	} finally {
		for (const server of servers) await stop(server);
		await inbox.close();
		rmSync(dir, { recursive: true, force: true });
	}
});

test('two app servers on one database run each job once, and both take some', async () => {
	test.setTimeout(90_000);
	// Made due far ahead, so neither server can run any before both are up; then brought forward to
	// fall due one after another over 14 s, so each runner's ticks (every 2.5–7.5 s) find some
	// however long the servers took to start on a loaded machine.
	const count = 28;
	const dueIn = Array.from({ length: count }, () => 10 * 60_000);
	const { dir, databasePath, taskIds } = prepareDatabase(dueIn);
	expect(taskIds).toHaveLength(count);
	const servers: RunningServer[] = [];
	try {
		servers.push(await startServer(databasePath, dir));
		servers.push(await startServer(databasePath, dir));
		bringRemindersForward(databasePath, Date.now() + 1_000, 500);
		await expect
			.poll(() => reminderJobs(databasePath).filter((j) => j.state === 'done').length, {
				timeout: 45_000
			})
			.toBe(count);
		const jobs = reminderJobs(databasePath);
		// Taken once each: a second claim would have counted a second attempt.
		expect(jobs.every((j) => j.attempts === 1)).toBe(true);
		expect(new Set(jobs.map((j) => j.leased_by)).size).toBe(2);
		const told = dueTomorrow(databasePath);
		expect(told).toHaveLength(count * LEARNERS_IN_CLASS_1);
		expect(new Set(told.map((n) => `${n.user_id} ${n.dedupe_key}`)).size).toBe(told.length);
	} finally {
		for (const server of servers) await stop(server);
		rmSync(dir, { recursive: true, force: true });
	}
});
