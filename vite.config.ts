import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vitest/config';

export default defineConfig({
	plugins: [sveltekit()],
	server: { port: 5173 },
	test: {
		include: ['tests/unit/**/*.test.ts'],
		// TEST_DATABASE=postgres: a database of the run's own on PostgreSQL (see postgres-run.ts).
		globalSetup: ['tests/unit/postgres-run.ts'],
		environment: 'node',
		// Each file gets its own temporary SQLite database, so files can run in parallel.
		pool: 'forks',
		// The sign-on tests run a real OpenID provider on loopback (plain http).
		env: { SSO_ALLOW_LOOPBACK_ISSUERS: '1' },
		testTimeout: 20_000
	}
});
