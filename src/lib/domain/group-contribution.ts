/**
 * Group work: members rate each member's contribution, themselves included. Two published methods,
 * side by side, so a teacher can see where they agree:
 *
 * - SPARKPLUS-style factors. SPA = √(ratings received by a member ÷ mean ratings received by all
 *   members); SAPA = √(member's self rating ÷ mean of the peers' ratings of them). SPA > 1: the
 *   team saw more than an equal share; SAPA > 1: the member rates themself above how peers rate
 *   them.
 * - WebPA, its standard algorithm. Each assessor's ratings are turned into fractions of that
 *   assessor's own total (so a generous rater gives no more in all than a strict one), summed per
 *   member, and multiplied by members ÷ raters (WebPA's correction for members who did not rate),
 *   so the scores average 1 whoever rated.
 *
 * That correction keeps the average, but it does not make silence neutral for the one who is
 * silent: a member whose peers, on average, give them a larger share than they would give
 * themselves scores higher by not rating. So nothing here claims otherwise; the words the
 * teacher reads are `CONTRIBUTION_RULES` below (the groups page and docs/PEER-AND-MODERATION.md
 * say the same, and a unit test holds them to WebPA's published worked example). Teachers can
 * set a non-completion penalty per task, as WebPA and Moodle's Peer Work plugin offer: that
 * percentage comes off a non-submitter's WebPA score.
 *
 * When nobody in the group rated, no score is computed (null), never a default of 1.
 */

/** What the groups page and the docs say is computed, in one place. */
export const CONTRIBUTION_RULES = {
	webpa:
		'WebPA (its standard algorithm): each rater’s ratings become fractions of that rater’s own total; a member’s score is the sum of the fractions they received × (members ÷ raters). Scores average 1, whoever rated.',
	silence:
		'Not rating can raise a member’s own score. The members ÷ raters correction keeps the average at 1, but a member whose peers, on average, give them a larger share than they would give themselves scores higher by not rating (in WebPA’s published worked example Claire’s score rises from 1.119 to 1.158 if she does not rate). Likewise “mean rating received” is a mean over those who rated, so a member who would rate themself below their peers’ mean of them has a higher mean by not rating.',
	nonSubmitters:
		'A member who gives no ratings is still rated by the others, has no SAPA (no self rating) and is flagged.',
	penalty:
		'Non-completion penalty (set in the task settings, 0–100%): a non-submitter’s WebPA score × (1 − penalty ÷ 100), worked out from the score to 3 decimals. Members who rated are not changed, so with a penalty the scores average less than 1.'
} as const;

export interface ContributionRating {
	raterId: number;
	rateeId: number;
	rating: number;
}

export interface MemberContribution {
	memberId: number;
	submitted: boolean;
	/** mean rating received (from submitters, self included when the member submitted) */
	meanReceived: number | null;
	spa: number | null;
	sapa: number | null;
	/** the WebPA score, after the non-completion penalty when the member did not rate */
	webpa: number | null;
	/** the sum of the member's own ratings (null when they gave none) */
	givenTotal: number | null;
	/** the working of WebPA: each counted rating received, over that rater's total */
	webpaFractions: { raterId: number; rating: number; raterTotal: number }[];
	/** the sum of those fractions, before × members ÷ raters */
	webpaFractionSum: number;
	/** the WebPA score before any penalty (equal to `webpa` for a member who rated) */
	webpaBeforePenalty: number | null;
	/** true when the penalty was taken off this member's score */
	penalised: boolean;
}

export interface GroupContribution {
	members: MemberContribution[];
	submitters: number;
	/** raters whose ratings count in WebPA (a rater who gave only zeros says nothing about shares) */
	webpaRaters: number;
	/** the non-completion penalty applied, in percent (0 = none) */
	penaltyPercent: number;
	/** ratings ignored: raters or ratees outside the group, negative or non-finite ratings */
	ignored: number;
}

const round3 = (n: number) => Math.round(n * 1000) / 1000;

/**
 * `penaltyPercent` is the task's non-completion penalty (0–100; anything outside is clamped, a
 * non-number counts as 0). It is applied to the score as shown, to 3 decimals, so the working on
 * the page multiplies out exactly.
 */
export function groupContribution(
	memberIds: readonly number[],
	ratings: readonly ContributionRating[],
	penaltyPercent = 0
): GroupContribution {
	const penalty = Number.isFinite(penaltyPercent) ? Math.min(100, Math.max(0, penaltyPercent)) : 0;
	const members = new Set(memberIds);
	const valid = ratings.filter(
		(r) =>
			members.has(r.raterId) && members.has(r.rateeId) && Number.isFinite(r.rating) && r.rating >= 0
	);
	const ignored = ratings.length - valid.length;
	const submitters = new Set(memberIds.filter((id) => valid.some((r) => r.raterId === id)));

	const meanReceived = new Map<number, number | null>();
	for (const id of memberIds) {
		const received = valid.filter((r) => r.rateeId === id).map((r) => r.rating);
		meanReceived.set(
			id,
			received.length ? received.reduce((s, v) => s + v, 0) / received.length : null
		);
	}
	const known = [...meanReceived.values()].filter((v): v is number => v !== null);
	const teamMean = known.length ? known.reduce((s, v) => s + v, 0) / known.length : 0;

	// Each rater's total: their ratings become fractions of it. All zeros says nothing about
	// shares, so such a rater does not count in WebPA.
	const raterTotals = new Map<number, number>();
	for (const raterId of submitters) {
		const total = valid.filter((r) => r.raterId === raterId).reduce((s, r) => s + r.rating, 0);
		if (total > 0) raterTotals.set(raterId, total);
	}
	const contributingRaters = raterTotals.size;
	const scale = contributingRaters > 0 ? memberIds.length / contributingRaters : 0;

	return {
		submitters: submitters.size,
		webpaRaters: contributingRaters,
		penaltyPercent: penalty,
		ignored,
		members: memberIds.map((memberId) => {
			const received = meanReceived.get(memberId) ?? null;
			const self = valid.find((r) => r.raterId === memberId && r.rateeId === memberId)?.rating;
			const fromPeers = valid
				.filter((r) => r.rateeId === memberId && r.raterId !== memberId)
				.map((r) => r.rating);
			const peerMean = fromPeers.length
				? fromPeers.reduce((s, v) => s + v, 0) / fromPeers.length
				: null;
			const submitted = submitters.has(memberId);
			const webpaFractions = valid
				.filter((r) => r.rateeId === memberId && raterTotals.has(r.raterId))
				.map((r) => ({
					raterId: r.raterId,
					rating: r.rating,
					raterTotal: raterTotals.get(r.raterId)!
				}));
			const fractionSum = webpaFractions.reduce((s, f) => s + f.rating / f.raterTotal, 0);
			const before = contributingRaters === 0 ? null : round3(fractionSum * scale);
			const penalised = !submitted && before !== null && penalty > 0;
			return {
				memberId,
				submitted,
				meanReceived: received === null ? null : round3(received),
				spa: received === null || teamMean <= 0 ? null : round3(Math.sqrt(received / teamMean)),
				sapa:
					self === undefined || peerMean === null || peerMean <= 0
						? null
						: round3(Math.sqrt(self / peerMean)),
				webpa: penalised ? round3(before! * (1 - penalty / 100)) : before,
				givenTotal: submitted
					? valid.filter((r) => r.raterId === memberId).reduce((s, r) => s + r.rating, 0)
					: null,
				webpaFractions,
				webpaFractionSum: round3(fractionSum),
				webpaBeforePenalty: before,
				penalised
			};
		})
	};
}
