import { z } from 'zod';
import { CARD_LIFETIME_CHOICES } from '../domain/sign-in-cards';
import { idSchema } from './people';

const blankToUndefined = (value: unknown) => (value === '' ? undefined : value);

/** "Print cards": for a whole class, or for one learner (a reissue), for how long. */
export const printCardsSchema = z
	.object({
		classId: z.preprocess(blankToUndefined, idSchema.optional()),
		learnerId: z.preprocess(blankToUndefined, idSchema.optional()),
		// Chosen on every form (the default is preselected there), so an empty post makes no cards.
		lifetime: z.enum(CARD_LIFETIME_CHOICES, { error: 'Choose how long the cards work.' })
	})
	.refine((v) => (v.classId === undefined) !== (v.learnerId === undefined), {
		message: 'Choose the class to print cards for.',
		path: ['classId']
	});

/** The short code typed on a device without a camera (read kindly by normaliseCardCode). */
export const cardCodeSchema = z.object({
	code: z
		.string()
		.trim()
		.min(1, 'Type the code from your card.')
		.max(40, 'That is not a card code.')
});

/** "Print cards" on a teacher's class page: the class is the page's; one learner for a reissue. */
export const printClassCardsSchema = z.object({
	learnerId: z.preprocess(blankToUndefined, idSchema.optional()),
	lifetime: z.enum(CARD_LIFETIME_CHOICES, { error: 'Choose how long the cards work.' })
});
