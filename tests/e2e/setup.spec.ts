import { expect, test } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import SQLite from 'better-sqlite3';
import { createServer } from 'node:net';
import {
	chooseOwnPassword,
	demoUserId,
	expectAccessible,
	freshPage,
	signIn,
	storageFor
} from './fixtures';

/**
 * A real school's first run, in the browser: a second server of our own, started the way a school
 * starts it (scripts/serve.ts with SEED_DEMO=0) on an EMPTY database, whose printed set-up link
 * creates the school and its admin. The e2e server beside it serves the demo, already set up.
 */

const FOLDER = 'test-data/setup-e2e';
let server: ChildProcess | undefined;
let origin = '';
let setupLink = '';
let output = '';

function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const probe = createServer();
		probe.once('error', reject);
		probe.listen(0, '127.0.0.1', () => {
			const address = probe.address();
			probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
		});
	});
}

test.describe('set-up of a real school', () => {
	test.describe.configure({ mode: 'serial' });

	test.beforeAll(async () => {
		test.setTimeout(120_000);
		rmSync(FOLDER, { recursive: true, force: true });
		mkdirSync(FOLDER, { recursive: true });
		const port = await freePort();
		origin = `http://localhost:${port}`;
		server = spawn('npx', ['tsx', 'scripts/serve.ts'], {
			detached: true, // its own process group, so afterAll ends it and the app it starts
			stdio: ['ignore', 'pipe', 'pipe'],
			env: {
				...process.env,
				DATABASE_PATH: `${FOLDER}/school.db`,
				UPLOADS_DIR: `${FOLDER}/uploads`,
				PORT: String(port),
				ORIGIN: origin,
				HOST: '127.0.0.1',
				SEED_DEMO: '0',
				SKIP_BUILD: '1'
			}
		});
		server.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
		server.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
		await expect
			.poll(() => /(http:\/\/\S+\/setup\?token=[a-z2-7]{32})/.exec(output)?.[1] ?? '', {
				timeout: 90_000,
				message: 'the server prints a set-up link'
			})
			.not.toBe('');
		setupLink = /(http:\/\/\S+\/setup\?token=[a-z2-7]{32})/.exec(output)![1]!;
	});

	test.afterAll(() => {
		if (server?.pid) process.kill(-server.pid, 'SIGTERM');
	});

	test('an empty database with SEED_DEMO=0 has no demo: no logins printed, none work', async ({
		browser
	}) => {
		const page = await freshPage(browser, origin);
		expect(output).not.toContain('Demo logins');
		expect(output).toContain('No school is set up yet');
		await page.goto(`${origin}/login`);
		await page.getByLabel('Username').fill('admin');
		await page.getByLabel('Password').fill('fusion-demo');
		await page.getByRole('button', { name: 'Sign in' }).click();
		await expect(page.getByRole('alert')).toContainText('do not match an active account');
	});

	test('a wrong link is refused and shows why', async ({ browser }) => {
		const page = await freshPage(browser, origin);
		const response = await page.goto(`${origin}/setup?token=${'a'.repeat(32)}`);
		expect(response?.status()).toBe(403);
		await expect(page.getByText('This set-up link is not valid')).toBeVisible();
		expect((await page.goto(`${origin}/setup`))?.status()).toBe(403);
	});

	test('the printed link creates the school and its admin, who signs in to the admin home', async ({
		browser
	}) => {
		const page = await freshPage(browser, origin);
		await page.goto(setupLink);
		await expect(page.getByRole('heading', { name: 'Set up your school' })).toBeVisible();
		await page.getByLabel('School name').fill('Hillside High');
		await page.getByLabel('Your given name').fill('Sam');
		await page.getByLabel('Your family name').fill('Okoro');
		await page.getByLabel('Your username').fill('s.okoro');
		// The password rules apply here as everywhere.
		await page.getByLabel('Password', { exact: true }).fill('short');
		await page.getByLabel('Password again').fill('short');
		await page.getByRole('button', { name: 'Set up the school' }).click();
		await expect(page.getByLabel('Password', { exact: true })).toHaveAccessibleDescription(
			/at least 8/
		);
		await expectAccessible(page);
		await page.getByLabel('Password', { exact: true }).fill('hillside-admin-pass');
		await page.getByLabel('Password again').fill('hillside-admin-pass');
		await page.getByRole('button', { name: 'Set up the school' }).click();
		await expect(page.getByRole('status')).toContainText('Hillside High is set up.');

		await page.getByRole('link', { name: 'Sign in' }).click();
		await signIn(page, 's.okoro', 'hillside-admin-pass');
		// Chosen by the admin on the set-up page: no change asked for.
		await expect(page).toHaveURL(/\/admin$/);
		await expect(page.getByRole('heading', { level: 1, name: 'Hillside High' })).toBeVisible();

		// Spent: the link and the page are gone, for the admin and for anyone else.
		expect((await page.goto(setupLink))?.status()).toBe(404);
		const anyone = await freshPage(browser, origin);
		const gone = await anyone.goto(setupLink);
		expect(gone?.status()).toBe(404);
		await expect(anyone.getByText('This server already has a school')).toBeVisible();
		const post = await anyone.request.post(setupLink, {
			headers: { origin },
			form: {
				token: new URL(setupLink).searchParams.get('token')!,
				schoolName: 'Second',
				givenName: 'Eve',
				familyName: 'Intruder',
				username: 'eve',
				passwordChoice: 'generate'
			},
			maxRedirects: 0
		});
		expect(post.status()).toBe(404);
		await anyone.close();
	});
});

test.describe('on the demo server, already set up', () => {
	test('`npm run serve` (node build) keeps the demo on loopback: HOST alone is refused, no HOST is 127.0.0.1', async () => {
		// A copy of the demo database, served by the built app directly, as `npm run serve` does.
		const folder = 'test-data/serve-e2e';
		rmSync(folder, { recursive: true, force: true });
		mkdirSync(folder, { recursive: true });
		const source = new SQLite(process.env.DATABASE_PATH || 'test-data/e2e.db', { readonly: true });
		await source.backup(`${folder}/demo.db`);
		source.close();
		const serve = async (env: Record<string, string>) => {
			const { HOST: _, DEMO_ON_NETWORK: __, ...inherited } = process.env;
			const port = await freePort();
			const child = spawn(process.execPath, ['build'], {
				stdio: ['ignore', 'pipe', 'pipe'],
				env: {
					...inherited,
					DATABASE_PATH: `${folder}/demo.db`,
					UPLOADS_DIR: `${folder}/uploads`,
					PORT: String(port),
					ORIGIN: `http://localhost:${port}`,
					...env
				}
			});
			let output = '';
			child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
			child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
			const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
			return { child, port, exited, output: () => output };
		};

		const servers: Awaited<ReturnType<typeof serve>>[] = [];
		// Until it exits or says it listens, whichever comes first.
		const settled = (server: Awaited<ReturnType<typeof serve>>) =>
			expect
				.poll(() => server.child.exitCode !== null || server.output().includes('Listening on'), {
					timeout: 30_000
				})
				.toBe(true);
		try {
			const onNetwork = await serve({ HOST: '0.0.0.0' });
			servers.push(onNetwork);
			await settled(onNetwork);
			expect(onNetwork.output()).not.toContain('Listening on');
			expect(await onNetwork.exited).toBe(1);
			expect(onNetwork.output()).toMatch(/published password.*HOST=0\.0\.0\.0.*DEMO_ON_NETWORK=1/);

			const unset = await serve({});
			servers.push(unset);
			await settled(unset);
			expect(unset.output()).toContain(`Listening on http://127.0.0.1:${unset.port}`);
			expect((await fetch(`http://127.0.0.1:${unset.port}/healthz`)).ok).toBe(true);
		} finally {
			for (const server of servers)
				if (server.child.exitCode === null) {
					server.child.kill('SIGTERM');
					await server.exited;
				}
		}
	});

	test('/setup answers 404, signed out or signed in', async ({ request, browser, baseURL }) => {
		expect((await request.get('/setup?token=' + 'a'.repeat(32))).status()).toBe(404);
		const admin = await browser.newContext({ baseURL, storageState: storageFor('admin') });
		expect((await admin.request.get('/setup')).status()).toBe(404);
		await admin.close();
	});
});

test.describe('an account whose password someone else set', () => {
	test.use({ storageState: storageFor('admin') });

	test('a learner whose password the admin reset must choose their own before anything else', async ({
		page,
		browser,
		baseURL
	}) => {
		await page.goto(`/admin/people/${demoUserId('student14')}`);
		await page.getByRole('button', { name: 'Reset password' }).click();
		const oneTime = (await page
			.getByRole('status')
			.getByText(/^\w{4}-\w{4}-\w{4}$/)
			.textContent())!.trim();

		const learner = await freshPage(browser, baseURL);
		await signIn(learner, 'student14', oneTime);
		await expect(learner).toHaveURL(/\/account$/);
		await expect(learner.getByRole('alert')).toHaveText(
			'Your password was set by someone else; choose your own to continue.'
		);
		// Every other page sends them back; every other action is refused with the reason.
		await learner.goto('/student');
		await expect(learner).toHaveURL(/\/account$/);
		const action = await learner.request.post('/student', {
			headers: { origin: baseURL! },
			form: { anything: 'x' },
			maxRedirects: 0
		});
		expect(action.status()).toBe(403);
		expect(await action.text()).toBe(
			'Your password was set by someone else; choose your own to continue.'
		);
		await expectAccessible(learner);

		await chooseOwnPassword(learner, oneTime, 'student14-own-pass');
		await expect(learner).toHaveURL(/\/student$/);
		await expect(learner.getByRole('heading', { level: 1 })).toContainText('Hello');
		await learner.close();
	});
});
