import {
	expect,
	request as playwrightRequest,
	test,
	type APIRequestContext
} from '@playwright/test';
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { DEMO_PASSWORD, E2E_DATABASE, PERSONAS } from './fixtures';
import { MATRIX, type Who } from './matrix';
import { seededRandom } from '../../src/lib/domain/peer-review';

/**
 * 10,000+ generated bad inputs against every form action and JSON endpoint (a tenth of the form posts
 * with bodies that cannot be read or that hold control characters), each sent by someone
 * allowed to use it (so validation is what is tested, not access): every answer must be a 4xx with
 * a message, never a 5xx, and no row may change (checksum of the database before and after).
 * Runs after all other browser tests (its own project), so nothing else writes meanwhile.
 */
const TOTAL = Number(process.env.FUZZ_TOTAL || 10_500);
// Tables that change as a side effect of being signed in and refused: not data anyone entered.
const VOLATILE = new Set(['sessions', 'login_attempts', 'sqlite_sequence']);
// Actions with no input to get wrong: fuzzing them would only run them.
const NO_INPUT = new Set([
	'deactivate',
	'reactivate',
	'resetPassword',
	'copy',
	'publish',
	'unpublish',
	'archive',
	'allocate',
	'releaseAll',
	'release',
	'unrelease',
	'reopen',
	'withdraw',
	'reveal',
	'close',
	'batch',
	'submit',
	'reset',
	'readAll',
	'default',
	// Checkboxes only (a task's automatic reminders): every body is a valid choice, an absent box
	// being "off", so there is no bad input to refuse. tests/unit/reminders.test.ts covers it.
	'reminders'
]);

/** A hash of every table's rows, so a failure can name the tables that changed. */
function checksum(): Record<string, string> {
	const db = new Database(E2E_DATABASE, { readonly: true, fileMustExist: true });
	try {
		const sums: Record<string, string> = {};
		const tables = db
			.prepare(`select name from sqlite_master where type = 'table' order by name`)
			.all() as { name: string }[];
		for (const { name } of tables) {
			if (VOLATILE.has(name)) continue;
			const hash = createHash('sha256');
			for (const row of db.prepare(`select * from "${name}" order by rowid`).iterate())
				hash.update(
					JSON.stringify(row, (_k, v) => (Buffer.isBuffer(v) ? v.toString('base64') : v))
				);
			sums[name] = hash.digest('hex');
		}
		return sums;
	} finally {
		db.close();
	}
}

const random = seededRandom(1234);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const HUGE = 'x'.repeat(20_000);
const UNICODE = ['\u0000', '\u202e\u202dtxt.exe', '👩🏽‍🏫'.repeat(500), 'ﷺ'.repeat(3000), '\ud800'];
const CSV_INJECTION = ["=cmd|' /C calc'!A0", '+HYPERLINK("http://evil.example")', '@SUM(1+1)*cmd|'];
const BAD_IDS = [
	'abc',
	'-1',
	'-0',
	'1.5',
	'99999999',
	'',
	'1e400',
	'<script>',
	'../../etc/passwd',
	'NaN',
	'-Infinity',
	'0x10'
];
const BAD_TEXT = ['', '   ', HUGE, ...UNICODE.map((u) => u + HUGE)];
const ID_FIELDS = [
	'criterionId',
	'taskCriterionId',
	'learnerId',
	'evidenceId',
	'commentId',
	'badgeId',
	'allocationId',
	'reviewerId',
	'revieweeId',
	'markerId',
	'groupId',
	'awardId',
	'classId',
	'scaleId',
	'teacherId',
	'userId',
	'weight',
	'value',
	'minBand',
	'minTasks',
	'id',
	'templateId'
];
const TEXT_FIELDS = [
	'title',
	'name',
	'text',
	'note',
	'reason',
	'body',
	'url',
	'brief',
	'description',
	'criteriaNarrative',
	'exemplarTitle',
	'username',
	'password',
	'givenName',
	'familyName',
	'identifier',
	'choice',
	'kind',
	'direction',
	'layer',
	'ruleTarget',
	'schoolName'
];

function badForm(): Record<string, string> {
	const form: Record<string, string> = {};
	// "value" is a slider position, where 1.5 is fine: it gets out-of-range and malformed values
	// instead.
	for (const field of ID_FIELDS)
		if (random() < 0.5)
			form[field] =
				field === 'value'
					? pick(['abc', '-1', '101', '', '1e400', 'NaN', '100.00001', '0x10'])
					: pick(BAD_IDS);
	for (const field of TEXT_FIELDS)
		if (random() < 0.5) form[field] = pick([...BAD_TEXT, ...CSV_INJECTION.map((c) => c + HUGE)]);
	if (Object.keys(form).length === 0) form.title = '';
	return form;
}

/**
 * A form body the server cannot read as the form it claims to be, or whose fields hold control
 * characters: each must be a 400 with a message, never the route's formData() failing as a 500.
 */
function badFormBody(): { body: string; contentType: string } {
	return pick([
		{
			body: '--b\r\nContent-Disposition: form-data; name="title"\r\n\r\nno closing boundary',
			contentType: 'multipart/form-data; boundary=b'
		},
		{ body: 'title=x', contentType: 'multipart/form-data' },
		{ body: '--b--garbage\u0000', contentType: 'multipart/form-data; boundary=b' },
		{ body: 'title=a&title', contentType: 'text/plain' },
		{ body: 'title=%00&name=x', contentType: 'application/x-www-form-urlencoded' },
		{ body: 'note=%1B%5B2J&reason=%07', contentType: 'application/x-www-form-urlencoded' },
		{ body: '%%%&&==%ZZ', contentType: 'application/x-www-form-urlencoded' }
	]);
}

function badJson(): { body: string; contentType: string } {
	const value = pick<unknown>([
		-1,
		101,
		-0.0001,
		100.0001,
		'50',
		true,
		[],
		{},
		1e308,
		-1e308,
		'NaN',
		'Infinity'
	]);
	const shapes: unknown[] = [
		{ kind: 'criterion', criterionId: pick([999999, -1, 0, 1.5, '1', null, 1e20]), value },
		{ kind: 'criterion', criterionId: pick([999999, -3]), comment: pick(BAD_TEXT) + HUGE },
		{ kind: 'criterion', criterionId: 999999, value: 50, extra: 'field' },
		{ kind: 'reflection', text: HUGE },
		{ kind: 'reflection', text: 12 },
		{ kind: 'overall', text: { nested: true } },
		{ kind: pick(['', 'self', 'teacher', 'DROP TABLE users', '__proto__']) },
		{ value },
		{ value: pick(CSV_INJECTION) },
		null,
		[],
		'just a string'
	];
	const raw = [
		'{',
		'{"kind":}',
		'{"kind":"criterion","criterionId":1,"value":NaN}',
		'\u0000',
		HUGE,
		'{"value":1e999999}'
	];
	if (random() < 0.2) return { body: pick(raw), contentType: 'application/json' };
	if (random() < 0.05)
		return { body: 'value=50', contentType: 'application/x-www-form-urlencoded' };
	return { body: JSON.stringify(pick(shapes)), contentType: 'application/json' };
}

async function signedIn(
	baseURL: string,
	who: Exclude<Who, 'signedOut'> | string
): Promise<APIRequestContext> {
	const context = await playwrightRequest.newContext({
		baseURL,
		extraHTTPHeaders: { origin: baseURL, accept: 'text/html' }
	});
	const response = await context.post('/login', {
		form: { username: PERSONAS[who as Exclude<Who, 'signedOut'>] ?? who, password: DEMO_PASSWORD },
		maxRedirects: 0
	});
	expect(response.status(), `sign in as ${who}`).toBe(303);
	return context;
}

test('10,000 bad inputs: always a 4xx with a message, never a 5xx, and no row changes', async ({
	baseURL
}) => {
	test.setTimeout(600_000);
	const targets = Object.entries(MATRIX)
		.filter(([key, entry]) => {
			const [kind, name] = key.split(' ');
			if (entry.endsSession || key.includes(' /login')) return false;
			if (kind === 'action') return !NO_INPUT.has(name!);
			return kind === 'endpoint' && name === 'PUT';
		})
		.map(([key, entry]) => ({
			key,
			url: entry.url,
			who:
				entry.fuzzAs ??
				(['student', 'teacher', 'admin', 'cityAdmin'] as const).find((w) =>
					entry.allow.includes(w)
				)!
		}))
		.filter((t) => t.who);
	expect(targets.length).toBeGreaterThan(40);
	const contexts: Record<string, APIRequestContext> = {
		student: await signedIn(baseURL!, 'student'),
		teacher: await signedIn(baseURL!, 'teacher'),
		admin: await signedIn(baseURL!, 'admin'),
		cityAdmin: await signedIn(baseURL!, 'cityAdmin')
	};
	// Routes only someone outside the personas may use (a city admin, a moderator): signed in by name.
	for (const username of new Set(targets.map((t) => t.who)))
		contexts[username] ??= await signedIn(baseURL!, username);

	const before = checksum();
	const problems: string[] = [];
	let sent = 0;
	async function worker() {
		while (sent < TOTAL) {
			const target = targets[sent++ % targets.length]!;
			const [kind, name] = target.key.split(' ');
			const context = contexts[target.who]!;
			let status: number;
			let text: string;
			try {
				if (kind === 'action') {
					const raw = random() < 0.1 ? badFormBody() : undefined;
					const response = await context.post(
						name === 'default' ? target.url : `${target.url}?/${name}`,
						raw
							? { data: raw.body, headers: { 'content-type': raw.contentType }, maxRedirects: 0 }
							: { form: badForm(), maxRedirects: 0 }
					);
					status = response.status();
					text = await response.text();
					await response.dispose(); // the request context keeps bodies until disposed
				} else {
					const { body, contentType } = badJson();
					const response = await context.fetch(target.url, {
						method: 'PUT',
						data: body,
						headers: { 'content-type': contentType, accept: 'application/json' },
						maxRedirects: 0
					});
					status = response.status();
					text = await response.text();
					await response.dispose();
				}
			} catch (error) {
				// A keep-alive socket closed by the server as it is reused is the transport's doing, not an
				// answer: send again.
				if (
					/ECONNRESET|socket hang up/.test((error as Error).message) &&
					!target.key.startsWith('retry')
				) {
					sent--;
					continue;
				}
				if (problems.length < 30)
					problems.push(
						`${target.key} as ${target.who}: ${(error as Error).message.slice(0, 120)}`
					);
				continue;
			}
			if (status < 400 || status >= 500 || text.trim().length === 0) {
				if (problems.length < 30)
					problems.push(`${target.key} as ${target.who}: ${status} ${text.slice(0, 120)}`);
			}
		}
	}
	await Promise.all(Array.from({ length: 8 }, worker));
	expect(problems, 'answers that were not a 4xx with a message').toEqual([]);
	expect(sent).toBeGreaterThanOrEqual(Math.min(TOTAL, 10_000));
	const after = checksum();
	expect(
		Object.keys(after).filter((table) => after[table] !== before[table]),
		'tables whose rows changed'
	).toEqual([]);
	for (const context of Object.values(contexts)) await context.dispose();
});
