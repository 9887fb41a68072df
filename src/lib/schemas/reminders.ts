import { z } from 'zod';
import { idSchema } from './people';
import { checkbox, optionalDate } from './tasks';

/** An empty or absent date field is null: the class's date. */
const ownDate = z.preprocess((v) => v ?? '', optionalDate);

/** A teacher's own words sent with "remind those who have not submitted": short, plain text. */
export const remindSchema = z.object({
	message: z
		.string()
		.trim()
		.max(300, 'Keep the message under 300 characters: it is a reminder, not a letter.')
		.default('')
});

/** Which automatic reminders a task sends (each on by default). */
export const reminderSettingsSchema = z.object({
	beforeDue: checkbox,
	peerOpens: checkbox,
	beforePeerCloses: checkbox
});
export type ReminderSettings = z.infer<typeof reminderSettingsSchema>;

/**
 * An extension for one or several learners of the task's class. An empty date keeps the class's;
 * at least one must be given.
 */
export const extensionSchema = z
	.object({
		learnerIds: z
			.array(idSchema, { error: 'Choose the learners the extension is for.' })
			.min(1, 'Choose at least one learner.')
			.max(500, 'Choose at most 500 learners at once.'),
		dueAt: ownDate,
		peerOpensAt: ownDate,
		peerClosesAt: ownDate,
		reason: z.string().trim().max(300, 'Keep the reason under 300 characters.').default('')
	})
	.refine((e) => e.dueAt || e.peerOpensAt || e.peerClosesAt, {
		message: 'Give a new due date, a peer window date, or both.',
		path: ['dueAt']
	})
	.refine((e) => !e.peerOpensAt || !e.peerClosesAt || e.peerOpensAt < e.peerClosesAt, {
		message: 'The peer window must close after it opens.',
		path: ['peerClosesAt']
	});
export type ExtensionGrant = z.infer<typeof extensionSchema>;

export const removeExtensionSchema = z.object({
	learnerIds: z
		.array(idSchema, { error: 'Choose whose extension to remove.' })
		.min(1, 'Choose whose extension to remove.')
		.max(500)
});
