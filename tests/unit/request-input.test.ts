import { describe, expect, it } from 'vitest';
import {
	isFormSubmissionFromThisSite,
	isSameOriginRequest,
	malformedInput,
	sameOriginPath
} from '../../src/lib/server/http';
import { roleSetsRequiredFor } from '../../src/lib/server/auth/guards';

const ORIGIN = 'http://school.example';

describe('redirectTo after sign-in', () => {
	it('accepts only paths on this site', () => {
		for (const evil of [
			'/\t/evil.example',
			'/%09/evil.example',
			'//evil.example',
			'/\\evil.example',
			'\\\\evil.example',
			'https://evil.example',
			'http://school.example.evil.example/',
			'javascript:alert(1)',
			' javascript:alert(1)',
			'/\n/evil.example',
			// Found by the red-team pass: dot segments that leave `//evil.example`.
			'/.//evil.example/phish',
			'/x/..//evil.example',
			'/./\\evil.example'
		]) {
			const target = sameOriginPath(evil, ORIGIN);
			// Either refused, or a path that a browser resolves to this site.
			if (target !== null) expect(new URL(target, ORIGIN).origin).toBe(ORIGIN);
		}
		expect(sameOriginPath('/\t/evil.example', ORIGIN)).toBeNull();
		expect(sameOriginPath('//evil.example', ORIGIN)).toBeNull();
		expect(sameOriginPath('/\\evil.example', ORIGIN)).toBeNull();
		expect(sameOriginPath('https://evil.example', ORIGIN)).toBeNull();
		expect(sameOriginPath('javascript:alert(1)', ORIGIN)).toBeNull();
		expect(sameOriginPath('/.//evil.example/phish', ORIGIN)).toBeNull();
		expect(sameOriginPath('/teacher/tasks/1?x=1#y', ORIGIN)).toBe('/teacher/tasks/1?x=1#y');
		expect(sameOriginPath(null, ORIGIN)).toBeNull();
	});
});

describe('the role-by-path net reads a path every way it can be read', () => {
	it('treats encoded, doubled, dotted and differently cased paths as the path they reach', () => {
		for (const path of [
			'/admin/people',
			'/%61dmin/people',
			'/%2561dmin/people',
			'/ADMIN/people',
			'//admin/people',
			'/admin%2F..%2Fadmin/people',
			'/x/../admin/people',
			'/%5Cadmin/people'
		])
			expect(roleSetsRequiredFor(path), path).toContainEqual(['admin']);
		// Two readings under two prefixes: both must hold.
		expect(roleSetsRequiredFor('/student/..%2Fadmin')).toEqual(
			expect.arrayContaining([['student'], ['admin']])
		);
		// The route SvelteKit matched counts too.
		expect(roleSetsRequiredFor('/whatever', '/admin/people/[userId]')).toEqual([['admin']]);
		expect(roleSetsRequiredFor('/administrator')).toEqual([]);
		expect(roleSetsRequiredFor('/login')).toEqual([]);
	});
});

const post = (body: BodyInit, contentType: string, url = `${ORIGIN}/teacher/badges?/create`) =>
	new Request(url, { method: 'POST', body, headers: { 'content-type': contentType } });

describe('malformed input is a 400 with a message', () => {
	it('a form body that cannot be read', async () => {
		const broken = post(
			'--xyz\r\nContent-Disposition: form-data; name="title"\r\n\r\nno end',
			'multipart/form-data; boundary=xyz'
		);
		expect(await malformedInput(broken, new URL(broken.url))).toMatchObject({ status: 400 });
		const noBoundary = post('title=a', 'multipart/form-data');
		expect(await malformedInput(noBoundary, new URL(noBoundary.url))).toMatchObject({
			status: 400
		});
		const plain = post('not a form', 'text/plain');
		expect(await malformedInput(plain, new URL(plain.url))).toMatchObject({ status: 400 });
	});

	it('control characters in form fields, the path or the query; text keeps tabs and new lines', async () => {
		const nul = post('title=a%00b', 'application/x-www-form-urlencoded');
		const problem = await malformedInput(nul, new URL(nul.url));
		expect(problem).toMatchObject({ status: 400 });
		expect(problem?.message).toMatch(/control character/);
		const escape = post('note=%1B%5B31m', 'application/x-www-form-urlencoded');
		expect(await malformedInput(escape, new URL(escape.url))).toMatchObject({ status: 400 });
		const text = post('note=line%0D%0Aline%09tab', 'application/x-www-form-urlencoded');
		expect(await malformedInput(text, new URL(text.url))).toBeNull();
		// The route still reads the original body after the check.
		expect((await text.formData()).get('note')).toBe('line\r\nline\ttab');

		const get = (url: string) => new Request(url);
		for (const url of [
			`${ORIGIN}/login?redirectTo=%00`,
			`${ORIGIN}/login?redirectTo=%1B`,
			`${ORIGIN}/teacher/%00`,
			`${ORIGIN}/teacher/%09x`,
			`${ORIGIN}/teacher/%E0%A4%A`
		])
			expect(await malformedInput(get(url), new URL(url)), url).toMatchObject({ status: 400 });
		expect(await malformedInput(get(`${ORIGIN}/login?q=a%20b`), new URL(`${ORIGIN}/login`))).toBe(
			null
		);
	});
});

describe('state-changing requests must come from this site', () => {
	const put = (headers: Record<string, string>) =>
		new Request(`${ORIGIN}/student/tasks/1/save`, { method: 'PUT', headers, body: '{}' });
	it('refuses another origin, a null origin and a cross-site fetch; allows this site', () => {
		expect(isSameOriginRequest(put({ origin: ORIGIN }), ORIGIN)).toBe(true);
		expect(isSameOriginRequest(put({ origin: 'https://evil.example' }), ORIGIN)).toBe(false);
		expect(isSameOriginRequest(put({ origin: 'http://sub.school.example' }), ORIGIN)).toBe(false);
		expect(isSameOriginRequest(put({ origin: 'null' }), ORIGIN)).toBe(false);
		expect(isSameOriginRequest(put({ 'sec-fetch-site': 'same-site' }), ORIGIN)).toBe(false);
		expect(isSameOriginRequest(put({ referer: 'https://evil.example/x' }), ORIGIN)).toBe(false);
		expect(isSameOriginRequest(put({ 'sec-fetch-site': 'same-origin' }), ORIGIN)).toBe(true);
		// No browser leaves Origin off a PUT: a script or test client, which has no visitor's cookie.
		expect(isSameOriginRequest(put({}), ORIGIN)).toBe(true);
		expect(isSameOriginRequest(new Request(`${ORIGIN}/x`), ORIGIN)).toBe(true);
	});
});

describe("form submissions must carry this site's Origin (the kit's rule, applied by the app)", () => {
	const post = (headers: Record<string, string>, type = 'application/x-www-form-urlencoded') =>
		new Request(`${ORIGIN}/account`, {
			method: 'POST',
			headers: { 'content-type': type, ...headers },
			body: 'a=b'
		});
	it('refuses another origin and a missing one; lets this site and non-form bodies through', () => {
		expect(isFormSubmissionFromThisSite(post({ origin: ORIGIN }), ORIGIN)).toBe(true);
		expect(isFormSubmissionFromThisSite(post({ origin: 'https://evil.example' }), ORIGIN)).toBe(
			false
		);
		expect(isFormSubmissionFromThisSite(post({}), ORIGIN)).toBe(false);
		expect(isFormSubmissionFromThisSite(post({}, 'multipart/form-data; boundary=x'), ORIGIN)).toBe(
			false
		);
		expect(isFormSubmissionFromThisSite(post({}, 'text/plain;charset=UTF-8'), ORIGIN)).toBe(false);
		// JSON is not a form: isSameOriginRequest judges it.
		expect(isFormSubmissionFromThisSite(post({}, 'application/json'), ORIGIN)).toBe(true);
		expect(isFormSubmissionFromThisSite(new Request(`${ORIGIN}/x`), ORIGIN)).toBe(true);
	});
});
