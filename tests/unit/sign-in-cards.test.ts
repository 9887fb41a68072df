import { describe, expect, it } from 'vitest';
import { strFromU8, unzipSync } from 'fflate';
import type { DB } from '../../src/lib/server/db/connection';
import {
	CARD_CODE_ATTEMPTS,
	cardAtLink,
	issueSignInCards,
	signInWithCardCode,
	signInWithCardLink
} from '../../src/lib/server/auth/sign-in-cards';
import { validateSessionToken } from '../../src/lib/server/auth/sessions';
import { exportLearnerData, eraseLearner } from '../../src/lib/server/privacy/privacy';
import {
	CODE_ALPHABET,
	cardName,
	normaliseCardCode,
	randomCardCode
} from '../../src/lib/domain/sign-in-cards';
import { Refusal } from '../../src/lib/server/errors';
import { demoDatabase, secondSchool, sessionUser, userId } from './helpers';

const ORIGIN = 'https://fusion.example';
const HOUR = 60 * 60 * 1000;
const tokenOf = (link: string) => link.slice(`${ORIGIN}/login/card/`.length);
const from = (ip: string) => ({ ip });

async function cardFor(db: DB, username: string, lifetime: '1h' | '12h' | '7d' = '1h', now?: Date) {
	const admin = await sessionUser(db, 'admin');
	const { cards } = await issueSignInCards(
		db,
		admin,
		{ learnerId: await userId(db, username) },
		lifetime,
		ORIGIN,
		now
	);
	return cards[0]!;
}

async function refusalOf(work: Promise<unknown>): Promise<Refusal> {
	const problem = await work.then(
		() => null,
		(e: unknown) => e
	);
	expect(problem).toBeInstanceOf(Refusal);
	return problem as Refusal;
}

describe('the typed code', () => {
	it('uses only unambiguous letters, uniformly, and is read kindly', () => {
		let byte = 0;
		const code = randomCardCode(() => byte++ % 256);
		expect(code).toHaveLength(8);
		for (const letter of code) expect(CODE_ALPHABET).toContain(letter);
		expect(CODE_ALPHABET).not.toMatch(/[01OIL]/);
		// Bytes past the last whole multiple of 31 are skipped, never folded onto the first letters.
		let calls = 0;
		expect(randomCardCode(() => (calls++ % 2 === 0 ? 250 : 0))).toBe('22222222');
		expect(normaliseCardCode(' k7qm-3xta ')).toBe('K7QM3XTA');
		expect(normaliseCardCode('K7QM 3XTA')).toBe('K7QM3XTA');
		expect(normaliseCardCode('K7QM3XT')).toBeNull();
		expect(normaliseCardCode('K7QM3XT0')).toBeNull();
	});

	it('names the learner by given name and initial', () => {
		expect(cardName('Amira', 'Bakr')).toBe('Amira B.');
		expect(cardName('Øyvind', 'ørsted')).toBe('Øyvind Ø.');
	});
});

describe('issuing sign-in cards', () => {
	it('makes one card per active student of a class, stores only digests and audits how many', async () => {
		const { db } = await demoDatabase();
		const admin = await sessionUser(db, 'admin');
		const deactivated = await userId(db, 'student2');
		await db.updateTable('users').set({ active: 0 }).where('id', '=', deactivated).execute();
		const { cards } = await issueSignInCards(db, admin, { classId: 1 }, '12h', ORIGIN);
		const enrolled = await db
			.selectFrom('enrolments')
			.select('learner_id')
			.where('class_id', '=', 1)
			.execute();
		expect(cards).toHaveLength(enrolled.length - 1);
		expect(cards.map((c) => c.learnerId)).not.toContain(deactivated);
		const card = cards[0]!;
		expect(card.link).toMatch(/^https:\/\/fusion\.example\/login\/card\/[a-z2-7]{32}$/);
		expect(card.code).toMatch(/^[2-9A-Z]{4}-[2-9A-Z]{4}$/);
		expect(card.qrSvg).toMatch(/^<svg/);
		expect(card.name).toMatch(/^\S+ [A-Z]\.$/);

		const stored = JSON.stringify(await db.selectFrom('sign_in_cards').selectAll().execute());
		const audit = JSON.stringify(await db.selectFrom('audit_log').selectAll().execute());
		for (const c of cards) {
			for (const secret of [tokenOf(c.link), c.code, c.code.replace('-', '')]) {
				expect(stored).not.toContain(secret);
				expect(audit).not.toContain(secret);
			}
		}
		const entry = await db
			.selectFrom('audit_log')
			.selectAll()
			.where('action', '=', 'sign_in_cards.issue')
			.executeTakeFirstOrThrow();
		expect(entry.actor_id).toBe(admin.id);
		expect(JSON.parse(entry.after_json!)).toMatchObject({ cards: cards.length });
		const rows = await db.selectFrom('sign_in_cards').selectAll().execute();
		expect(rows.every((r) => r.expires_at === card.expiresAt)).toBe(true);
		expect(new Date(card.expiresAt).getTime() - new Date(rows[0]!.created_at).getTime()).toBe(
			12 * HOUR
		);
	});

	it('refuses a card for a teacher or an admin: cards are for students only', async () => {
		const { db } = await demoDatabase();
		const admin = await sessionUser(db, 'admin');
		for (const username of ['teacher', 'admin']) {
			const refusal = await refusalOf(
				issueSignInCards(db, admin, { learnerId: await userId(db, username) }, '1h', ORIGIN)
			);
			expect(refusal.status).toBe(400);
			expect(refusal.message).toMatch(/students only/);
		}
		// A student who also teaches (a sixth-former helping) is a staff account too.
		const helper = await userId(db, 'student3');
		await db
			.insertInto('memberships')
			.values({
				user_id: helper,
				school_id: admin.schoolId,
				role: 'teacher',
				year_group: null,
				created_at: new Date().toISOString()
			})
			.execute();
		expect(
			(await refusalOf(issueSignInCards(db, admin, { learnerId: helper }, '1h', ORIGIN))).status
		).toBe(400);
		expect(await db.selectFrom('sign_in_cards').selectAll().execute()).toEqual([]);
	});

	it("another school's admin cannot issue for your learners or class (404)", async () => {
		const { db } = await demoDatabase();
		await secondSchool(db);
		const otherAdmin = await sessionUser(db, 'other-admin');
		const learner = await userId(db, 'student1');
		expect(
			(await refusalOf(issueSignInCards(db, otherAdmin, { learnerId: learner }, '1h', ORIGIN)))
				.status
		).toBe(404);
		expect(
			(await refusalOf(issueSignInCards(db, otherAdmin, { classId: 1 }, '1h', ORIGIN))).status
		).toBe(404);
		expect(await db.selectFrom('sign_in_cards').selectAll().execute()).toEqual([]);
	});

	it('a teacher prints for the classes they teach and their learners, no others (403); a student never', async () => {
		const { db } = await demoDatabase();
		const teacher = await sessionUser(db, 'teacher'); // teaches class 1 only
		const inClass1 = await db
			.selectFrom('enrolments')
			.select('learner_id')
			.where('class_id', '=', 1)
			.executeTakeFirstOrThrow();
		const onlyInClass2 = await db
			.selectFrom('enrolments')
			.select('learner_id')
			.where('class_id', '=', 2)
			.where(({ not, exists, selectFrom }) =>
				not(
					exists(
						selectFrom('enrolments as e1')
							.select('e1.learner_id')
							.whereRef('e1.learner_id', '=', 'enrolments.learner_id')
							.where('e1.class_id', '=', 1)
					)
				)
			)
			.executeTakeFirstOrThrow();
		const { cards } = await issueSignInCards(db, teacher, { classId: 1 }, '1h', ORIGIN);
		expect(cards.length).toBeGreaterThan(0);
		const one = await issueSignInCards(
			db,
			teacher,
			{ learnerId: inClass1.learner_id },
			'1h',
			ORIGIN
		);
		expect(one.cards).toHaveLength(1);
		const issuedBy = await db
			.selectFrom('audit_log')
			.select('actor_id')
			.where('action', '=', 'sign_in_cards.issue')
			.execute();
		expect(issuedBy.every((e) => e.actor_id === teacher.id)).toBe(true);

		const before = await db.selectFrom('sign_in_cards').select('id').execute();
		expect(
			(await refusalOf(issueSignInCards(db, teacher, { classId: 2 }, '1h', ORIGIN))).status
		).toBe(403);
		expect(
			(
				await refusalOf(
					issueSignInCards(db, teacher, { learnerId: onlyInClass2.learner_id }, '1h', ORIGIN)
				)
			).status
		).toBe(403);
		const student = await sessionUser(db, 'student1');
		expect(
			(await refusalOf(issueSignInCards(db, student, { classId: 1 }, '1h', ORIGIN))).status
		).toBe(403);
		expect(await db.selectFrom('sign_in_cards').select('id').execute()).toEqual(before);
		// Last year's class, archived: taught then, not now, so no cards (a card signs in as the child).
		await db.updateTable('classes').set({ archived: 1 }).where('id', '=', 1).execute();
		expect(
			(await refusalOf(issueSignInCards(db, teacher, { classId: 1 }, '1h', ORIGIN))).status
		).toBe(403);
		expect(
			(
				await refusalOf(
					issueSignInCards(db, teacher, { learnerId: inClass1.learner_id }, '1h', ORIGIN)
				)
			).status
		).toBe(403);
		expect(await db.selectFrom('sign_in_cards').select('id').execute()).toEqual(before);
	});
});

describe('signing in with a card', () => {
	it('signs in once by its link: a session like a password sign-in, then refused', async () => {
		const { db } = await demoDatabase();
		const card = await cardFor(db, 'student1');
		const token = tokenOf(card.link);
		expect(await cardAtLink(db, token)).toEqual({ name: card.name });
		// Looking at the page spends nothing.
		expect(await cardAtLink(db, token)).not.toBeNull();

		const signIn = await signInWithCardLink(db, token);
		expect(signIn?.userId).toBe(await userId(db, 'student1'));
		const validated = await validateSessionToken(db, signIn!.token);
		expect(validated.user?.username).toBe('student1');
		expect(validated.user?.roles).toEqual(['student']);

		expect(await signInWithCardLink(db, token)).toBeNull();
		expect(await cardAtLink(db, token)).toBeNull();
	});

	it('two uses of one card at once: one session', async () => {
		const { db } = await demoDatabase();
		const card = await cardFor(db, 'student1');
		const results = await Promise.all(
			Array.from({ length: 4 }, () => signInWithCardLink(db, tokenOf(card.link)))
		);
		expect(results.filter((r) => r !== null)).toHaveLength(1);
		const sessions = await db
			.selectFrom('sessions')
			.select('id')
			.where('user_id', '=', await userId(db, 'student1'))
			.where('sign_in_method', '=', 'card')
			.execute();
		expect(sessions).toHaveLength(1);
	});

	it('refuses a card after its expiry', async () => {
		const { db } = await demoDatabase();
		const printed = new Date('2026-03-02T08:00:00Z');
		const card = await cardFor(db, 'student1', '1h', printed);
		const token = tokenOf(card.link);
		const justAfter = new Date(printed.getTime() + HOUR);
		expect(await cardAtLink(db, token, justAfter)).toBeNull();
		expect(await signInWithCardLink(db, token, justAfter)).toBeNull();
		expect(
			await signInWithCardLink(db, token, new Date(printed.getTime() + HOUR - 1000))
		).not.toBeNull();
	});

	it('reissuing ends the earlier card, by link and by code', async () => {
		const { db } = await demoDatabase();
		const first = await cardFor(db, 'student1');
		const second = await cardFor(db, 'student1');
		expect(await signInWithCardLink(db, tokenOf(first.link))).toBeNull();
		expect((await signInWithCardCode(db, first.code, from('10.0.0.1'))).kind).toBe('refused');
		expect(await signInWithCardLink(db, tokenOf(second.link))).not.toBeNull();
		// Printing for the class ends it too.
		const third = await cardFor(db, 'student1');
		const admin = await sessionUser(db, 'admin');
		await issueSignInCards(db, admin, { classId: 1 }, '12h', ORIGIN);
		expect(await signInWithCardLink(db, tokenOf(third.link))).toBeNull();
	});

	it('refuses a learner deactivated after printing, and leaves the card as it was', async () => {
		const { db } = await demoDatabase();
		const card = await cardFor(db, 'student1');
		const learner = await userId(db, 'student1');
		await db.updateTable('users').set({ active: 0 }).where('id', '=', learner).execute();
		expect(await cardAtLink(db, tokenOf(card.link))).toBeNull();
		expect(await signInWithCardLink(db, tokenOf(card.link))).toBeNull();
		const row = await db
			.selectFrom('sign_in_cards')
			.select('used_at')
			.where('learner_id', '=', learner)
			.executeTakeFirstOrThrow();
		expect(row.used_at).toBeNull();
		expect(
			await db.selectFrom('sessions').select('id').where('user_id', '=', learner).execute()
		).toEqual([]);
	});

	it('is not sent to change a password someone else set; a password sign-in still is', async () => {
		const { db } = await demoDatabase();
		const learner = await userId(db, 'student1');
		await db
			.updateTable('users')
			.set({ must_change_password: 1 })
			.where('id', '=', learner)
			.execute();
		const card = await cardFor(db, 'student1');
		const signIn = await signInWithCardLink(db, tokenOf(card.link));
		expect((await validateSessionToken(db, signIn!.token)).user?.mustChangePassword).toBe(false);
		const byPassword = await sessionUser(db, 'student1');
		expect(byPassword.mustChangePassword).toBe(true);
	});

	it('signs in by its typed code, once, however the code is typed', async () => {
		const { db } = await demoDatabase();
		const card = await cardFor(db, 'student1');
		const typed = ` ${card.code.toLowerCase().replace('-', ' ')} `;
		const outcome = await signInWithCardCode(db, typed, from('10.0.0.1'));
		expect(outcome.kind).toBe('signed-in');
		if (outcome.kind === 'signed-in')
			expect(outcome.signIn.userId).toBe(await userId(db, 'student1'));
		expect((await signInWithCardCode(db, card.code, from('10.0.0.1'))).kind).toBe('refused');
		// The code spent the card: its link no longer works either.
		expect(await signInWithCardLink(db, tokenOf(card.link))).toBeNull();
		expect((await signInWithCardCode(db, 'not a code', from('10.0.0.1'))).kind).toBe('not-a-code');
	});

	it('a class’s typos never stop a classmate; a guesser at one address is slowed after 300 misses, not another address', async () => {
		const { db } = await demoDatabase();
		const card = await cardFor(db, 'student1');
		const start = new Date();
		const wrong = card.code.startsWith('2') ? '3333-3333' : '2222-2222';
		// A class of young children mistyping, all behind the school's one address.
		for (let i = 0; i < 40; i++)
			expect((await signInWithCardCode(db, wrong, from('10.0.0.9'), start)).kind).toBe('refused');
		const classmate = await cardFor(db, 'student2');
		expect((await signInWithCardCode(db, classmate.code, from('10.0.0.9'), start)).kind).toBe(
			'signed-in'
		);
		// A guesser: past the address's allowance, even the right code waits.
		for (let i = 40; i < 300; i++) await signInWithCardCode(db, wrong, from('10.0.0.9'), start);
		const delayed = await signInWithCardCode(db, card.code, from('10.0.0.9'), start);
		expect(delayed).toEqual({ kind: 'delayed', retryAfterSeconds: 1 });
		// The card is not spent by a refused attempt, and another address is not slowed.
		const elsewhere = await signInWithCardCode(db, card.code, from('10.0.0.10'), start);
		expect(elsewhere.kind).toBe('signed-in');
		const attempts = await db
			.selectFrom('login_attempts')
			.select(['username', 'succeeded'])
			.where('ip', '=', '10.0.0.9')
			.execute();
		expect(attempts).toHaveLength(301);
		expect(attempts.every((a) => a.username === CARD_CODE_ATTEMPTS)).toBe(true);
	});
});

describe('a learner’s cards and their privacy', () => {
	it('are in the learner’s export without link or code, and deleted on erasure', async () => {
		const { db } = await demoDatabase();
		const admin = await sessionUser(db, 'admin');
		const learner = await userId(db, 'student1');
		const card = await cardFor(db, 'student1');
		const zip = unzipSync(await exportLearnerData(db, admin, learner));
		const data = strFromU8(zip['data.json']!);
		const parsed = JSON.parse(data) as { signIns: { cards: unknown[] } };
		expect(parsed.signIns.cards).toHaveLength(1);
		expect(data).not.toContain(tokenOf(card.link));
		expect(data).not.toContain(card.code);
		await eraseLearner(db, admin, learner, 'student1');
		expect(
			await db.selectFrom('sign_in_cards').select('id').where('learner_id', '=', learner).execute()
		).toEqual([]);
	});
});
