import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RequestEvent } from '@sveltejs/kit';
import { readFileSync } from 'node:fs';
import type { DB } from '../../src/lib/server/db/connection';
import {
	changeOwnPassword,
	createPerson,
	resetPassword
} from '../../src/lib/server/people/accounts';
import { applyRosterImport } from '../../src/lib/server/roster/import';
import {
	MUST_CHANGE_PASSWORD_MESSAGE,
	passwordChangeFirst
} from '../../src/lib/server/auth/first-sign-in';
import { demoDatabase, sessionUser, userId } from './helpers';

let db: DB;
let schoolId: number;
let adminId: number;

beforeEach(async () => {
	({ db, schoolId } = await demoDatabase());
	adminId = await userId(db, 'admin');
});
afterEach(async () => db.destroy());

const flagOf = async (username: string) =>
	(
		await db
			.selectFrom('users')
			.select('must_change_password')
			.where('username', '=', username)
			.executeTakeFirstOrThrow()
	).must_change_password;

describe('accounts whose password someone else set', () => {
	it('demo accounts are exempt: none is flagged', async () => {
		const flagged = await db
			.selectFrom('users')
			.select('username')
			.where('must_change_password', '=', 1)
			.execute();
		expect(flagged).toEqual([]);
		expect((await sessionUser(db, 'student1')).mustChangePassword).toBe(false);
	});

	it('an admin reset flags the account, and the session shows it', async () => {
		await resetPassword(db, schoolId, adminId, await userId(db, 'student3'));
		expect(await flagOf('student3')).toBe(1);
		expect((await sessionUser(db, 'student3')).mustChangePassword).toBe(true);
		expect(await flagOf('student4')).toBe(0);
	});

	it('an admin-created account is flagged', async () => {
		await createPerson(db, schoolId, adminId, {
			username: 'new.learner',
			givenName: 'New',
			familyName: 'Learner',
			role: 'student'
		});
		expect(await flagOf('new.learner')).toBe(1);
	});

	it('accounts a roster import creates are flagged, with or without a password in the file', async () => {
		const { result } = await applyRosterImport(db, schoolId, adminId, [
			{
				fileName: 'roster.csv',
				text: 'username,given_name,family_name,role,class,password\nr.one,Rae,One,student,9Z Art,\nr.two,Ray,Two,student,9Z Art,chosen-by-office\n'
			}
		]);
		expect(result?.createdPeople.map((p) => p.username).sort()).toEqual(['r.one', 'r.two']);
		expect(await flagOf('r.one')).toBe(1);
		expect(await flagOf('r.two')).toBe(1);
	});

	it('changing one’s own password clears the flag', async () => {
		const password = await resetPassword(db, schoolId, adminId, await userId(db, 'student5'));
		await changeOwnPassword(db, await userId(db, 'student5'), password, 'my-own-secret', {
			ip: '127.0.0.1'
		});
		expect(await flagOf('student5')).toBe(0);
		expect((await sessionUser(db, 'student5')).mustChangePassword).toBe(false);
	});
});

/** The handle as SvelteKit calls it, with only the parts of the event it reads. */
function eventFor(
	user: { mustChangePassword: boolean } | null,
	method: string,
	path: string,
	options: { accept?: string; isDataRequest?: boolean } = {}
) {
	return {
		locals: { user, session: null },
		url: new URL(`http://localhost${path}`),
		request: new Request(`http://localhost${path}`, {
			method,
			headers: options.accept ? { accept: options.accept } : {}
		}),
		isDataRequest: options.isDataRequest ?? false,
		route: { id: path }
	} as unknown as RequestEvent;
}

async function run(event: RequestEvent) {
	const resolve = vi.fn(async () => new Response('the page'));
	try {
		const response = await passwordChangeFirst({ event, resolve });
		return { response, resolved: resolve.mock.calls.length > 0 };
	} catch (thrown) {
		return { thrown: thrown as { status: number; location: string }, resolved: false };
	}
}

describe('the must-change-password handle', () => {
	const flagged = { mustChangePassword: true };

	it('runs in the hooks sequence after the session and before role-by-path', () => {
		// (Calling sequence() needs SvelteKit's request store; the browser test runs it for real.)
		const hooks = readFileSync('src/hooks.server.ts', 'utf8');
		const sequence = /export const handle = sequence\(([^)]*)\)/.exec(hooks)?.[1] ?? '';
		const order = sequence.split(',').map((name) => name.trim());
		expect(order.indexOf('passwordChangeFirst')).toBeGreaterThan(order.indexOf('readSession'));
		expect(order.indexOf('passwordChangeFirst')).toBeLessThan(order.indexOf('roleByPath'));
		expect(order.indexOf('readSession')).toBeGreaterThan(-1);
	});

	it('sends a flagged user’s page visit (and client-side navigation) to /account', async () => {
		for (const event of [
			eventFor(flagged, 'GET', '/student'),
			eventFor(flagged, 'GET', '/admin/people', { isDataRequest: true }),
			eventFor(flagged, 'GET', '/badges/awards/x')
		]) {
			const outcome = await run(event);
			expect(outcome.resolved).toBe(false);
			expect(outcome.thrown).toMatchObject({ status: 303, location: '/account' });
		}
	});

	it('refuses a flagged user’s form action and JSON request with 403 and the reason', async () => {
		const action = await run(
			eventFor(flagged, 'POST', '/student/tasks/1', { accept: 'text/html' })
		);
		expect(action.resolved).toBe(false);
		expect(action.response?.status).toBe(403);
		expect(await action.response?.text()).toBe(MUST_CHANGE_PASSWORD_MESSAGE);

		const save = await run(
			eventFor(flagged, 'PUT', '/student/tasks/1/self', { accept: 'application/json' })
		);
		expect(save.response?.status).toBe(403);
		expect(await save.response?.json()).toEqual({ message: MUST_CHANGE_PASSWORD_MESSAGE });

		const jsonGet = await run(
			eventFor(flagged, 'GET', '/admin/reports/fusion-skills.json', { accept: 'application/json' })
		);
		expect(jsonGet.response?.status).toBe(403);
	});

	it('lets a flagged user change the password and sign out, and nothing that only looks like it', async () => {
		for (const [method, path] of [
			['GET', '/account'],
			['POST', '/account'],
			['POST', '/logout'],
			['GET', '/_app/version.json']
		] as const) {
			expect((await run(eventFor(flagged, method, path))).resolved, path).toBe(true);
		}
		for (const path of ['/account/../admin', '/accounts', '/account%2F..%2Fadmin', '/logout/x']) {
			expect((await run(eventFor(flagged, 'POST', path))).resolved, path).toBe(false);
		}
	});

	it('lets everyone else through', async () => {
		expect((await run(eventFor(null, 'POST', '/admin/people'))).resolved).toBe(true);
		expect(
			(await run(eventFor({ mustChangePassword: false }, 'POST', '/admin/people'))).resolved
		).toBe(true);
	});
});
