import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
	actionTarget,
	formAction,
	noticeIsFor
} from '../../src/lib/components/notices/action-target';

// Every action's result is shown by ActionNotice (src/lib/components/notices), beside the form
// that asked for it: these tests hold that true for every page with form actions.

const at = (search: string) => actionTarget(new URL(`http://school.test/teacher/tasks/3${search}`));

describe('which form an action result answers', () => {
	it('reads the action and key from the URL a form posts to', () => {
		expect(at('?/release')).toEqual({ action: 'release', key: null });
		expect(at('?/agree&notice=criterion-12')).toEqual({ action: 'agree', key: 'criterion-12' });
		expect(at('')).toEqual({ action: 'default', key: null });
		// A page's own query (filters) is not an action.
		expect(at('?sort=name&/move')).toEqual({ action: 'move', key: null });
	});

	it('builds the URL a keyed form posts to, and reads it back', () => {
		expect(formAction('release')).toBe('?/release');
		expect(formAction('agree', 12)).toBe('?/agree&notice=12');
		expect(at(formAction('revoke', 'a b&c'))).toEqual({ action: 'revoke', key: 'a b&c' });
	});

	it('matches a notice by action name, and by key where several forms post the same action', () => {
		const agree12 = at(formAction('agree', 12));
		expect(noticeIsFor(agree12, 'agree', 12)).toBe(true);
		expect(noticeIsFor(agree12, 'agree', 13)).toBe(false);
		expect(noticeIsFor(agree12, ['release', 'agree'], undefined)).toBe(true);
		expect(noticeIsFor(agree12, 'release', undefined)).toBe(false);
		expect(noticeIsFor(agree12, undefined, undefined)).toBe(true);
		expect(noticeIsFor(at('?/agree'), 'agree', 12)).toBe(false);
	});
});

function routeFiles(dir: string, name: string): string[] {
	return readdirSync(dir).flatMap((entry) => {
		const path = join(dir, entry);
		if (statSync(path).isDirectory()) return routeFiles(path, name);
		return entry === name ? [path] : [];
	});
}

/** A page's markup with the components it renders from $lib/components, followed one level down. */
function pageMarkup(page: string): string {
	const seen = new Set<string>();
	const read = (file: string, depth: number): string => {
		if (seen.has(file) || !existsSync(file)) return '';
		seen.add(file);
		const text = readFileSync(file, 'utf8');
		if (depth === 0) return text;
		const imports = [
			...text.matchAll(/from '\$lib\/components\/([\w/-]+\.svelte)'|from '\.\/([\w-]+\.svelte)'/g)
		].map((m) => (m[1] ? join('src/lib/components', m[1]) : join(dirname(file), m[2]!)));
		return [text, ...imports.map((f) => read(f, depth - 1))].join('\n');
	};
	return read(page, 2);
}

/** The action names each ActionNotice in the markup answers; null for one that answers any. */
function noticeActions(markup: string): (string[] | null)[] {
	return [...markup.matchAll(/<ActionNotice\b([^>]*)>/g)].map(([, attributes]) => {
		const one = attributes!.match(/\baction="(\w+)"/);
		if (one) return [one[1]!];
		const many = attributes!.match(/\baction=\{\[([^\]]*)\]\}/);
		if (many) return [...many[1]!.matchAll(/'(\w+)'/g)].map((m) => m[1]!);
		return null;
	});
}

/** Pages whose actions only ever redirect, so there is no result to show. */
const ONLY_REDIRECTS = new Set(['src/routes/logout']);

const pagesWithActions = routeFiles('src/routes', '+page.server.ts')
	.filter((server) => !ONLY_REDIRECTS.has(dirname(server)))
	.filter((server) => /export const actions/.test(readFileSync(server, 'utf8')))
	.map((server) => ({ server, page: join(dirname(server), '+page.svelte') }))
	.filter(({ page }) => existsSync(page));

describe('every page with form actions', () => {
	it('is found', () => expect(pagesWithActions.length).toBeGreaterThan(25));

	for (const { server, page } of pagesWithActions) {
		it(`answers each action beside its form: ${dirname(page).slice('src/routes'.length) || '/'}`, () => {
			const block = readFileSync(server, 'utf8').split('export const actions')[1]!;
			const actions = [...block.matchAll(/^\t(\w+): async/gm)].map((m) => m[1]!);
			expect(actions.length, 'actions found').toBeGreaterThan(0);
			const notices = noticeActions(pageMarkup(page));
			const answers = (action: string) =>
				notices.some((names) => names === null || names.includes(action));
			expect(actions.filter((action) => !answers(action))).toEqual([]);
		});
	}

	it('shows results only through ActionNotice, never a notice of its own', () => {
		const pages = routeFiles('src/routes', '+page.svelte');
		const components = readdirSync('src/lib/components', { recursive: true })
			.map(String)
			.filter((f) => f.endsWith('.svelte') && !f.startsWith('notices'))
			.map((f) => join('src/lib/components', f));
		const own = [...pages, ...components].filter((file) =>
			/\{form\.message\}|form\?\.message\}/.test(readFileSync(file, 'utf8'))
		);
		expect(own).toEqual([]);
	});
});
