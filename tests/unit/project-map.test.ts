import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// docs/ARCHITECTURE.md's "Where things live" is the one map of the tree. This keeps it true: every
// feature folder, domain module, component group and route group must be named there, and
// everything it names must exist.

const map = (() => {
	const architecture = readFileSync('docs/ARCHITECTURE.md', 'utf8');
	const start = architecture.indexOf('## Where things live');
	const end = architecture.indexOf('\n## ', start + 1);
	return architecture.slice(start, end === -1 ? undefined : end);
})();

const folders = (dir: string) =>
	readdirSync(dir).filter((name) => statSync(join(dir, name)).isDirectory());
const files = (dir: string, extension: string) =>
	readdirSync(dir).filter((name) => name.endsWith(extension) && !name.endsWith('.d.ts'));

describe('the project map in docs/ARCHITECTURE.md', () => {
	it('exists', () => {
		expect(map.length).toBeGreaterThan(200);
	});

	const named: [string, string[]][] = [
		['src/lib', folders('src/lib').map((name) => `${name}/`)],
		['src/lib/server', folders('src/lib/server').map((name) => `${name}/`)],
		['src/lib/server (files)', files('src/lib/server', '.ts')],
		['src/lib/domain', files('src/lib/domain', '.ts')],
		['src/lib/components', folders('src/lib/components').map((name) => `${name}/`)],
		['src/routes', folders('src/routes').map((name) => `/${name}`)]
	];
	for (const [where, entries] of named) {
		it(`names everything in ${where}`, () => {
			const missing = entries.filter((entry) => !map.includes(entry));
			expect(missing, `add these to the map, or remove them from ${where}`).toEqual([]);
		});
	}

	it('names only route groups and server files that exist', () => {
		const block = map.slice(map.indexOf('```'), map.lastIndexOf('```'));
		const routeSection = block.slice(
			block.indexOf('  routes/'),
			block.indexOf('  hooks.server.ts')
		);
		const groups = [...routeSection.matchAll(/^\s{4}(\/[a-z]+(?: \/[a-z]+)*)\s/gm)].flatMap((m) =>
			m[1]!.split(' ')
		);
		const serverSection = block.slice(block.indexOf('    server/'), block.indexOf('      db/'));
		const serverFiles = [...serverSection.matchAll(/^\s{6}([a-z-]+\.ts)\s/gm)].map((m) => m[1]!);
		expect(groups.length).toBeGreaterThan(10);
		expect(serverFiles.length).toBeGreaterThan(3);
		expect(groups.filter((g) => !folders('src/routes').includes(g.slice(1)))).toEqual([]);
		expect(serverFiles.filter((f) => !files('src/lib/server', '.ts').includes(f))).toEqual([]);
	});

	it('names only server folders and domain modules that exist', () => {
		const serverFolders = new Set(folders('src/lib/server'));
		const domainModules = new Set(
			files('src/lib/domain', '.ts').map((n) => n.replace(/\.ts$/, ''))
		);
		const block = map.slice(map.indexOf('```'), map.lastIndexOf('```'));
		const serverSection = block.slice(block.indexOf('    server/'), block.indexOf('  routes/'));
		const listedFolders = [...serverSection.matchAll(/^\s{6}([a-z-]+)\/\s/gm)].map((m) => m[1]!);
		const domainSection = block.slice(block.indexOf('domain/'), block.indexOf('autosave/'));
		const listedModules = [...domainSection.matchAll(/\b([a-z-]+)\.ts\b/g)].map((m) => m[1]!);
		expect(listedFolders.length).toBeGreaterThan(10);
		expect(listedFolders.filter((f) => !serverFolders.has(f))).toEqual([]);
		expect(listedModules.filter((m) => !domainModules.has(m))).toEqual([]);
	});
});
