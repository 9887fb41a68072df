import { z } from 'zod';
import { idSchema } from './people';
import { PEER_ALLOCATIONS, SELF_MARKER_VISIBILITIES } from '../domain/states';

export const checkbox = z.preprocess((v) => v === 'on' || v === 'true' || v === true, z.boolean());
export const optionalDate = z
	.string()
	.trim()
	.max(40)
	.transform((v, ctx) => {
		if (v === '') return null;
		const date = new Date(v.length === 10 ? `${v}T23:59:00Z` : v);
		if (Number.isNaN(date.getTime())) {
			ctx.addIssue({ code: 'custom', message: 'Enter a date like 2026-12-01.' });
			return z.NEVER;
		}
		return date.toISOString();
	});

export const taskSettingsSchema = z
	.object({
		title: z
			.string()
			.trim()
			.min(3, 'Give the task a title of at least 3 characters.')
			.max(120, 'Keep the title under 120 characters.'),
		brief: z.string().max(20_000, 'Keep the brief under 20,000 characters.').default(''),
		dueAt: optionalDate.default(''),
		scaleId: idSchema,
		selfRequiredBeforeRelease: checkbox,
		selfMarkerVisibility: z.enum(SELF_MARKER_VISIBILITIES, {
			error: 'Choose when you see the learner’s own marker.'
		}),
		peerEnabled: checkbox,
		peerReviewersPerLearner: z.coerce
			.number({ error: 'Reviewers per learner must be a number.' })
			.int()
			.min(1, 'At least one reviewer.')
			.max(6, 'At most six reviewers.')
			.default(2),
		peerAllocation: z
			.enum(PEER_ALLOCATIONS, { error: 'Choose how reviewers are allocated.' })
			.default('random'),
		peerAnonymous: checkbox,
		peerOpensAt: optionalDate.default(''),
		peerClosesAt: optionalDate.default(''),
		groupTask: checkbox,
		// An empty field is no penalty: the default, and what a teacher who clears it means.
		nonSubmitterPenaltyPercent: z.preprocess(
			(v) => (v === '' || v === undefined || v === null ? 0 : v),
			z.coerce
				.number({ error: 'The penalty for not rating must be a number.' })
				.int('Give the penalty for not rating as a whole percentage.')
				.min(0, 'The penalty for not rating cannot be below 0%.')
				.max(100, 'The penalty for not rating cannot be above 100%.')
		)
	})
	.refine((t) => !t.peerOpensAt || !t.peerClosesAt || t.peerOpensAt < t.peerClosesAt, {
		message: 'The peer window must close after it opens.',
		path: ['peerClosesAt']
	});
export type TaskSettings = z.infer<typeof taskSettingsSchema>;

export const weightSchema = z.coerce
	.number({ error: 'Weight must be a number.' })
	.min(0.1, 'Weight must be at least 0.1.')
	.max(10, 'Weight must be at most 10.');

export const taskCriterionRef = z.object({ taskCriterionId: idSchema });
