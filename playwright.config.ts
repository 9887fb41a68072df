import { defineConfig, devices } from '@playwright/test';

// E2E_PORT lets a second checkout on the same machine run its browser tests beside this one.
const PORT = Number(process.env.E2E_PORT || 4173);
export const AUTH_DIR = 'test-data/auth';

export default defineConfig({
	testDir: 'tests/e2e',
	// Two cores: one for the server, one for the browser.
	workers: 2,
	fullyParallel: true,
	forbidOnly: Boolean(process.env.CI),
	retries: process.env.CI ? 1 : 0,
	// Generous: CI shares two cores between the server, two browsers and axe; a passing test is not
	// slowed.
	timeout: 90_000,
	expect: { timeout: 15_000 },
	outputDir: 'test-results',
	reporter: [
		['list'],
		[
			'json',
			{ outputFile: process.env.PLAYWRIGHT_JSON_OUTPUT_NAME || 'test-data/reports/playwright.json' }
		]
	],
	use: {
		baseURL: `http://localhost:${PORT}`,
		trace: 'retain-on-failure',
		screenshot: 'only-on-failure',
		launchOptions: {
			executablePath: '/usr/bin/chromium',
			args: [
				'--no-sandbox',
				'--disable-gpu',
				'--disable-background-networking',
				'--disable-component-update',
				'--disable-sync',
				'--no-first-run'
			]
		}
	},
	projects: [
		{ name: 'setup', testMatch: /auth\.setup\.ts/ },
		{
			name: 'chromium',
			use: { ...devices['Desktop Chrome'] },
			dependencies: ['setup'],
			testIgnore: /fuzz\.spec\.ts/
		},
		// Last, on a quiet database: the fuzzer checks that nothing changed.
		{ name: 'fuzz', testMatch: /fuzz\.spec\.ts/, dependencies: ['chromium'], use: { trace: 'off' } }
	],
	webServer: {
		command: 'node scripts/e2e-server.mjs',
		url: `http://127.0.0.1:${PORT}/healthz`,
		reuseExistingServer: false,
		timeout: 120_000,
		stdout: 'ignore',
		stderr: 'pipe'
	}
});
