import prettier from 'eslint-config-prettier';
import { fileURLToPath } from 'node:url';
import { includeIgnoreFile } from '@eslint/compat';
import js from '@eslint/js';
import svelte from 'eslint-plugin-svelte';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import ts from 'typescript-eslint';
import svelteConfig from './svelte.config.js';

// The hot-path mechanisms stay fenced (docs/ARCHITECTURE.md, "Hot paths"): group commit and
// compiledOnce serve the autosave alone, and only the session code touches the session cache.
const HOT_PATH_WRITES = {
	group: ['**/db/group-commit', '**/db/compiled-once'],
	message:
		'Group commit and compiledOnce serve the autosave only; see docs/ARCHITECTURE.md, "Hot paths".'
};
const SESSION_CACHE = {
	group: ['**/auth/session-cache'],
	message: 'Only the session code reads the session cache; see docs/ARCHITECTURE.md, "Hot paths".'
};
const SESSION_CACHE_ACCESSOR = {
	group: ['**/db/connection'],
	importNames: ['sessionCacheOf'],
	message: SESSION_CACHE.message
};
const AUTOSAVE_FILES = [
	'src/lib/server/assessment/judgements.ts',
	'src/lib/server/assessment/self-assessment.ts'
];
const SESSION_FILES = ['src/lib/server/db/connection.ts', 'src/lib/server/auth/sessions.ts'];
const restrict = (...patterns) => ({ 'no-restricted-imports': ['error', { patterns }] });

const gitignorePath = fileURLToPath(new URL('./.gitignore', import.meta.url));

export default defineConfig(
	includeIgnoreFile(gitignorePath),
	js.configs.recommended,
	...ts.configs.recommended,
	...svelte.configs.recommended,
	prettier,
	...svelte.configs.prettier,
	{
		languageOptions: { globals: { ...globals.browser, ...globals.node } },
		rules: {
			// typescript-eslint recommends turning this off: TypeScript itself reports undefined names.
			'no-undef': 'off',
			// `_`-prefixed names are deliberate placeholders, and `{ omitted: _, ...rest }` is how we drop
			// fields.
			'@typescript-eslint/no-unused-vars': [
				'error',
				{
					argsIgnorePattern: '^_',
					varsIgnorePattern: '^_',
					caughtErrorsIgnorePattern: '^_',
					ignoreRestSiblings: true
				}
			]
		}
	},
	{
		files: ['**/*.svelte', '**/*.svelte.ts', '**/*.svelte.js'],
		languageOptions: {
			parserOptions: {
				projectService: true,
				extraFileExtensions: ['.svelte'],
				parser: ts.parser,
				svelteConfig
			}
		}
	},
	{
		files: ['src/**/*.ts', 'src/**/*.svelte'],
		ignores: [
			...AUTOSAVE_FILES,
			...SESSION_FILES,
			'src/lib/server/db/group-commit.ts',
			'src/lib/server/db/compiled-once.ts',
			'src/lib/server/auth/session-cache.ts'
		],
		rules: restrict(HOT_PATH_WRITES, SESSION_CACHE, SESSION_CACHE_ACCESSOR)
	},
	{ files: AUTOSAVE_FILES, rules: restrict(SESSION_CACHE, SESSION_CACHE_ACCESSOR) },
	{ files: SESSION_FILES, rules: restrict(HOT_PATH_WRITES) }
);
