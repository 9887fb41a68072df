import { z } from 'zod';
import { requireRole } from '$lib/server/auth/guards';
import { getDb } from '$lib/server/db/connection';
import { listBadges } from '$lib/server/badges/badges';
import {
	NAME_SHARING,
	askAgainFrom,
	requestBadge,
	setEvidenceSharing,
	setSharedName
} from '$lib/server/badges/awards';
import { BADGE_EMAIL_CHOICES, badgeEmailOf, setBadgeEmail } from '$lib/server/badges/emails';
import { displayName } from '$lib/domain/names';
import { actOn } from '$lib/server/http';
import { idSchema } from '$lib/schemas/people';
import { formFields } from '$lib/schemas/forms';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const learner = requireRole(event, 'student');
	const db = getDb();
	const [badges, mine, badgeEmail] = await Promise.all([
		listBadges(db, learner.schoolId),
		db
			.selectFrom('badge_awards')
			.select([
				'badge_id as badgeId',
				'identifier',
				'state',
				'issued_at as issuedAt',
				'recipient_name as sharedName',
				'show_own_words as showOwnWords',
				'show_teacher_comments as showTeacherComments',
				'identity_salt as identitySalt',
				'declined_at as declinedAt'
			])
			.where('learner_id', '=', learner.id)
			.where('state', 'in', ['requested', 'issued', 'revoked', 'declined'])
			.execute(),
		badgeEmailOf(db, learner.id)
	]);
	return {
		// The addresses the learner can choose for their Open Badges 2.0 assertions.
		badgeEmail: {
			choice: badgeEmail.badge_email_choice,
			school: badgeEmail.email,
			own: badgeEmail.badge_email,
			chosen: badgeEmail.chosen
		},
		// The name the credential's identity hash was made from, for the learner to give with their code.
		hashedName: displayName(learner),
		badges: badges
			.filter((b) => b.active === 1)
			.map(({ id, identifier, name, description, layer, ruleText }) => ({
				id,
				identifier,
				name,
				description,
				layer,
				ruleText,
				award: mine.find((m) => m.badgeId === id && m.state !== 'declined') ?? null,
				// After a decline, the form waits out the cool-down and says until when.
				askAgainFrom: askAgainFrom(
					mine.filter((m) => m.badgeId === id && m.state === 'declined').map((m) => m.declinedAt)
				)
			}))
	};
};

const requestSchema = z.object({
	badgeId: idSchema,
	note: z
		.string()
		.trim()
		.min(1, 'Say why you have earned it, and where your evidence is.')
		.max(2000)
});

/** A ticked box is sent as "on"; an unticked one is not sent at all. */
const tickBox = z
	.literal('on', 'Tick the box or leave it empty.')
	.optional()
	.transform((v) => v === 'on');
const evidenceSharingSchema = z.object({
	identifier: z.string().uuid('That badge is not yours.'),
	ownWords: tickBox,
	teacherComments: tickBox
});

const badgeEmailSchema = z
	.object({
		choice: z.enum(BADGE_EMAIL_CHOICES, 'Choose which e-mail address your badges use.'),
		email: z.string().trim().max(200, 'Keep the address under 200 characters.').optional()
	})
	.transform((v, ctx) => {
		if (v.choice !== 'own') return { choice: v.choice, email: null };
		const parsed = z.email().safeParse(v.email ?? '');
		if (!parsed.success) {
			ctx.addIssue({
				code: 'custom',
				message: 'Type an e-mail address such as name@example.com.',
				path: ['email']
			});
			return z.NEVER;
		}
		return { choice: v.choice, email: parsed.data };
	});

export const actions: Actions = {
	badgeEmail: async (event) => {
		const learner = requireRole(event, 'student');
		const fields = formFields(await event.request.formData());
		return actOn(async () => {
			const { choice, email } = badgeEmailSchema.parse(fields);
			await setBadgeEmail(getDb(), learner, choice, email);
			return {
				ok: true,
				message:
					choice === 'none'
						? 'Saved: your Open Badges 2.0 badges now name no e-mail address; they are for display only.'
						: 'Saved: your Open Badges 2.0 badges now carry this address, hashed, so a backpack using it can match them to you.'
			};
		});
	},
	request: async (event) => {
		const learner = requireRole(event, 'student');
		const fields = formFields(await event.request.formData());
		return actOn(async () => {
			const { badgeId, note } = requestSchema.parse(fields);
			await requestBadge(getDb(), learner, badgeId, note);
			return { ok: true, message: 'Asked: your teacher will look at your evidence.' };
		});
	},
	shareName: async (event) => {
		const learner = requireRole(event, 'student');
		const fields = formFields(await event.request.formData());
		return actOn(async () => {
			const { identifier, choice } = z
				.object({
					identifier: z.string().uuid('That badge is not yours.'),
					choice: z.enum(NAME_SHARING)
				})
				.parse(fields);
			await setSharedName(getDb(), learner, identifier, choice);
			return { ok: true, message: 'Saved: your badge’s public page now shows your name this way.' };
		});
	},
	shareEvidence: async (event) => {
		const learner = requireRole(event, 'student');
		const fields = formFields(await event.request.formData());
		return actOn(async () => {
			const { identifier, ownWords, teacherComments } = evidenceSharingSchema.parse(fields);
			await setEvidenceSharing(getDb(), learner, identifier, { ownWords, teacherComments });
			return {
				ok: true,
				message:
					ownWords || teacherComments
						? 'Saved: your badge’s public page now shows what you chose.'
						: 'Saved: your badge’s public page shows only the task, criteria and band.'
			};
		});
	}
};
