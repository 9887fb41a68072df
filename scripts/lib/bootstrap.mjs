// Plain Node (no dependencies): runs before node_modules exists on a fresh clone.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';

export function run(command, args, options = {}) {
	const result = spawnSync(command, args, {
		stdio: 'inherit',
		...options,
		env: { ...process.env, ...options.env }
	});
	if (result.error) throw result.error;
	return result.status ?? 1;
}

export function runOrExit(command, args, options = {}) {
	const status = run(command, args, options);
	if (status !== 0) {
		console.error(`\n✗ ${command} ${args.join(' ')} exited with ${status}`);
		process.exit(status);
	}
}

/** `npm ci` when node_modules is missing or older than the lockfile (e.g. after a pull). */
export function ensureDependencies() {
	const installed = 'node_modules/.package-lock.json';
	const stale =
		!existsSync(installed) || statSync('package-lock.json').mtimeMs > statSync(installed).mtimeMs;
	if (!stale) return;
	console.log(
		'Installing dependencies (npm ci; better-sqlite3 compiles from source, about 2 minutes)…'
	);
	runOrExit('npm', ['ci', '--no-audit', '--no-fund'], {
		env: { PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1' }
	});
}

export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Browser tests use Debian's chromium; Playwright's own browser download cannot work offline. */
export function ensureChromium() {
	if (existsSync(CHROMIUM_PATH)) return;
	const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
	if (!isRoot) {
		console.error(
			`The browser tests need Debian's "chromium" package at ${CHROMIUM_PATH}.\n` +
				'Install it with:  sudo apt-get install -y chromium   and run npm test again.'
		);
		process.exit(1);
	}
	console.log('Installing Debian chromium for the browser tests (apt-get)…');
	runOrExit('apt-get', ['update', '-qq']);
	runOrExit(
		'apt-get',
		['install', '-y', '-qq', '--no-install-recommends', 'chromium', 'fonts-dejavu-core'],
		{
			env: { DEBIAN_FRONTEND: 'noninteractive' }
		}
	);
}

/**
 * The unit suite's second run is on PostgreSQL. The server named by TEST_POSTGRES_SERVER (default
 * 127.0.0.1:5432, user postgres, trust auth as on the CI machine) is used when it answers; else, as
 * root, Debian's `postgresql` is installed and/or started and this user made a superuser of it, and
 * the suite reaches it through its Unix socket. Returns the server URL to test against.
 */
export function ensurePostgres() {
	const wanted = process.env.TEST_POSTGRES_SERVER || 'postgres://postgres@127.0.0.1:5432';
	if (postgresAnswers(wanted)) return wanted;
	console.log(`PostgreSQL does not answer at ${wanted}.`);
	const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
	if (!isRoot) {
		console.error(
			'The unit tests run on PostgreSQL too. Install and start it (sudo apt-get install -y postgresql),\n' +
				'or set TEST_POSTGRES_SERVER=postgres://user@host:port to a server where that user may create databases.'
		);
		process.exit(1);
	}
	if (!existsSync('/usr/bin/pg_ctlcluster')) {
		console.log("Installing Debian's postgresql for the tests (apt-get)…");
		runOrExit('apt-get', ['update', '-qq']);
		runOrExit('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'postgresql'], {
			env: { DEBIAN_FRONTEND: 'noninteractive' }
		});
	}
	console.log('Starting PostgreSQL (pg_ctlcluster)…');
	const clusters = spawnSync('pg_lsclusters', ['--no-header'], { encoding: 'utf8' }).stdout ?? '';
	for (const line of clusters.split('\n').filter(Boolean)) {
		const [version, name] = line.trim().split(/\s+/);
		run('pg_ctlcluster', [version, name, 'start']);
	}
	// root becomes a superuser of its own name, reached over the socket with peer authentication.
	run('su', ['postgres', '-c', 'createuser --superuser root'], { stdio: 'ignore' });
	const socket = 'postgres://root@localhost/postgres?host=/var/run/postgresql';
	if (postgresAnswers(socket)) return socket;
	console.error('PostgreSQL was started but does not answer; see `pg_lsclusters`.');
	process.exit(1);
}

function postgresAnswers(url) {
	const probe = spawnSync('psql', [url, '-Atqc', 'select 1'], {
		encoding: 'utf8',
		timeout: 10_000
	});
	return probe.status === 0 && probe.stdout.trim() === '1';
}
