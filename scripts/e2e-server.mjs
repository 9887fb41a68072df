// The browser tests' server: a fresh demo database every run, the already-built app, port E2E_PORT
// (4173).
import { rmSync } from 'node:fs';
import { runOrExit } from './lib/bootstrap.mjs';

const databasePath = process.env.DATABASE_PATH || 'test-data/e2e.db';
const uploadsDir = 'test-data/e2e-uploads';
const port = process.env.E2E_PORT || '4173';
const origin = `http://localhost:${port}`;
for (const suffix of ['', '-wal', '-shm']) rmSync(databasePath + suffix, { force: true });
rmSync(uploadsDir, { recursive: true, force: true });
runOrExit('npx', ['tsx', 'tests/e2e/seed-extras.ts'], {
	env: { DATABASE_PATH: databasePath, UPLOADS_DIR: uploadsDir, ORIGIN: origin }
});
runOrExit('npx', ['tsx', 'scripts/serve.ts'], {
	env: {
		DATABASE_PATH: databasePath,
		UPLOADS_DIR: uploadsDir,
		PORT: port,
		ORIGIN: origin,
		SKIP_BUILD: '1',
		HOST: '127.0.0.1',
		// sso.spec.ts runs a real OpenID provider on loopback (plain http).
		SSO_ALLOW_LOOPBACK_ISSUERS: '1'
	}
});
