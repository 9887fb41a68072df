import { z } from 'zod';
import { requireRole } from '$lib/server/auth/guards';
import { requireTaskToTeach } from '$lib/server/auth/task-guards';
import { getDb } from '$lib/server/db/connection';
import {
	addPeerPair,
	allocatePeers,
	peerOverview,
	removePeerPair,
	setReviewExcluded
} from '$lib/server/peer/allocation';
import { actOn, idParam } from '$lib/server/http';
import { idSchema } from '$lib/schemas/people';
import { formFields } from '$lib/schemas/forms';
import type { Actions, PageServerLoad, RequestEvent } from './$types';

export const load: PageServerLoad = async (event) => {
	const teacher = requireRole(event, 'teacher', 'admin');
	return peerOverview(getDb(), teacher, idParam(event.params.taskId, 'task'));
};

/**
 * Guard first (teacher of this task's class), then read the form; the services are handed the
 * checked task.
 */
async function teacherOfTask(event: RequestEvent) {
	const teacher = requireRole(event, 'teacher', 'admin');
	const task = await requireTaskToTeach(getDb(), teacher, idParam(event.params.taskId, 'task'));
	return { teacher, task, fields: formFields(await event.request.formData()) };
}

const pairSchema = z.object({ reviewerId: idSchema, revieweeId: idSchema });
const exclusionSchema = z.object({
	allocationId: idSchema,
	reason: z.string().trim().max(500, 'Keep the reason under 500 characters.').default('')
});

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** What the allocation did, in the teacher's words: the work allocated and the work still to come. */
function allocationMessage({
	pairs,
	works,
	waiting,
	shortfalls
}: Awaited<ReturnType<typeof allocatePeers>>) {
	const done =
		works === 0
			? 'No submitted work to allocate yet.'
			: `Allocated ${plural(pairs, 'review', 'reviews')} of ${plural(works, 'submitted piece', 'submitted pieces')} of work.`;
	const later = waiting
		? ` ${plural(waiting, 'learner has', 'learners have')} not submitted yet: each is given reviewers on submitting.`
		: '';
	const short = shortfalls
		? ` ${plural(shortfalls, 'piece', 'pieces')} of work ${shortfalls === 1 ? 'has' : 'have'} fewer reviewers than asked for now (too few in the class or group have submitted): more are added as others submit.`
		: '';
	return done + later + short;
}

export const actions: Actions = {
	allocate: async (event) => {
		const { teacher, task } = await teacherOfTask(event);
		// The page's ActionNotice puts the message (either way) beside the button that caused it.
		return actOn(async () => {
			const result = await allocatePeers(getDb(), teacher, task);
			return { ok: true, message: allocationMessage(result) };
		});
	},
	addPair: async (event) => {
		const { teacher, task, fields } = await teacherOfTask(event);
		return actOn(async () => {
			const { reviewerId, revieweeId } = pairSchema.parse(fields);
			await addPeerPair(getDb(), teacher, task, reviewerId, revieweeId);
			return { ok: true, message: 'Reviewer added.' };
		});
	},
	removePair: async (event) => {
		const { teacher, task, fields } = await teacherOfTask(event);
		return actOn(async () => {
			await removePeerPair(getDb(), teacher, task, idSchema.parse(fields.allocationId));
			return { ok: true, message: 'Reviewer removed.' };
		});
	},
	exclude: async (event) => {
		const { teacher, task, fields } = await teacherOfTask(event);
		return actOn(async () => {
			const { allocationId, reason } = exclusionSchema.parse(fields);
			await setReviewExcluded(getDb(), teacher, task, allocationId, true, reason);
			return { ok: true, message: 'Review excluded from the peer consensus.' };
		});
	},
	include: async (event) => {
		const { teacher, task, fields } = await teacherOfTask(event);
		return actOn(async () => {
			await setReviewExcluded(
				getDb(),
				teacher,
				task,
				idSchema.parse(fields.allocationId),
				false,
				''
			);
			return { ok: true, message: 'Review counted again.' };
		});
	}
};
