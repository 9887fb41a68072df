import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';

/**
 * docs/STANDARDS.md says which tests prove each standard and which fixtures they read: every
 * repository path it names must exist, so the page cannot point at a test that was renamed or
 * removed.
 */
const ROOT = new URL('../../', import.meta.url);
const page = readFileSync(new URL('docs/STANDARDS.md', ROOT), 'utf8');
const named = [...page.matchAll(/`((?:tests|src|docs|migrations)\/[^`\s]+)`/g)]
	.map((m) => m[1]!)
	// A pattern (`{id}`, `…`) names a family of addresses, not one file.
	.filter((path) => !/[{}…*]/.test(path));

describe('docs/STANDARDS.md', () => {
	it('names the tests, fixtures and sources it relies on', () => {
		expect(named.length).toBeGreaterThan(20);
		const missing = [...new Set(named)].filter((path) => !existsSync(new URL(path, ROOT)));
		expect(missing).toEqual([]);
	});

	it('names a test for every standard it lists', () => {
		for (const section of page.split(/^## /m).slice(1)) {
			const title = section.split('\n')[0];
			expect(section, title).toMatch(/`tests\/(unit|e2e)\/[^`]+\.(test|spec)\.ts`/);
		}
	});
});
