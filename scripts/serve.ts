// Migrates, seeds the demo school into an empty database, builds, serves, and prints how to sign
// in.
import { spawn, spawnSync } from 'node:child_process';
import { closeDb, DEFAULT_DATABASE_PATH, openDatabase } from '../src/lib/server/db/connection';
import { migrateToLatest } from '../src/lib/server/db/migrate';
import { ensureReferenceData } from '../src/lib/server/frameworks/reference-data';
import { seedDemoActivity } from '../src/lib/server/db/demo-activity';
import { schoolKey } from '../src/lib/server/badges/keys';
import {
	DEMO_PASSWORD,
	demoLogins,
	hasDemoSchool,
	isDatabaseEmpty,
	seedDemoSchool
} from '../src/lib/server/db/seed';

const port = process.env.PORT || '3000';
const host = process.env.HOST || '0.0.0.0';
const origin = process.env.ORIGIN || `http://localhost:${port}`;
const databasePath = process.env.DATABASE_PATH || DEFAULT_DATABASE_PATH;

async function prepareDatabase(): Promise<boolean> {
	const db = openDatabase(databasePath);
	try {
		const { results } = await migrateToLatest(db);
		const applied =
			results?.filter((r) => r.status === 'Success').map((r) => r.migrationName) ?? [];
		console.log(
			applied.length
				? `Applied migrations: ${applied.join(', ')}`
				: 'Database schema is up to date.'
		);
		await ensureReferenceData(db);
		if (process.env.SEED_DEMO !== '0' && (await isDatabaseEmpty(db))) {
			await seedDemoSchool(db);
			await seedDemoActivity(db, origin);
			console.log(
				'Seeded the demo school (Northbridge Academy) with tasks, reviews, grades and badges.'
			);
		}
		// Each school's badge-signing key for this origin, made at set-up rather than at the first award.
		for (const school of await db.selectFrom('schools').select('id').execute())
			await schoolKey(db, school.id, origin);
		return await hasDemoSchool(db);
	} finally {
		await db.destroy();
	}
}

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

const hasDemo = await prepareDatabase();
await closeDb();

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

await waitUntilHealthy(`http://127.0.0.1:${port}/healthz`, server);
console.log(`\nFusion Skills is running at ${origin}\n`);
if (hasDemo) {
	console.log(`Demo logins (password for all: ${DEMO_PASSWORD})`);
	for (const login of demoLogins()) console.log(`  ${login.username.padEnd(22)} ${login.role}`);
	console.log('');
}
