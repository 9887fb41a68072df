import { joinedText } from '../db/dialect';
import { sql } from 'kysely';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import type { Transaction } from 'kysely';
import QRCode from 'qrcode';
import type { DB } from '../db/connection';
import type { Database } from '../db/schema';
import { recordAudit } from '../audit';
import { Refusal } from '../errors';
import { serverSecret } from './server-secrets';
import { createSession, generateSessionToken, type Session, type SessionUser } from './sessions';
import { reserveAttempt, settleAttempt } from './rate-limit';
import type { AttemptOrigin } from './sign-in';
import { hasRole } from './guards';
import {
	CARD_LIFETIMES,
	cardExpiry,
	cardName,
	formatCardCode,
	normaliseCardCode,
	randomCardCode,
	type CardLifetime
} from '../../domain/sign-in-cards';

/**
 * Printable sign-in cards (issue 15): a one-time, short-lived way in for a young learner on a shared
 * device, as a QR code (a link) and a short code to type. They never depend on a password, so they
 * work in a school that has turned passwords off.
 * - Only digests are stored: SHA-256 of the link's 160-bit token (as sessions are), and an HMAC of
 *   the 8-letter code under a server key (40 bits would fall to an offline search of a stolen
 *   database; under the key they do not). The printed page is the only place either is shown.
 * - Issuing for a learner revokes their earlier unused cards (a lost card is ended by printing a
 *   new one). A card is spent by the one statement that signs in with it, so two uses at once give
 *   one session.
 * - Students only: a card for a teacher's or an admin's account would be a key to the whole class
 *   or school lying on a desk, so issuing one is refused.
 * - Issued by the school's admins, and by a teacher for the classes they teach: cards are handed
 *   out in the lesson, and a lost one must be replaceable by the adult in the room at once (as
 *   Google Classroom lets teachers print their class's codes). A teacher already marks these
 *   learners' work; the audit log names who printed which cards.
 */

/** The one answer to every card that does not work, so it tells nobody which case it was. */
export const CARD_REFUSED =
	'This card has been used or has expired. Ask your teacher for a new one.';
/** Typed-code attempts are counted under this name, which no username can be (it has spaces). */
export const CARD_CODE_ATTEMPTS = 'sign-in card code';
/** Spent, revoked and expired cards are kept this long (for the learner's export), then deleted. */
const KEEP_ENDED_CARDS_MS = 30 * 24 * 60 * 60 * 1000;
const CODE_KEY = 'sign_in_card_code_key';

const tokenDigest = (token: string) => createHash('sha256').update(token).digest('hex');
const codeDigest = (key: Buffer, code: string) =>
	createHmac('sha256', key).update(code).digest('hex');
/** The key comes from the database: fetch it before a transaction, never inside one. */
const codeKey = (db: DB) => serverSecret(db, CODE_KEY);

/** One card as printed: shown once, on the page its issuer prints. */
export interface PrintedCard {
	learnerId: number;
	name: string;
	className: string | null;
	link: string;
	code: string;
	qrSvg: string;
	expiresAt: string;
}

export type CardTarget = { classId: number } | { learnerId: number };

interface Learner {
	id: number;
	givenName: string;
	familyName: string;
	className: string | null;
}

const NOT_YOUR_CLASS = 'You can print sign-in cards only for the classes you teach.';

/** Does `issuer` teach `classId`? (Admins may print for every class of their school.) */
async function teaches(db: DB, issuer: SessionUser, classId: number): Promise<boolean> {
	if (hasRole(issuer, 'admin')) return true;
	// Taught now: a card is a way to sign in as the child, so last year's archived class gives none.
	const row = await db
		.selectFrom('class_teachers')
		.innerJoin('classes', 'classes.id', 'class_teachers.class_id')
		.select('class_teachers.class_id')
		.where('class_teachers.class_id', '=', classId)
		.where('class_teachers.teacher_id', '=', issuer.id)
		.where('classes.archived', '=', 0)
		.executeTakeFirst();
	return Boolean(row);
}

/**
 * The active students the cards are for, in the order a teacher hands them out, after checking the
 * issuer may print them: another school's class or person is missing (404), a class or learner
 * the teacher does not teach is forbidden (403).
 */
async function learnersFor(
	db: DB,
	issuer: SessionUser,
	target: CardTarget
): Promise<{ learners: Learner[]; scope: { entityType: string; entityId: string } }> {
	const schoolId = issuer.schoolId;
	if ('classId' in target) {
		const schoolClass = await db
			.selectFrom('classes')
			.select(['id', 'name'])
			.where('id', '=', target.classId)
			.where('school_id', '=', schoolId)
			.executeTakeFirst();
		if (!schoolClass)
			throw new Refusal('That class does not exist, or is not in your school.', 404);
		if (!(await teaches(db, issuer, schoolClass.id))) throw new Refusal(NOT_YOUR_CLASS, 403);
		const rows = await db
			.selectFrom('enrolments')
			.innerJoin('users', 'users.id', 'enrolments.learner_id')
			.innerJoin('memberships', 'memberships.user_id', 'users.id')
			.select(['users.id', 'users.given_name', 'users.family_name'])
			.where('enrolments.class_id', '=', schoolClass.id)
			.where('memberships.school_id', '=', schoolId)
			.where('memberships.role', '=', 'student')
			.where('users.active', '=', 1)
			.where(({ not, exists, selectFrom }) =>
				not(
					exists(
						selectFrom('memberships as staff')
							.select('staff.id')
							.whereRef('staff.user_id', '=', 'users.id')
							.where('staff.role', 'in', ['teacher', 'admin'])
					)
				)
			)
			.orderBy('users.family_name')
			.orderBy('users.given_name')
			.orderBy('users.id')
			.execute();
		return {
			learners: rows.map((r) => ({
				id: r.id,
				givenName: r.given_name,
				familyName: r.family_name,
				className: schoolClass.name
			})),
			scope: { entityType: 'class', entityId: String(schoolClass.id) }
		};
	}
	const person = await db
		.selectFrom('users')
		.innerJoin('memberships', 'memberships.user_id', 'users.id')
		.select(['users.id', 'users.given_name', 'users.family_name', 'users.active'])
		.select(joinedText(db, sql.ref<string>('memberships.role'), ',').as('roles'))
		.where('users.id', '=', target.learnerId)
		.where('memberships.school_id', '=', schoolId)
		.groupBy('users.id')
		.executeTakeFirst();
	if (!person) throw new Refusal('That person does not exist, or is not in your school.', 404);
	const roles = person.roles.split(',');
	if (!roles.includes('student') || roles.includes('teacher') || roles.includes('admin'))
		throw new Refusal(
			'Sign-in cards are for students only: a card for a teacher’s or an admin’s account would open the whole class or school to whoever picks it up.',
			400
		);
	const classes = await db
		.selectFrom('enrolments')
		.innerJoin('classes', 'classes.id', 'enrolments.class_id')
		.select(['classes.id', 'classes.name'])
		.where('enrolments.learner_id', '=', person.id)
		.where('classes.school_id', '=', schoolId)
		.orderBy('classes.name')
		.execute();
	const issuable = [];
	for (const c of classes) if (await teaches(db, issuer, c.id)) issuable.push(c);
	if (!hasRole(issuer, 'admin') && issuable.length === 0) throw new Refusal(NOT_YOUR_CLASS, 403);
	if (person.active !== 1)
		throw new Refusal('This account is deactivated: reactivate it before printing a card.', 409);
	// The card names a class of the issuer's (for a teacher), else the learner's first.
	const firstClass = issuable[0];
	return {
		learners: [
			{
				id: person.id,
				givenName: person.given_name,
				familyName: person.family_name,
				className: firstClass?.name ?? null
			}
		],
		scope: { entityType: 'user', entityId: String(person.id) }
	};
}

/** A code no live card has (two live cards sharing one could not be told apart). */
async function freshCode(trx: Transaction<Database>, key: Buffer, now: string) {
	for (;;) {
		const code = randomCardCode(() => randomBytes(1)[0]!);
		const digest = codeDigest(key, code);
		const taken = await trx
			.selectFrom('sign_in_cards')
			.select('id')
			.where('code_hash', '=', digest)
			.where('used_at', 'is', null)
			.where('revoked_at', 'is', null)
			.where('expires_at', '>', now)
			.executeTakeFirst();
		if (!taken) return { code, digest };
	}
}

/**
 * New cards for a class's students or for one student, revoking each one's earlier unused cards,
 * with an audit entry of how many (never what is on them). `origin` is where the links point.
 */
export async function issueSignInCards(
	db: DB,
	issuer: SessionUser,
	target: CardTarget,
	lifetime: CardLifetime,
	origin: string,
	now = new Date()
): Promise<{ cards: PrintedCard[] }> {
	if (!hasRole(issuer, 'admin', 'teacher'))
		throw new Refusal('Only teachers and the school’s admins print sign-in cards.', 403);
	const { learners, scope } = await learnersFor(db, issuer, target);
	if (learners.length === 0)
		throw new Refusal(
			'This class has no active students yet: enrol some before printing cards.',
			409
		);
	const key = await codeKey(db);
	const nowIso = now.toISOString();
	const expiresAt = cardExpiry(lifetime, now).toISOString();
	const issued = await db.transaction().execute(async (trx) => {
		const ids = learners.map((l) => l.id);
		const revoked = await trx
			.updateTable('sign_in_cards')
			.set({ revoked_at: nowIso })
			.where('learner_id', 'in', ids)
			.where('used_at', 'is', null)
			.where('revoked_at', 'is', null)
			.where('expires_at', '>', nowIso)
			.executeTakeFirst();
		await trx
			.deleteFrom('sign_in_cards')
			.where('expires_at', '<', new Date(now.getTime() - KEEP_ENDED_CARDS_MS).toISOString())
			.execute();
		const made: { learner: Learner; token: string; code: string }[] = [];
		for (const learner of learners) {
			const token = generateSessionToken();
			const { code, digest } = await freshCode(trx, key, nowIso);
			await trx
				.insertInto('sign_in_cards')
				.values({
					token_hash: tokenDigest(token),
					code_hash: digest,
					learner_id: learner.id,
					school_id: issuer.schoolId,
					issued_by: issuer.id,
					created_at: nowIso,
					expires_at: expiresAt
				})
				.execute();
			made.push({ learner, token, code });
		}
		await recordAudit(trx, {
			schoolId: issuer.schoolId,
			actorId: issuer.id,
			action: 'sign_in_cards.issue',
			...scope,
			after: {
				cards: made.length,
				lifetime: CARD_LIFETIMES[lifetime].label,
				expiresAt,
				earlierCardsEnded: Number(revoked.numUpdatedRows)
			}
		});
		return made;
	});
	const cards = await Promise.all(
		issued.map(async ({ learner, token, code }) => {
			const link = `${origin}/login/card/${token}`;
			return {
				learnerId: learner.id,
				name: cardName(learner.givenName, learner.familyName),
				className: learner.className,
				link,
				code: formatCardCode(code),
				qrSvg: await QRCode.toString(link, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 }),
				expiresAt
			};
		})
	);
	return { cards };
}

/** What the card's link may show before it is used: whose it is. Null for any card that is not live. */
export async function cardAtLink(
	db: DB,
	token: string,
	now = new Date()
): Promise<{ name: string } | null> {
	const card = await db
		.selectFrom('sign_in_cards')
		.innerJoin('users', 'users.id', 'sign_in_cards.learner_id')
		.select(['users.given_name', 'users.family_name'])
		.where('sign_in_cards.token_hash', '=', tokenDigest(token))
		.where('sign_in_cards.used_at', 'is', null)
		.where('sign_in_cards.revoked_at', 'is', null)
		.where('sign_in_cards.expires_at', '>', now.toISOString())
		.where('users.active', '=', 1)
		.executeTakeFirst();
	return card ? { name: cardName(card.given_name, card.family_name) } : null;
}

export interface CardSignIn {
	token: string;
	session: Session;
	userId: number;
}

/**
 * Spends a live card and opens a session for its learner, in one transaction: the UPDATE that
 * spends it is the check (used, revoked and expired cards match nothing), so of two uses at once
 * one wins. A learner deactivated, or no longer a student of the school, since the card was printed
 * is refused and the card is left as it was.
 */
async function spendCard(
	db: DB,
	which: { token_hash: string } | { code_hash: string },
	now: Date
): Promise<CardSignIn | null> {
	const nowIso = now.toISOString();
	const column = 'token_hash' in which ? 'token_hash' : 'code_hash';
	const digest = 'token_hash' in which ? which.token_hash : which.code_hash;
	const notAStudent = new Error('not a student any more');
	try {
		return await db.transaction().execute(async (trx) => {
			const spent = await trx
				.updateTable('sign_in_cards')
				.set({ used_at: nowIso })
				.where('id', '=', (eb) =>
					eb
						.selectFrom('sign_in_cards')
						.select('id')
						.where(column, '=', digest)
						.where('used_at', 'is', null)
						.where('revoked_at', 'is', null)
						.where('expires_at', '>', nowIso)
						.limit(1)
				)
				.where('used_at', 'is', null)
				.returning(['learner_id', 'school_id'])
				.executeTakeFirst();
			if (!spent) return null;
			const roles = await trx
				.selectFrom('memberships')
				.innerJoin('users', 'users.id', 'memberships.user_id')
				.select(['memberships.role', 'memberships.school_id'])
				.where('users.id', '=', spent.learner_id)
				.where('users.active', '=', 1)
				.execute();
			const isStudentThere = roles.some(
				(r) => r.role === 'student' && r.school_id === spent.school_id
			);
			if (!isStudentThere || roles.some((r) => r.role !== 'student')) throw notAStudent;
			const token = generateSessionToken();
			const session = await createSession(trx, token, spent.learner_id, now, 'card');
			return { token, session, userId: spent.learner_id };
		});
	} catch (problem) {
		if (problem === notAStudent) return null;
		throw problem;
	}
}

/** The card's link (the QR code), after the learner pressed Continue. */
export function signInWithCardLink(db: DB, token: string, now = new Date()) {
	return spendCard(db, { token_hash: tokenDigest(token) }, now);
}

export type CardCodeOutcome =
	| { kind: 'signed-in'; signIn: CardSignIn }
	| { kind: 'refused' }
	| { kind: 'not-a-code' }
	| { kind: 'delayed'; retryAfterSeconds: number };

/**
 * The typed code, under the sign-in delays (rate-limit.ts) counted per address: five wrong codes
 * in an hour from one address, then 1 s, 2 s, 4 s … (at most 5 minutes) after each further miss;
 * a right code clears that address's count, so a class's typos do not pile up. The per-username
 * rule is left out on purpose: all codes share one name, so it would let one guesser slow every
 * school's codes.
 */
export async function signInWithCardCode(
	db: DB,
	typed: string,
	from: AttemptOrigin,
	now = new Date()
): Promise<CardCodeOutcome> {
	const code = normaliseCardCode(typed);
	if (!code) return { kind: 'not-a-code' };
	const key = await codeKey(db);
	const reservation = await reserveAttempt(
		db,
		{ username: CARD_CODE_ATTEMPTS, ip: from.ip, device: null },
		now,
		// Only the address rule, which was made for a school's one shared address: every code shares
		// one name, so the pair rule (5 free, then up to 5 minutes) would let one child's typos make
		// a whole school wait. A guess still finds a live card once in 2^40 / (cards live) tries.
		['address']
	);
	if (reservation.kind === 'delayed') return reservation;
	const signIn = await spendCard(db, { code_hash: codeDigest(key, code) }, now);
	await settleAttempt(db, reservation.attemptId, signIn !== null);
	return signIn ? { kind: 'signed-in', signIn } : { kind: 'refused' };
}

/** A learner's cards for their data export: when issued, until when, whether used (no digests). */
export function learnerCards(db: DB, learnerId: number) {
	return db
		.selectFrom('sign_in_cards')
		.select(['created_at', 'expires_at', 'used_at', 'revoked_at'])
		.where('learner_id', '=', learnerId)
		.orderBy('id')
		.execute();
}

/** The expiry as printed, in the server's time zone (named, since the card travels). */
export const cardExpiryText = (iso: string) =>
	new Intl.DateTimeFormat('en-GB', {
		weekday: 'short',
		day: 'numeric',
		month: 'short',
		hour: '2-digit',
		minute: '2-digit',
		timeZoneName: 'short'
	}).format(new Date(iso));

/** Where a device without a camera types a card's code, as the card prints it. */
export const cardAddressFor = (url: URL) => `${url.host}/login/card`;

/**
 * A print action's answer: the new cards, for the page to render once. It is the only place their
 * links and codes appear, on a signed-in page the hook marks private, no-store; printing again
 * means new cards.
 */
export async function printSignInCards(
	db: DB,
	issuer: SessionUser,
	target: CardTarget,
	lifetime: CardLifetime,
	url: URL
) {
	const { cards } = await issueSignInCards(db, issuer, target, lifetime, url.origin);
	return { ok: true as const, cards, lifetime, expiresText: cardExpiryText(cards[0]!.expiresAt) };
}
