import { z } from 'zod';
import { requireRole } from '$lib/server/auth/guards';
import { getDb } from '$lib/server/db/connection';
import {
	badgeWorkbench,
	declineRequest,
	issueBadge,
	issueBadgeToProposed,
	requireIssuableBadge,
	revokeAward
} from '$lib/server/badges/awards';
import { actOn } from '$lib/server/http';
import { idSchema } from '$lib/schemas/people';
import { askToConfirm, formFields, isConfirmed } from '$lib/schemas/forms';
import type { Actions, PageServerLoad } from './$types';

/** `?class=`: whose badges are checked against the rules (a big school's admin chooses one). */
const viewSchema = z.object({ class: idSchema.optional().catch(undefined) });

export const load: PageServerLoad = async (event) => {
	const teacher = requireRole(event, 'teacher', 'admin');
	const view = viewSchema.parse(Object.fromEntries(event.url.searchParams));
	return badgeWorkbench(getDb(), teacher, { classId: view.class });
};

const issueSchema = z.object({ badgeId: idSchema, learnerId: idSchema });
const issueAllSchema = z.object({
	badgeId: idSchema,
	learnerIds: z.array(idSchema).min(1, 'Choose the learners to issue the badge to.').max(500)
});

export const actions: Actions = {
	issue: async (event) => {
		const teacher = requireRole(event, 'teacher', 'admin');
		const form = await event.request.formData();
		return actOn(async () => {
			// Checked before asking: a form that would be refused is refused, not confirmed first.
			const { badgeId, learnerId } = issueSchema.parse(formFields(form));
			await requireIssuableBadge(getDb(), teacher, badgeId);
			if (!isConfirmed(form)) return askToConfirm();
			const identifier = await issueBadge(getDb(), teacher, badgeId, learnerId, event.url.origin);
			return { ok: true, message: 'Badge issued and signed.', identifier };
		});
	},
	issueAll: async (event) => {
		const teacher = requireRole(event, 'teacher', 'admin');
		const form = await event.request.formData();
		return actOn(async () => {
			const { badgeId, learnerIds } = issueAllSchema.parse({
				badgeId: form.get('badgeId'),
				learnerIds: form.getAll('learnerId')
			});
			await requireIssuableBadge(getDb(), teacher, badgeId);
			if (!isConfirmed(form)) return askToConfirm();
			const { issued, leftOut } = await issueBadgeToProposed(
				getDb(),
				teacher,
				badgeId,
				learnerIds,
				event.url.origin
			);
			const rest = leftOut
				? ` ${leftOut} ${leftOut === 1 ? 'was' : 'were'} left out: no longer proposed (issued meanwhile, or the rule is no longer met).`
				: '';
			return {
				ok: true,
				message: `Badge issued and signed for ${issued} learner${issued === 1 ? '' : 's'}.${rest}`
			};
		});
	},
	decline: async (event) => {
		const teacher = requireRole(event, 'teacher', 'admin');
		const fields = formFields(await event.request.formData());
		return actOn(async () => {
			await declineRequest(getDb(), teacher, idSchema.parse(fields.awardId));
			return { ok: true, message: 'Request declined.' };
		});
	},
	revoke: async (event) => {
		const teacher = requireRole(event, 'teacher', 'admin');
		const form = await event.request.formData();
		return actOn(async () => {
			const { identifier, reason } = z
				.object({
					identifier: z.string().uuid('That badge does not exist.'),
					reason: z.string().trim().max(500).default('')
				})
				.parse(formFields(form));
			// The reason is asked with the question (without JavaScript, on the confirmation step).
			if (!isConfirmed(form)) return askToConfirm();
			await revokeAward(getDb(), teacher, identifier, reason);
			return { ok: true, message: 'Badge revoked: its public page now says so.' };
		});
	}
};
