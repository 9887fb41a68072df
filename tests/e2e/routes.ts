import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';

export interface DiscoveredRoute {
	/** SvelteKit route id, e.g. /admin/people/[userId] */
	id: string;
	kind: 'page' | 'endpoint' | 'action';
	/** HTTP method for endpoints; the action's name for actions */
	name: string;
}

const ROUTES_DIR = 'src/routes';

/** Every page, endpoint method and form action under src/routes, read from the files themselves. */
export function discoverRoutes(dir = ROUTES_DIR): DiscoveredRoute[] {
	const found: DiscoveredRoute[] = [];
	const id = '/' + relative(ROUTES_DIR, dir).split('\\').join('/');
	const routeId = id === '/' ? '/' : id.replace(/\/$/, '');
	if (existsSync(join(dir, '+page.svelte'))) found.push({ id: routeId, kind: 'page', name: 'GET' });
	const endpoint = join(dir, '+server.ts');
	if (existsSync(endpoint)) {
		for (const match of readFileSync(endpoint, 'utf8').matchAll(
			/export const (GET|POST|PUT|PATCH|DELETE)\b/g
		)) {
			found.push({ id: routeId, kind: 'endpoint', name: match[1]! });
		}
	}
	const pageServer = join(dir, '+page.server.ts');
	if (existsSync(pageServer)) {
		const source = readFileSync(pageServer, 'utf8');
		const block = source.split(/export const actions[^=]*=\s*{/)[1];
		if (block) {
			for (const match of block.matchAll(/^\t(\w+):\s*(?:async\b|\(|\w+\()/gm))
				found.push({ id: routeId, kind: 'action', name: match[1]! });
		}
	}
	for (const entry of readdirSync(dir, { withFileTypes: true })) {
		if (entry.isDirectory()) found.push(...discoverRoutes(join(dir, entry.name)));
	}
	return found;
}
