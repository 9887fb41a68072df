import { expect, test } from '@playwright/test';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';

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

const dueTomorrow = (databasePath: string) =>
	read<{ user_id: number; dedupe_key: string }>(
		databasePath,
		"select user_id, dedupe_key from notifications where kind = 'due_tomorrow'"
	);

test('a reminder scheduled before a restart is sent after it, once', async () => {
	test.setTimeout(90_000);
	// Due 12 s from now: long enough to start and kill the first server on a loaded machine.
	const { dir, databasePath } = prepareDatabase([12_000]);
	const dueAt = Date.now() + 12_000;
	const servers: RunningServer[] = [];
	try {
		servers.push(await startServer(databasePath, dir));
		// The server is up and the reminder waits; the server dies (no clean shutdown) before it is due.
		expect(reminderJobs(databasePath)).toMatchObject([{ state: 'queued', attempts: 0 }]);
		await stop(servers[0]!);
		expect(Date.now()).toBeLessThan(dueAt);
		expect(dueTomorrow(databasePath)).toEqual([]);
		// Down past the time it was due; then started again.
		while (Date.now() < dueAt + 500) await new Promise((r) => setTimeout(r, 200));
		servers.push(await startServer(databasePath, dir));
		await expect.poll(() => reminderJobs(databasePath)[0]?.state, { timeout: 30_000 }).toBe('done');
		// A runner tick later (every 5 s) nothing more arrives: each learner told once.
		await new Promise((r) => setTimeout(r, 6_000));
		const told = dueTomorrow(databasePath);
		expect(told).toHaveLength(LEARNERS_IN_CLASS_1);
		expect(new Set(told.map((n) => n.user_id)).size).toBe(LEARNERS_IN_CLASS_1);
		expect(reminderJobs(databasePath)).toMatchObject([{ state: 'done', attempts: 1 }]);
	} finally {
		for (const server of servers) await stop(server);
		rmSync(dir, { recursive: true, force: true });
	}
});

test('two app servers on one database run each job once, and both take some', async () => {
	test.setTimeout(90_000);
	// Due one after another over 14 s, once both servers are up: each runner's ticks find some.
	const count = 28;
	const start = 8_000;
	const dueIn = Array.from({ length: count }, (_, i) => start + i * 500);
	const { dir, databasePath, taskIds } = prepareDatabase(dueIn);
	expect(taskIds).toHaveLength(count);
	const servers: RunningServer[] = [];
	try {
		servers.push(
			...(await Promise.all([startServer(databasePath, dir), startServer(databasePath, dir)]))
		);
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
