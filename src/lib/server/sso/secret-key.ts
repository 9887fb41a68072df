import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { DEFAULT_DATABASE_PATH } from '../db/connection';

/**
 * The key that seals sign-in providers' client secrets. It is never in the database, so a stolen
 * database file (or backup) alone does not open the secrets:
 * - `FUSION_SECRET_KEY`: 32 bytes, as 64 hex digits or base64/base64url (production: keep it in
 *   the service manager's environment or secret store);
 * - unset: a key file `secret.key` beside the database (mode 0600), made on first use and kept,
 *   so a fresh `npm start` and the tests work without set-up; the server says where at first use.
 * - an in-memory database (unit tests): a key for this process only, as the database is.
 */
export const SECRET_KEY_VARIABLE = 'FUSION_SECRET_KEY';
export const SECRET_KEY_FILE = 'secret.key';

let cached: { source: string; key: Buffer } | undefined;

export function parseSecretKey(text: string): Buffer {
	const trimmed = text.trim();
	const key = /^[0-9a-f]{64}$/i.test(trimmed)
		? Buffer.from(trimmed, 'hex')
		: Buffer.from(trimmed.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, ''), 'base64url');
	if (key.length !== 32)
		throw new Error(
			`${SECRET_KEY_VARIABLE} must be 32 bytes, as 64 hex digits or base64 (for example: openssl rand -hex 32).`
		);
	return key;
}

export function secretKey(env: NodeJS.ProcessEnv = process.env): Buffer {
	const fromEnv = env[SECRET_KEY_VARIABLE];
	const databasePath = env.DATABASE_PATH || DEFAULT_DATABASE_PATH;
	const source = fromEnv ? `env:${fromEnv}` : `file:${databasePath}`;
	if (cached?.source === source) return cached.key;
	const key = fromEnv
		? parseSecretKey(fromEnv)
		: databasePath === ':memory:'
			? randomBytes(32)
			: keyFileBeside(databasePath);
	cached = { source, key };
	return key;
}

function keyFileBeside(databasePath: string): Buffer {
	const path = join(dirname(resolve(databasePath)), SECRET_KEY_FILE);
	try {
		return parseSecretKey(readFileSync(path, 'utf8'));
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
	}
	mkdirSync(dirname(path), { recursive: true });
	const key = randomBytes(32);
	// 'wx': if another process made it a moment ago, read theirs rather than overwrite it.
	try {
		writeFileSync(path, key.toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
		chmodSync(path, 0o600);
		console.log(
			`Made ${path} (mode 0600) to seal sign-in provider secrets; keep it with, but apart from, the database backups, or set ${SECRET_KEY_VARIABLE}.`
		);
		return key;
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
		return parseSecretKey(readFileSync(path, 'utf8'));
	}
}
