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
