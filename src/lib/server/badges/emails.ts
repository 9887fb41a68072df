import { randomBytes } from 'node:crypto';
import type { DB } from '../db/connection';
import type { SessionUser } from '../auth/sessions';
import { recordAudit } from '../audit';
import { Refusal } from '../errors';
import { normalisedEmail, ob2Recipient } from '../../domain/badge-credential';

/**
 * E-mail addresses in Open Badges 2.0: the learner's, which a backpack matches an assertion by,
 * and the school's contact address, which a 2.0 issuer profile names.
 */

export const BADGE_EMAIL_CHOICES = ['school', 'own', 'none'] as const;
export type BadgeEmailChoice = (typeof BADGE_EMAIL_CHOICES)[number];

/** The address a learner's assertions are hashed from, as they chose; null: none (display only). */
export function chosenBadgeEmail(learner: {
	email: string | null;
	badge_email: string | null;
	badge_email_choice: BadgeEmailChoice;
}): string | null {
	const address =
		learner.badge_email_choice === 'school'
			? learner.email
			: learner.badge_email_choice === 'own'
				? learner.badge_email
				: null;
	return address?.trim() ? normalisedEmail(address) : null;
}

export async function badgeEmailOf(db: DB, learnerId: number) {
	const row = await db
		.selectFrom('users')
		.select(['email', 'badge_email', 'badge_email_choice'])
		.where('id', '=', learnerId)
		.executeTakeFirstOrThrow();
	return { ...row, chosen: chosenBadgeEmail(row) };
}

/**
 * The learner chooses which address their OB 2.0 assertions carry (the school's, one of their
 * own, or none). Their issued assertions are hosted, so they are rewritten at once with a fresh
 * salt: a backpack re-fetching one sees the new recipient, and a removed address is gone from all
 * of them. (The signed 3.0 credentials name the learner by a hash of their name, never an e-mail,
 * and are not touched.)
 */
export async function setBadgeEmail(
	db: DB,
	learner: SessionUser,
	choice: BadgeEmailChoice,
	ownEmail: string | null
) {
	if (choice === 'own' && !ownEmail) throw new Refusal('Type the e-mail address to use.');
	await db.transaction().execute(async (trx) => {
		await trx
			.updateTable('users')
			.set({
				badge_email_choice: choice,
				// An address of their own is kept only while they use it.
				badge_email: choice === 'own' ? normalisedEmail(ownEmail!) : null
			})
			.where('id', '=', learner.id)
			.execute();
		const row = await trx
			.selectFrom('users')
			.select(['email', 'badge_email', 'badge_email_choice'])
			.where('id', '=', learner.id)
			.executeTakeFirstOrThrow();
		const email = chosenBadgeEmail(row);
		const awards = await trx
			.selectFrom('badge_awards')
			.select(['id', 'identifier', 'ob2_assertion_json'])
			.where('learner_id', '=', learner.id)
			.where('state', 'in', ['issued', 'revoked'])
			.where('ob2_assertion_json', 'is not', null)
			.execute();
		const origin = (json: string) => new URL(JSON.parse(json).id as string).origin;
		for (const award of awards) {
			const salt = randomBytes(8).toString('hex');
			const {
				recipient: _r,
				description: _d,
				...rest
			} = JSON.parse(award.ob2_assertion_json!) as Record<string, unknown>;
			const assertion = {
				...rest,
				...ob2Recipient(origin(award.ob2_assertion_json!), award.identifier, email, salt)
			};
			await trx
				.updateTable('badge_awards')
				.set({ ob2_assertion_json: JSON.stringify(assertion), recipient_salt: salt })
				.where('id', '=', award.id)
				.execute();
		}
		await recordAudit(trx, {
			schoolId: learner.schoolId,
			actorId: learner.id,
			action: 'badge.email',
			entityType: 'user',
			entityId: String(learner.id),
			// Which kind of address, never the address itself.
			after: { choice, assertions: awards.length }
		});
	});
}

/**
 * The school's contact address for OB 2.0 issuer profiles: the school's setting, else the
 * installation's BADGE_CONTACT_EMAIL, else none (and the profile then leaves `email` out).
 */
export function issuerContactEmail(school: { badge_contact_email: string | null }) {
	return school.badge_contact_email || process.env.BADGE_CONTACT_EMAIL?.trim() || null;
}

export async function setSchoolContactEmail(db: DB, admin: SessionUser, email: string | null) {
	await db.transaction().execute(async (trx) => {
		await trx
			.updateTable('schools')
			.set({ badge_contact_email: email ? email.trim() : null })
			.where('id', '=', admin.schoolId)
			.execute();
		await recordAudit(trx, {
			schoolId: admin.schoolId,
			actorId: admin.id,
			action: 'badge.contact-email',
			entityType: 'school',
			entityId: String(admin.schoolId),
			after: { email }
		});
	});
}
