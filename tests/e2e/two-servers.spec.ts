import { expect, test } from '@playwright/test';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { DEMO_PASSWORD } from '../../src/lib/server/db/seed';

// Two app servers on one PostgreSQL database (issue 16): two `node build` processes on their own
// ports, as a city runs them behind a proxy. What one server does must hold on the other at once:
// a sign-out or a deactivation ends the person's session there too (not 10 s later, when the
// session cache would have let go); a placement made through one reaches a projector connected to
// the other, and so does a learner opening the session; each reminder job runs once, though both
// servers' job runners are looking; an export asked of one is followed and downloaded on the other
// (uploads shared). No browser: requests as a browser sends them.

test.describe.configure({ mode: 'serial' });

const SERVER = process.env.TEST_POSTGRES_SERVER || 'postgres://postgres@127.0.0.1:5432';
const DATABASE = `fusion_two_servers_${process.pid}_${Date.now().toString(36)}`;
const LEARNERS_IN_CLASS_1 = 15;
const REMINDER_TASKS = 3;

function urlOf(database: string): string {
	const url = new URL(SERVER);
	url.pathname = `/${database}`;
	if (!url.username) url.username = 'postgres';
	return url.toString();
}

async function onServer(query: string) {
	const client = new pg.Client({ connectionString: urlOf('postgres') });
	await client.connect();
	try {
		await client.query(query);
	} finally {
		await client.end();
	}
}

async function read<T>(query: string, params: unknown[] = []): Promise<T[]> {
	const client = new pg.Client({ connectionString: urlOf(DATABASE) });
	await client.connect();
	try {
		return (await client.query(query, params)).rows as T[];
	} finally {
		await client.end();
	}
}

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

interface RunningServer {
	process: ChildProcess;
	origin: string;
}

async function startServer(uploads: string): Promise<RunningServer> {
	const port = await freePort();
	const origin = `http://127.0.0.1:${port}`;
	const child = spawn(process.execPath, ['build'], {
		env: {
			...process.env,
			DATABASE_URL: urlOf(DATABASE),
			// one directory for both, as a city's servers share one (docs/ARCHITECTURE.md)
			UPLOADS_DIR: uploads,
			FUSION_SECRET_KEY: '11'.repeat(32),
			PORT: String(port),
			HOST: '127.0.0.1',
			ORIGIN: origin
		},
		stdio: 'ignore'
	});
	for (let i = 0; i < 300; i++) {
		if (child.exitCode !== null) throw new Error(`The server exited with ${child.exitCode}`);
		const healthy = await fetch(`${origin}/healthz`, { signal: AbortSignal.timeout(5_000) })
			.then((r) => r.ok)
			.catch(() => false);
		if (healthy) return { process: child, origin };
		await new Promise((r) => setTimeout(r, 100));
	}
	child.kill('SIGKILL');
	throw new Error('The server did not become healthy within 30 seconds');
}

async function stop(server: RunningServer | undefined) {
	if (!server || server.process.exitCode !== null || server.process.signalCode !== null) return;
	const exited = new Promise((r) => server.process.once('exit', r));
	server.process.kill('SIGKILL');
	await exited;
}

/** Signs in through `server`'s login form as a browser would; the session cookie. */
async function signIn(server: RunningServer, username: string): Promise<string> {
	const response = await fetch(`${server.origin}/login`, {
		method: 'POST',
		redirect: 'manual',
		headers: {
			origin: server.origin,
			accept: 'text/html',
			'content-type': 'application/x-www-form-urlencoded'
		},
		body: new URLSearchParams({ username, password: DEMO_PASSWORD })
	});
	const cookie = response.headers
		.getSetCookie()
		.find((c) => c.startsWith('fusion_session='))
		?.split(';')[0];
	if (!cookie) throw new Error(`${username} could not sign in (${response.status})`);
	return cookie;
}

/** An empty form posted to `path` on `server` as a browser sends it; the redirect not followed. */
function postForm(server: RunningServer, path: string, cookie: string): Promise<Response> {
	return fetch(`${server.origin}${path}`, {
		method: 'POST',
		redirect: 'manual',
		headers: {
			cookie,
			origin: server.origin,
			accept: 'text/html',
			'content-type': 'application/x-www-form-urlencoded'
		},
		body: ''
	});
}

async function pageStatus(server: RunningServer, path: string, cookie: string): Promise<number> {
	const response = await fetch(`${server.origin}${path}`, {
		redirect: 'manual',
		headers: { cookie }
	});
	await response.body?.cancel();
	return response.status;
}

/** How long until `check` holds (polling every 20 ms), or null if not within `ms`. */
async function timeUntil(check: () => Promise<boolean>, ms: number): Promise<number | null> {
	const start = Date.now();
	while (Date.now() - start < ms) {
		if (await check()) return Date.now() - start;
		await new Promise((r) => setTimeout(r, 20));
	}
	return null;
}

/** The projector's event stream: each `update` event's data, as it arrives. */
function openStream(server: RunningServer, path: string, cookie: string) {
	const controller = new AbortController();
	const updates: { placed: number; joined: number }[] = [];
	const done = fetch(`${server.origin}${path}`, {
		headers: { cookie, accept: 'text/event-stream' },
		signal: controller.signal
	}).then(async (response) => {
		const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
		let buffer = '';
		for (;;) {
			const { value, done } = await reader.read();
			if (done) return;
			buffer += value;
			let end: number;
			while ((end = buffer.indexOf('\n\n')) >= 0) {
				const message = buffer.slice(0, end);
				buffer = buffer.slice(end + 2);
				const data = message.match(/^event: update\ndata: (.*)$/m);
				if (data) updates.push(JSON.parse(data[1]!));
			}
		}
	});
	done.catch(() => {});
	return { updates, close: () => controller.abort() };
}

let serverA: RunningServer | undefined;
let serverB: RunningServer | undefined;
let liveSessionId = 0;
let uploads = '';

test.beforeAll(async () => {
	test.setTimeout(120_000);
	await onServer(`create database ${DATABASE}`);
	// Reminders fall due 6–8 s from now: both servers are up by then.
	const made = spawnSync(
		'npx',
		['tsx', 'tests/e2e/two-servers-fixture.ts', ...[6000, 7000, 8000].map(String)],
		{ env: { ...process.env, DATABASE_URL: urlOf(DATABASE) }, encoding: 'utf8' }
	);
	if (made.status !== 0) throw new Error(`The fixture failed: ${made.stderr}`);
	({ liveSessionId } = JSON.parse(made.stdout.trim().split('\n').pop()!));
	uploads = mkdtempSync(join(tmpdir(), 'fusion-two-servers-'));
	[serverA, serverB] = await Promise.all([startServer(uploads), startServer(uploads)]);
});

test.afterAll(async () => {
	await Promise.all([stop(serverA), stop(serverB)]);
	await onServer(`drop database if exists ${DATABASE} with (force)`);
	if (uploads) rmSync(uploads, { recursive: true, force: true });
});

test('a sign-out or a deactivation on one server ends the session on the other at once', async () => {
	const a = serverA!;
	const b = serverB!;
	// Both hear each other, so both cache validated sessions: what is checked is the cache let go.
	for (const server of [a, b])
		expect(await (await fetch(`${server.origin}/healthz`)).json()).toMatchObject({
			cluster: 'listening'
		});
	const teacher = await signIn(a, 'teacher');
	// Validated twice on B: the second answer comes from B's session cache.
	expect(await pageStatus(b, '/teacher', teacher)).toBe(200);
	expect(await pageStatus(b, '/teacher', teacher)).toBe(200);
	const signedOut = await postForm(a, '/logout', teacher);
	expect(signedOut.status).toBe(303);
	// Far inside the cache's 10 s: B heard of it when the sign-out committed.
	const refusedAfter = await timeUntil(
		async () => (await pageStatus(b, '/teacher', teacher)) !== 200,
		2_000
	);
	expect(refusedAfter, 'server B still let the signed-out teacher in').not.toBeNull();
	expect(await pageStatus(b, '/teacher', teacher)).toBe(303);

	// A deactivation written by a script (or any server): the learner is out on both.
	const learner = await signIn(b, 'student20');
	expect(await pageStatus(a, '/student', learner)).toBe(200);
	expect(await pageStatus(b, '/student', learner)).toBe(200);
	await read(`update users set active = 0 where username = 'student20'`);
	for (const server of [a, b])
		expect(
			await timeUntil(async () => (await pageStatus(server, '/student', learner)) !== 200, 2_000)
		).not.toBeNull();
});

test('a placement and a learner arriving through one server reach a projector on the other', async () => {
	const a = serverA!;
	const b = serverB!;
	const teacher = await signIn(b, 'teacher');
	const projector = openStream(b, `/teacher/live/${liveSessionId}/events`, teacher);
	try {
		await expect.poll(() => projector.updates.length, { timeout: 5_000 }).toBeGreaterThan(0);
		expect(projector.updates.at(-1)).toMatchObject({ placed: 0, joined: 0 });

		// A learner opens the session on their phone, served by A: the projector on B counts them.
		const arriving = await signIn(a, 'student2');
		const phone = openStream(a, `/student/live/${liveSessionId}/events`, arriving);
		try {
			await expect.poll(() => projector.updates.at(-1)?.joined, { timeout: 3_000 }).toBe(1);

			const placing = await signIn(a, 'student1');
			const placed = await fetch(`${a.origin}/student/live/${liveSessionId}/place`, {
				method: 'PUT',
				headers: { cookie: placing, origin: a.origin, 'content-type': 'application/json' },
				body: JSON.stringify({ value: 62 })
			});
			expect(placed.status).toBe(200);
			await expect
				.poll(() => projector.updates.at(-1), { timeout: 3_000 })
				.toMatchObject({ placed: 1, joined: 2 });
		} finally {
			phone.close();
		}
		// The phone put away: B's count follows A's word.
		await expect.poll(() => projector.updates.at(-1)?.joined, { timeout: 3_000 }).toBe(1);
	} finally {
		projector.close();
	}
});

test('each reminder runs once, with both servers’ job runners looking', async () => {
	test.setTimeout(60_000);
	await expect
		.poll(
			async () =>
				(
					await read<{ n: number }>(
						`select count(*)::int as n from jobs where kind = 'reminder.due' and state = 'done'`
					)
				)[0]!.n,
			{ timeout: 45_000, intervals: [500] }
		)
		.toBe(REMINDER_TASKS);
	const jobs = await read<{ attempts: number }>(
		`select attempts from jobs where kind = 'reminder.due'`
	);
	expect(jobs.map((j) => j.attempts)).toEqual(Array(REMINDER_TASKS).fill(1));
	const told = await read<{ user_id: number; dedupe_key: string }>(
		`select user_id, dedupe_key from notifications where kind = 'due_tomorrow'`
	);
	expect(told).toHaveLength(LEARNERS_IN_CLASS_1 * REMINDER_TASKS);
	expect(new Set(told.map((t) => `${t.user_id} ${t.dedupe_key}`)).size).toBe(told.length);
});

test('an export asked of one server is followed and downloaded on the other', async () => {
	test.setTimeout(60_000);
	const a = serverA!;
	const b = serverB!;
	const teacher = await signIn(a, 'teacher');
	const asked = await postForm(a, '/teacher/classes/1/overview?/batch', teacher);
	expect(asked.status).toBe(303);
	const exportPath = asked.headers.get('location')!;
	expect(exportPath).toMatch(/^\/exports\/[0-9a-f-]{36}$/);
	// B knows of it only through the database: never "stopped", and done once A has made it.
	const seen: string[] = [];
	await expect
		.poll(
			async () => {
				const status = await fetch(`${b.origin}${exportPath}/status`, {
					headers: { cookie: teacher }
				});
				const { state } = (await status.json()) as { state: string };
				seen.push(state);
				return state;
			},
			{ timeout: 45_000, intervals: [200] }
		)
		.toBe('done');
	expect(seen).not.toContain('failed');
	const zip = await fetch(`${b.origin}${exportPath}/download`, { headers: { cookie: teacher } });
	expect(zip.status).toBe(200);
	expect(
		Buffer.from(await zip.arrayBuffer())
			.subarray(0, 2)
			.toString()
	).toBe('PK');
});

test('a server asked to stop (SIGTERM, as a rolling restart does) closes its connections and ends; the other serves on', async () => {
	test.setTimeout(60_000);
	const a = serverA!;
	const exited = new Promise<number | null>((resolve) =>
		a.process.once('exit', (code) => resolve(code))
	);
	a.process.kill('SIGTERM');
	const code = await Promise.race([
		exited,
		new Promise<'still running'>((r) => setTimeout(() => r('still running'), 40_000))
	]);
	expect(code).toBe(0);
	expect((await fetch(`${serverB!.origin}/healthz`)).ok).toBe(true);
});
