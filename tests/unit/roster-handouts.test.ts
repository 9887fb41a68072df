import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import type { DB } from '../../src/lib/server/db/connection';
import { applyRosterImport } from '../../src/lib/server/roster/import';
import {
	HANDOUT_LIFETIME_MS,
	forgetHandout,
	handoutPasswordsCsv,
	openOwnHandout,
	ownHandouts,
	type HandoutEntry
} from '../../src/lib/server/roster/handouts';
import { renderSignInSlipsPdf } from '../../src/lib/server/roster/slips-pdf';
import { createPerson } from '../../src/lib/server/people/accounts';
import { eraseLearner } from '../../src/lib/server/privacy/privacy';
import { signIn } from '../../src/lib/server/auth/sign-in';
import { Refusal } from '../../src/lib/server/errors';
import { demoDatabase, secondSchool, sessionUser, userId } from './helpers';
import { overlaps, textBoxes } from './pdf-text';

let db: DB;
let schoolId: number;
let admin: { id: number; schoolId: number };
beforeEach(async () => {
	({ db, schoolId } = await demoDatabase());
	admin = { id: await userId(db, 'admin'), schoolId };
});
afterEach(async () => db.destroy());

const ROSTER = [
	{
		fileName: 'roster.csv',
		text: [
			'username,given_name,family_name,role,class,password',
			'roster4a,Zoë,Adeyemi,student,9S Slips,',
			'roster4b,Łukasz,Nowak,student,9S Slips,',
			'roster4c,Own,Password,student,9S Slips,chosen-by-office',
			'roster4t,Tara,Teacher,teacher,9S Slips,',
			'roster 4x,Bad,Row,student,9S Slips,'
		].join('\n')
	}
];
const SIGN_IN = 'http://localhost:3000/login';

async function importRoster() {
	const { result } = await applyRosterImport(db, schoolId, admin.id, ROSTER, {
		kind: 'good-rows',
		problemRowsSeen: 1
	});
	return result!.handout!;
}

const refusalOf = (work: Promise<unknown>) =>
	work.then(
		() => null,
		(e: unknown) => (e instanceof Refusal ? e.status : e)
	);

describe('one-time passwords after a roster import', () => {
	it('are kept only for the accounts given one, sealed, and never in the audit log', async () => {
		const handout = await importRoster();
		expect(handout.people).toBe(3); // roster4c's password came in the file
		const { entries } = await openOwnHandout(db, admin, handout.id, 'passwords');
		expect(entries.map((e) => e.username)).toEqual(['roster4a', 'roster4b', 'roster4t']);
		for (const e of entries) {
			expect(e.classes).toEqual(['9S Slips']);
			expect((await signIn(db, e.username, e.password, { ip: '10.0.0.9' })).kind).toBe('signed-in');
		}
		const row = await db.selectFrom('roster_handouts').selectAll().executeTakeFirstOrThrow();
		const audit = JSON.stringify(await db.selectFrom('audit_log').selectAll().execute());
		for (const e of entries) {
			expect(row.sealed).not.toContain(e.password);
			expect(row.sealed).not.toContain(e.username);
			expect(audit).not.toContain(e.password);
		}
		expect(audit).toContain('roster.passwords_download');
	});

	it('open only for the admin who ran the import: not another admin of the school, nor of another school', async () => {
		const handout = await importRoster();
		await createPerson(db, schoolId, admin.id, {
			username: 'roster-admin2',
			givenName: 'Second',
			familyName: 'Admin',
			role: 'admin'
		});
		const secondAdmin = { id: await userId(db, 'roster-admin2'), schoolId };
		expect(await refusalOf(openOwnHandout(db, secondAdmin, handout.id, 'slips'))).toBe(404);
		expect(await ownHandouts(db, secondAdmin)).toEqual([]);
		const { schoolId: otherSchool } = await secondSchool(db);
		const otherAdmin = await sessionUser(db, 'other-admin');
		expect(otherAdmin.schoolId).toBe(otherSchool);
		expect(await refusalOf(openOwnHandout(db, otherAdmin, handout.id, 'passwords'))).toBe(404);
		expect(await refusalOf(forgetHandout(db, secondAdmin, handout.id))).toBe(404);
		// Moved to another admin in the database, the sealed list does not open.
		await db
			.updateTable('roster_handouts')
			.set({ admin_id: secondAdmin.id })
			.where('id', '=', handout.id)
			.execute();
		await expect(openOwnHandout(db, secondAdmin, handout.id, 'slips')).rejects.toThrow();
	});

	it('expire after an hour, and are deleted then', async () => {
		const handout = await importRoster();
		const created = new Date(handout.createdAt).getTime();
		expect(new Date(handout.expiresAt).getTime() - created).toBe(HANDOUT_LIFETIME_MS);
		const nearlyAnHour = new Date(created + HANDOUT_LIFETIME_MS - 60_000);
		expect((await ownHandouts(db, admin, nearlyAnHour)).map((h) => h.id)).toEqual([handout.id]);
		const later = new Date(created + HANDOUT_LIFETIME_MS + 1);
		expect(await refusalOf(openOwnHandout(db, admin, handout.id, 'slips', later))).toBe(404);
		expect(await db.selectFrom('roster_handouts').selectAll().execute()).toEqual([]);
	});

	it('are deleted when the admin says they are handed out', async () => {
		const handout = await importRoster();
		await forgetHandout(db, admin, handout.id);
		expect(await db.selectFrom('roster_handouts').selectAll().execute()).toEqual([]);
		expect(await refusalOf(openOwnHandout(db, admin, handout.id, 'passwords'))).toBe(404);
		expect(await ownHandouts(db, admin)).toEqual([]);
	});

	it('are deleted when a learner of the school is erased', async () => {
		await importRoster();
		const asAdmin = await sessionUser(db, 'admin');
		await eraseLearner(db, asAdmin, await userId(db, 'roster4a'), 'roster4a');
		expect(await db.selectFrom('roster_handouts').selectAll().execute()).toEqual([]);
	});

	it('download as a CSV with a BOM, one row per account, in class and name order', async () => {
		const handout = await importRoster();
		const { entries } = await openOwnHandout(db, admin, handout.id, 'passwords');
		const csv = handoutPasswordsCsv(entries, SIGN_IN);
		expect(csv.startsWith('\uFEFF')).toBe(true);
		const rows = parse(csv, { bom: true }) as string[][];
		expect(rows[0]).toEqual([
			'class',
			'family_name',
			'given_name',
			'username',
			'role',
			'one_time_password',
			'sign_in_at'
		]);
		expect(rows.slice(1).map((r) => [r[0], r[3], r[4], r[6]])).toEqual([
			['9S Slips', 'roster4a', 'student', SIGN_IN],
			['9S Slips', 'roster4b', 'student', SIGN_IN],
			['9S Slips', 'roster4t', 'teacher', SIGN_IN]
		]);
		expect(rows.slice(1).map((r) => r[5])).toEqual(entries.map((e) => e.password));
	});
});

describe('the sign-in slips PDF', () => {
	const entry = (i: number, over: Partial<HandoutEntry> = {}): HandoutEntry => ({
		givenName: `Learner${i}`,
		familyName: 'Roster',
		name: `Learner${i} Roster`,
		username: `roster5-${i}`,
		role: 'student',
		classes: ['9S Slips'],
		password: 'abcd-efgh-jkmn',
		...over
	});

	it('has one slip per learner, with their username and password, and no text over other text', async () => {
		const entries = Array.from({ length: 11 }, (_, i) => entry(i + 1));
		const boxes = await textBoxes(
			await renderSignInSlipsPdf(entries, 'Northbridge Academy', SIGN_IN)
		);
		expect(boxes.filter((b) => b.text === 'One-time password')).toHaveLength(11);
		for (const e of entries) {
			expect(boxes.filter((b) => b.text === e.username)).toHaveLength(1);
			expect(boxes.some((b) => b.text === e.name)).toBe(true);
		}
		expect(boxes.filter((b) => b.text === SIGN_IN)).toHaveLength(11);
		expect(
			boxes.filter((b) => b.text === 'You’ll choose your own password when you first sign in.')
		).toHaveLength(11);
		// Eight to a page: 11 slips are two pages.
		expect(new Set(boxes.map((b) => b.page))).toEqual(new Set([1, 2]));
		expect(overlaps(boxes)).toEqual([]);
	});

	it('keeps long names, many classes and a long address inside each slip without overprinting', async () => {
		const long = entry(1, {
			name: 'Maximiliana Wilhelmina Fitzgerald-Featherstonehaugh Nguyễn-Ó Súilleabháin de la Cruz',
			username: 'roster5-maximiliana.fitzgerald-featherstone',
			classes: Array.from({ length: 9 }, (_, i) => `10${i} Design, Engineering & Technology`),
			role: 'teacher'
		});
		const entries = [long, entry(2), long, entry(3)];
		const url = 'https://skills.a-very-long-school-name-academy-trust.example.org/login';
		const boxes = await textBoxes(await renderSignInSlipsPdf(entries, 'Northbridge Academy', url));
		expect(overlaps(boxes)).toEqual([]);
		// The page is 595 × 842 with slips in a 24 pt margin: nothing is printed outside it, and no
		// line crosses the middle cut line or a row's cut line.
		const slipWidth = (595.28 - 48) / 2;
		const slipHeight = (841.89 - 48) / 4;
		for (const b of boxes) {
			expect(b.left).toBeGreaterThanOrEqual(24);
			expect(b.right).toBeLessThanOrEqual(595.28 - 24);
			const column = Math.floor((b.left - 24) / slipWidth);
			expect(b.right, b.text).toBeLessThanOrEqual(24 + (column + 1) * slipWidth);
			const fromTop = 841.89 - b.top;
			const row = Math.floor((841.89 - b.bottom - 24) / slipHeight);
			expect(fromTop, b.text).toBeGreaterThanOrEqual(24 + row * slipHeight);
		}
		expect(boxes.filter((b) => b.text === 'One-time password')).toHaveLength(4);
		expect(boxes.some((b) => /and \d+ more/.test(b.text))).toBe(true);
	});
});
