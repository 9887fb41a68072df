// `npm test`: install what is needed, type-check, lint, unit tests, build, browser tests; then one
// summary line "N passed, N failed" and a non-zero exit on any failure or when nothing ran.
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { ensureChromium, ensureDependencies, ensurePostgres, run } from './lib/bootstrap.mjs';

ensureDependencies();
ensureChromium();

const reports = 'test-data/reports';
rmSync(reports, { recursive: true, force: true });
mkdirSync(reports, { recursive: true });

let passed = 0;
let failed = 0;
const steps = [];

function step(name, command, args, env = {}) {
	console.log(`\n━━ ${name} ━━`);
	const status = run(command, args, { env });
	steps.push({ name, ok: status === 0 });
	return status === 0;
}

const typesOk =
	step('svelte-kit sync', 'npx', ['svelte-kit', 'sync']) &&
	step('Type check (svelte-check)', 'npx', [
		'svelte-check',
		'--tsconfig',
		'./tsconfig.json',
		'--fail-on-warnings',
		'--output',
		'human'
	]);
if (typesOk) passed++;
else failed++;

// Lint is one check, like the type check: Prettier's check, then ESLint.
if (step('Lint (Prettier, ESLint)', 'npm', ['run', '--silent', 'lint'])) passed++;
else failed++;

// The unit and integration suite runs on both databases the app supports: the SQLite file (one
// school) and PostgreSQL (a city), each run in databases of its own.
const postgresServer = ensurePostgres();
for (const [database, env] of [
	['SQLite', {}],
	['PostgreSQL', { TEST_DATABASE: 'postgres', TEST_POSTGRES_SERVER: postgresServer }]
]) {
	const report = `${reports}/vitest-${database.toLowerCase()}.json`;
	step(
		`Unit and integration tests on ${database} (vitest)`,
		'npx',
		['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`],
		env
	);
	if (existsSync(report)) {
		const result = JSON.parse(readFileSync(report, 'utf8'));
		passed += result.numPassedTests;
		failed +=
			result.numFailedTests + (result.success === false && result.numFailedTests === 0 ? 1 : 0);
	} else failed++;
}

const built = step('Build (vite build)', 'npx', ['vite', 'build', '--logLevel', 'warn']);
if (built) {
	step('Browser tests (Playwright, Debian chromium)', 'npx', ['playwright', 'test'], {
		PLAYWRIGHT_JSON_OUTPUT_NAME: `${reports}/playwright.json`
	});
	const playwrightReport = `${reports}/playwright.json`;
	if (existsSync(playwrightReport)) {
		const { stats, errors } = JSON.parse(readFileSync(playwrightReport, 'utf8'));
		passed += stats.expected + stats.flaky;
		failed += stats.unexpected + (errors?.length ?? 0);
		if (stats.flaky) console.log(`(${stats.flaky} browser test(s) passed only on retry)`);
	} else failed++;
} else failed++;

console.log('\n━━ Summary ━━');
for (const s of steps) console.log(`${s.ok ? '✓' : '✗'} ${s.name}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
