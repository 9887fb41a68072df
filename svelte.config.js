import adapter from '@sveltejs/adapter-node';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
	preprocess: vitePreprocess(),
	compilerOptions: { runes: true },
	kit: {
		adapter: adapter({ out: 'build' }),
		// SvelteKit's CSRF rule (a form POST must carry this site's Origin) is applied by the
		// refuseCrossOrigin hook instead (src/hooks.server.ts), which adds the one exception the
		// kit cannot: a mail provider's RFC 8058 one-click unsubscribe, which has no Origin.
		csrf: { trustedOrigins: ['*'] },
		// Hash-based CSP: SvelteKit adds hashes for its own inline bootstrap script,
		// so no other inline script can run.
		csp: {
			mode: 'hash',
			directives: {
				'default-src': ['self'],
				'script-src': ['self'],
				'style-src': ['self', 'unsafe-inline'],
				'img-src': ['self', 'data:', 'blob:'],
				'font-src': ['self'],
				'connect-src': ['self'],
				'object-src': ['none'],
				'base-uri': ['self'],
				'form-action': ['self'],
				'frame-ancestors': ['none']
			}
		}
	}
};

export default config;
