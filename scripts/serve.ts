// Migrates, seeds the demo school into an empty database (or, with SEED_DEMO=0, prints a one-time
// set-up link instead), builds, serves on the right address, and prints how to sign in.
import { spawn, spawnSync } from 'node:child_process';
import {
	DEFAULT_DATABASE_PATH,
	databaseLocation,
	openDatabase
} from '../src/lib/server/db/connection';
import { DEMO_PASSWORD, demoLogins } from '../src/lib/server/db/seed';
import { listenAddress, prepareDatabase } from '../src/lib/server/setup/first-run';
import { describeEvidenceCleaning } from '../src/lib/server/assessment/clean-stored-evidence';

const port = process.env.PORT || '3000';
const origin = process.env.ORIGIN || `http://localhost:${port}`;
const databasePath = process.env.DATABASE_PATH || DEFAULT_DATABASE_PATH;

// DATABASE_URL (PostgreSQL) when set, else the SQLite file.
const db = openDatabase(databaseLocation());
const prepared = await prepareDatabase(db, {
	seedDemo: process.env.SEED_DEMO !== '0',
	origin
}).finally(() => db.destroy());
console.log(
	prepared.appliedMigrations.length
		? `Applied migrations: ${prepared.appliedMigrations.join(', ')}`
		: 'Database schema is up to date.'
);
const { cleaned, uncleanable, missing } = prepared.cleanedEvidence;
if (cleaned || uncleanable || missing)
	console.log(describeEvidenceCleaning(prepared.cleanedEvidence));
if (prepared.seededDemo)
	console.log(
		'Seeded the demo school (Northbridge Academy) with tasks, reviews, grades and badges.'
	);

const address = listenAddress({
	host: process.env.HOST,
	demoOnNetwork: process.env.DEMO_ON_NETWORK === '1',
	hasDemo: prepared.hasDemo
});
if ('refusal' in address) {
	console.error(address.refusal);
	process.exit(1);
}
if (address.note) console.log(address.note);
const host = address.host;

async function waitUntilHealthy(url: string, child: ReturnType<typeof spawn>): Promise<void> {
	for (let attempt = 0; attempt < 150; attempt++) {
		if (child.exitCode !== null) throw new Error(`The server exited with code ${child.exitCode}.`);
		try {
			const response = await fetch(url);
			if (response.ok) return;
		} catch {
			// not listening yet
		}
		await new Promise((resolve) => setTimeout(resolve, 200));
	}
	throw new Error(`The server did not answer ${url} within 30 seconds.`);
}

if (process.env.SKIP_BUILD !== '1') {
	console.log('Building the app (vite build)…');
	const build = spawnSync('npx', ['vite', 'build', '--logLevel', 'warn'], { stdio: 'inherit' });
	if (build.status !== 0) process.exit(build.status ?? 1);
}

const server = spawn(process.execPath, ['build'], {
	stdio: 'inherit',
	env: {
		...process.env,
		PORT: port,
		HOST: host,
		ORIGIN: origin,
		DATABASE_PATH: databasePath,
		// Evidence uploads and roster files are larger than adapter-node's 512 KB default.
		BODY_SIZE_LIMIT: process.env.BODY_SIZE_LIMIT || '12M'
	}
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => server.kill(signal));
server.on('exit', (code) => process.exit(code ?? 0));

// Probe the address it listens on (loopback when that is every address).
const probe =
	host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
await waitUntilHealthy(`http://${probe}:${port}/healthz`, server);
console.log(`\nFusion Skills is running at ${origin} (listening on ${host}:${port})\n`);
if (prepared.setupToken) {
	console.log(
		'No school is set up yet. Open this one-time link to create the school and its admin'
	);
	console.log(
		`(valid until ${prepared.setupToken.expiresAt.toISOString()}, once; each start prints a new one):`
	);
	console.log(`\n  ${origin}/setup?token=${prepared.setupToken.token}\n`);
	console.log('Or run: npm run setup -- --school "School name" --admin username\n');
}
if (prepared.hasDemo) {
	console.log(`Demo logins (password for all: ${DEMO_PASSWORD})`);
	for (const login of demoLogins()) console.log(`  ${login.username.padEnd(22)} ${login.role}`);
	console.log('');
}
