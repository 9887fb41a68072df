import { fail } from '@sveltejs/kit';
import { requireRole } from '$lib/server/auth/guards';
import { getDb } from '$lib/server/db/connection';
import { listSchoolClasses } from '$lib/server/classes/classes';
import { issueSignInCards } from '$lib/server/auth/sign-in-cards';
import { actOn } from '$lib/server/http';
import { printCardsSchema } from '$lib/schemas/sign-in-cards';
import { fieldErrors, formFields } from '$lib/schemas/forms';
import {
	CARD_LIFETIMES,
	CARD_LIFETIME_CHOICES,
	DEFAULT_CARD_LIFETIME
} from '$lib/domain/sign-in-cards';
import type { Actions, PageServerLoad } from './$types';

/** The expiry as printed, in the server's time zone (named, since the card travels). */
const untilText = (iso: string) =>
	new Intl.DateTimeFormat('en-GB', {
		weekday: 'short',
		day: 'numeric',
		month: 'short',
		hour: '2-digit',
		minute: '2-digit',
		timeZoneName: 'short'
	}).format(new Date(iso));

export const load: PageServerLoad = async (event) => {
	const admin = requireRole(event, 'admin');
	const chosen = Number(event.url.searchParams.get('class'));
	return {
		classes: await listSchoolClasses(getDb(), admin.schoolId),
		chosenClassId: Number.isSafeInteger(chosen) && chosen > 0 ? chosen : null,
		lifetimes: CARD_LIFETIME_CHOICES.map((value) => ({
			value,
			label: CARD_LIFETIMES[value].label
		})),
		defaultLifetime: DEFAULT_CARD_LIFETIME,
		cardAddress: `${event.url.host}/login/card`
	};
};

export const actions: Actions = {
	// The answer is the only place the cards' links and codes ever appear (only their digests are
	// stored), on a page the hook marks private, no-store: printing again means new cards.
	print: async (event) => {
		const admin = requireRole(event, 'admin');
		const fields = formFields(await event.request.formData());
		const parsed = printCardsSchema.safeParse(fields);
		if (!parsed.success) return fail(400, fieldErrors(parsed.error));
		const { classId, learnerId, lifetime } = parsed.data;
		return actOn(async () => {
			const { cards } = await issueSignInCards(
				getDb(),
				admin,
				classId !== undefined ? { classId } : { learnerId: learnerId! },
				lifetime,
				event.url.origin
			);
			return {
				ok: true,
				cards,
				lifetime,
				expiresText: untilText(cards[0]!.expiresAt),
				forOneLearner: learnerId !== undefined
			};
		});
	}
};
