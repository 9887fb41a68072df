import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { extname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

// A fresh clone must pass `npm test`: nothing in the project may read a file beside the repository
// (the team's shared folder, a developer's own machine). Standards files the tests need are
// vendored in tests/fixtures/standards/.
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SCANNED_FOLDERS = ['src', 'tests', 'scripts', 'bench', 'migrations'];
const SCANNED_EXTENSIONS = new Set([
	'.ts',
	'.js',
	'.mjs',
	'.cjs',
	'.svelte',
	'.json',
	'.html',
	'.css'
]);
// Split so that this file does not find itself.
const OUTSIDE_REFERENCES = ['..' + '/shared', '/' + 'work/'];

function sourceFiles(folder: string): string[] {
	return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
		const path = join(folder, entry.name);
		if (entry.isDirectory()) return sourceFiles(path);
		return SCANNED_EXTENSIONS.has(extname(entry.name)) ? [path] : [];
	});
}

const rootConfigFiles = readdirSync(ROOT, { withFileTypes: true })
	.filter(
		(entry) =>
			entry.isFile() &&
			SCANNED_EXTENSIONS.has(extname(entry.name)) &&
			entry.name !== 'package-lock.json'
	)
	.map((entry) => join(ROOT, entry.name));

describe('the repository is self-contained', () => {
	it('no source, test, script or config file refers to a folder outside the repository', () => {
		const files = [
			...rootConfigFiles,
			...SCANNED_FOLDERS.flatMap((folder) => sourceFiles(join(ROOT, folder)))
		];
		expect(files.length).toBeGreaterThan(100);
		const found = files.flatMap((file) =>
			readFileSync(file, 'utf8')
				.split('\n')
				.flatMap((line, i) =>
					OUTSIDE_REFERENCES.some((needle) => line.includes(needle))
						? [`${relative(ROOT, file)}:${i + 1}: ${line.trim()}`]
						: []
				)
		);
		expect(
			found,
			'vendor the file into the repository (tests/fixtures/ for test data) and refer to it there'
		).toEqual([]);
	});
});
