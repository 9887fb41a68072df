// The browser tests' server: a fresh demo database every run, the already-built app, port 4173.
import { rmSync } from 'node:fs';
import { runOrExit } from './lib/bootstrap.mjs';

const databasePath = process.env.DATABASE_PATH || 'test-data/e2e.db';
const uploadsDir = 'test-data/e2e-uploads';
for (const suffix of ['', '-wal', '-shm']) rmSync(databasePath + suffix, { force: true });
rmSync(uploadsDir, { recursive: true, force: true });
runOrExit('npx', ['tsx', 'tests/e2e/seed-extras.ts'], { env: { DATABASE_PATH: databasePath, UPLOADS_DIR: uploadsDir } });
runOrExit('npx', ['tsx', 'scripts/serve.ts'], {
	env: { DATABASE_PATH: databasePath, UPLOADS_DIR: uploadsDir, PORT: '4173', ORIGIN: 'http://localhost:4173', SKIP_BUILD: '1', HOST: '127.0.0.1' }
});
