/**
 * Group work: members rate each member's contribution, themselves included. Two published methods,
 * side by side, so a teacher can see where they agree:
 *
 * - SPARKPLUS-style factors. SPA = √(ratings received by a member ÷ mean ratings received by all
 *   members); SAPA = √(member's self rating ÷ mean of the peers' ratings of them). SPA > 1: the
 *   team saw more than an equal share; SAPA > 1: the member rates themself above how peers rate
 *   them.
 * - WebPA. Each assessor's ratings are turned into fractions of that assessor's own total (so a
 *   generous rater gives no more in all than a strict one) and summed per member; with everyone
 *   submitting the scores average 1.
 *
 * Non-submitter rule (both methods): a member who gives no ratings is still rated by the others,
 * and nobody gains from anyone's silence.
 *   · "Ratings received" are means over the raters who did submit, not sums, so a member is not
 *     marked down because someone else stayed silent, and the silent member is not lifted or
 *     lowered by having no self rating in their own total.
 *   · WebPA scores are multiplied by n ÷ (number of submitters), WebPA's own correction, so the
 *     average score stays 1 whoever submitted.
 *   · A non-submitter has no SAPA (no self rating) and is flagged to the teacher.
 *   · When nobody in the group submitted, no score is computed (null), never a default of 1.
 */

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
	webpa: number | null;
}

export interface GroupContribution {
	members: MemberContribution[];
	submitters: number;
	/** ratings ignored: raters or ratees outside the group, negative or non-finite ratings */
	ignored: number;
}

const round3 = (n: number) => Math.round(n * 1000) / 1000;

export function groupContribution(
	memberIds: readonly number[],
	ratings: readonly ContributionRating[]
): GroupContribution {
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

	const webpaRaw = new Map<number, number>(memberIds.map((id) => [id, 0]));
	for (const raterId of submitters) {
		const given = valid.filter((r) => r.raterId === raterId);
		const total = given.reduce((s, r) => s + r.rating, 0);
		if (total <= 0) continue; // all zeros says nothing about shares
		for (const r of given) webpaRaw.set(r.rateeId, webpaRaw.get(r.rateeId)! + r.rating / total);
	}
	const contributingRaters = [...submitters].filter(
		(id) => valid.filter((r) => r.raterId === id).reduce((s, r) => s + r.rating, 0) > 0
	).length;
	const scale = contributingRaters > 0 ? memberIds.length / contributingRaters : 0;

	return {
		submitters: submitters.size,
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
			return {
				memberId,
				submitted: submitters.has(memberId),
				meanReceived: received === null ? null : round3(received),
				spa: received === null || teamMean <= 0 ? null : round3(Math.sqrt(received / teamMean)),
				sapa:
					self === undefined || peerMean === null || peerMean <= 0
						? null
						: round3(Math.sqrt(self / peerMean)),
				webpa: contributingRaters === 0 ? null : round3(webpaRaw.get(memberId)! * scale)
			};
		})
	};
}
