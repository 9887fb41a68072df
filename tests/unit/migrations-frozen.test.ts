import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

// Databases in schools have already run 0001; the Migrator never runs a migration twice, so an edit
// here would reach new databases only and leave every existing one on a different schema.
const INITIAL_MIGRATION = new URL('../../migrations/0001_initial.ts', import.meta.url);
const INITIAL_MIGRATION_SHA256 = '945effcfb622fec5ad831f121f7393853036a05a9cf4d9fcacb9c28ddfd062d4';

describe('migrations', () => {
	it('the initial migration is frozen', () => {
		// Line endings normalised, so a Windows checkout (core.autocrlf) hashes the same.
		const text = readFileSync(INITIAL_MIGRATION, 'utf8').replace(/\r\n/g, '\n');
		const sha256 = createHash('sha256').update(text).digest('hex');
		expect(
			sha256,
			'migrations/0001_initial.ts has changed: put every schema change in a new numbered migration (0002_….ts) and restore 0001'
		).toBe(INITIAL_MIGRATION_SHA256);
	});
});
