import { requireRole } from '$lib/server/auth/guards';
import { requireTaskToLearn } from '$lib/server/auth/task-guards';
import { getDb } from '$lib/server/db/connection';
import {
	learnerAssessmentView,
	submitSelfAssessment,
	withdrawSelfAssessment
} from '$lib/server/assessment/self-assessment';
import { addEvidence, removeEvidence, type EvidenceInput } from '$lib/server/assessment/evidence';
import { Refusal } from '$lib/server/errors';
import { actOn, idParam } from '$lib/server/http';
import { evidenceSchema } from '$lib/schemas/assessment';
import { idSchema } from '$lib/schemas/people';
import { askToConfirm, formFields, isConfirmed } from '$lib/schemas/forms';
import { CONTRIBUTION_LEVELS, myGroup, saveContributionRatings } from '$lib/server/peer/groups';
import { z } from 'zod';
import { flagPeerReview } from '$lib/server/peer/flags';
import type { Actions, PageServerLoad, RequestEvent } from './$types';

/**
 * Guard first: the learner, and a task of their class, before any input is read. The services are
 * handed the checked task, so they do not check it again.
 */
async function learnerAndTask(event: RequestEvent) {
	const learner = requireRole(event, 'student');
	const task = await requireTaskToLearn(getDb(), learner, idParam(event.params.taskId, 'task'));
	return { learner, task };
}

export const load: PageServerLoad = async (event) => {
	const learner = requireRole(event, 'student');
	const db = getDb();
	const view = await learnerAssessmentView(db, learner, idParam(event.params.taskId, 'task'));
	return {
		...view,
		team: view.task.groupTask ? await myGroup(db, learner, view.task.id) : null,
		contributionLevels: CONTRIBUTION_LEVELS
	};
};

const flagSchema = z.object({
	label: z.string().trim().min(1).max(40),
	reason: z.string().max(500, 'Keep the reason under 500 characters.').default('')
});

const teamRatingsSchema = z
	.array(
		z.object({
			rateeId: idSchema,
			rating: z.coerce.number().int().min(1, 'Choose a level for everyone.').max(5)
		})
	)
	.min(1);

export const actions: Actions = {
	/** "Tell my teacher" about a peer review of this work. */
	flagReview: async (event) => {
		const { learner, task } = await learnerAndTask(event);
		const form = formFields(await event.request.formData());
		return actOn(async () => {
			const { label, reason } = flagSchema.parse(form);
			await flagPeerReview(getDb(), learner, task, label, reason);
			return { ok: true, message: 'Your teacher has been told. They will look at the review.' };
		});
	},
	submit: async (event) => {
		const { learner, task } = await learnerAndTask(event);
		if (!isConfirmed(await event.request.formData())) return askToConfirm();
		return actOn(async () => {
			await submitSelfAssessment(getDb(), learner, task);
			return {
				ok: true,
				message:
					'Submitted. Your teacher can now see your self-assessment. You can take it back until they start marking.'
			};
		});
	},
	// Taking back is itself the undo, so it is not asked again.
	withdraw: async (event) => {
		const { learner, task } = await learnerAndTask(event);
		return actOn(async () => {
			await withdrawSelfAssessment(getDb(), learner, task);
			return {
				ok: true,
				message: 'Taken back. You can change your self-assessment and submit it again.'
			};
		});
	},
	addEvidence: async (event) => {
		const { learner, task } = await learnerAndTask(event);
		const form = await event.request.formData();
		return actOn(async () => {
			const fields = evidenceSchema.parse(formFields(form));
			let input: EvidenceInput;
			if (fields.kind === 'file') {
				const file = form.get('file');
				if (!(file instanceof File) || file.size === 0)
					throw new Refusal('Choose a file to upload.');
				input = { kind: 'file', title: fields.title, file };
			} else input = fields;
			await addEvidence(getDb(), learner, task, input);
			return { ok: true, message: 'Evidence added.' };
		});
	},
	rateTeam: async (event) => {
		const { learner, task } = await learnerAndTask(event);
		const form = await event.request.formData();
		return actOn(async () => {
			const ratings = teamRatingsSchema.parse(
				[...form.keys()]
					.filter((k) => k.startsWith('rating-'))
					.map((k) => ({ rateeId: k.slice('rating-'.length), rating: form.get(k) }))
			);
			await saveContributionRatings(getDb(), learner, task, ratings);
			return {
				ok: true,
				message:
					'Thank you: your team ratings are saved. You can change them until your teacher closes the task.'
			};
		});
	},
	removeEvidence: async (event) => {
		const { learner, task } = await learnerAndTask(event);
		const form = await event.request.formData();
		return actOn(async () => {
			await removeEvidence(getDb(), learner, task, idSchema.parse(form.get('evidenceId')));
			return { ok: true, message: 'Evidence removed.' };
		});
	}
};
