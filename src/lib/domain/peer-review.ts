import { bandGap, valueInBandUnits, type Band } from './scales';
import { formatDateTime } from './dates';

type Bands = readonly Pick<Band, 'minValue'>[];

export { seededRandom } from './random';

function shuffled<T>(items: readonly T[], random: () => number): T[] {
	const copy = [...items];
	for (let i = copy.length - 1; i > 0; i--) {
		const j = Math.floor(random() * (i + 1));
		[copy[i], copy[j]] = [copy[j]!, copy[i]!];
	}
	return copy;
}

export interface Allocation {
	reviewerId: number;
	revieweeId: number;
}

/**
 * Who reviews whom. Learners are put in a random circle and each reviews the next `perLearner`
 * people round it, so everyone gets exactly that many reviewers, everyone does exactly that much
 * reviewing, and nobody reviews themselves. With groups, the circle is drawn inside each group
 * (a group of n can give at most n − 1 reviewers each). Returns the pairs and, per learner, any
 * shortfall a small group forced.
 */
export function allocateReviewers(
	pools: readonly (readonly number[])[],
	perLearner: number,
	random: () => number
): { pairs: Allocation[]; shortfalls: { learnerId: number; got: number }[] } {
	const pairs: Allocation[] = [];
	const shortfalls: { learnerId: number; got: number }[] = [];
	for (const pool of pools) {
		const circle = shuffled([...new Set(pool)], random);
		const reach = Math.min(perLearner, circle.length - 1);
		circle.forEach((reviewerId, i) => {
			for (let step = 1; step <= reach; step++)
				pairs.push({ reviewerId, revieweeId: circle[(i + step) % circle.length]! });
		});
		if (reach < perLearner)
			for (const learnerId of circle) shortfalls.push({ learnerId, got: Math.max(reach, 0) });
	}
	return { pairs, shortfalls };
}

/**
 * Reviewers for work submitted after the teacher allocated (only submitted work is allocated, so
 * late work is topped up as it arrives):
 * 1. the late work gets reviewers up to `perLearner` from the pool's learners doing the fewest
 *    reviews (ties drawn at random), never its own learner, never someone already reviewing it;
 * 2. the late submitter takes on reviews, up to `perLearner` in all, of pool work still short of
 *    reviewers, the shortest first: work submitted while too few had submitted to review it fully
 *    fills up as others arrive.
 * Reviews already given stay where they are (a child's list never loses one), so the balance is
 * kept by who is chosen, not by moving work: a late submitter is first in line for the next late
 * work, and early submitters may do a review or two more than `perLearner`.
 */
export function lateSubmissionPairs(
	learnerId: number,
	/** the others in the learner's pool (class or group) whose work is submitted */
	poolLearnerIds: readonly number[],
	/** every review allocated on the task, by reviewer and reviewee */
	allocations: readonly Allocation[],
	perLearner: number,
	random: () => number
): Allocation[] {
	const pool = [...new Set(poolLearnerIds)].filter((id) => id !== learnerId);
	const load = new Map<number, number>();
	const reviewersOf = new Map<number, Set<number>>();
	const pair = ({ reviewerId, revieweeId }: Allocation) => {
		load.set(reviewerId, (load.get(reviewerId) ?? 0) + 1);
		reviewersOf.set(revieweeId, (reviewersOf.get(revieweeId) ?? new Set()).add(reviewerId));
	};
	allocations.forEach(pair);
	const loadOf = (id: number) => load.get(id) ?? 0;
	const reviewerCount = (id: number) => reviewersOf.get(id)?.size ?? 0;
	const reviews = (reviewerId: number, revieweeId: number) =>
		reviewersOf.get(revieweeId)?.has(reviewerId) ?? false;
	const added: Allocation[] = [];
	const add = (p: Allocation) => {
		added.push(p);
		pair(p);
	};

	const candidates = shuffled(
		pool.filter((id) => !reviews(id, learnerId)),
		random
	).sort((a, b) => loadOf(a) - loadOf(b));
	const need = Math.max(perLearner - reviewerCount(learnerId), 0);
	for (const reviewerId of candidates.slice(0, need)) add({ reviewerId, revieweeId: learnerId });

	const short = shuffled(
		pool.filter((id) => !reviews(learnerId, id) && reviewerCount(id) < perLearner),
		random
	).sort((a, b) => reviewerCount(a) - reviewerCount(b));
	for (const revieweeId of short) {
		if (loadOf(learnerId) >= perLearner) break;
		add({ reviewerId: learnerId, revieweeId });
	}
	return added;
}

/** The first `count` reviewer labels a piece of work does not use yet (a removed pair frees one). */
export function freeReviewerLabels(used: readonly string[], count: number): string[] {
	const taken = new Set(used);
	const labels: string[] = [];
	for (let i = 0; labels.length < count; i++) {
		const label = reviewerLabel(i);
		if (!taken.has(label)) labels.push(label);
	}
	return labels;
}

/** "Reviewer A", "Reviewer B"… in the order reviews were allocated: what a reviewee sees. */
export function reviewerLabel(index: number): string {
	let label = '';
	let n = index;
	do {
		label = String.fromCharCode(65 + (n % 26)) + label;
		n = Math.floor(n / 26) - 1;
	} while (n >= 0);
	return `Reviewer ${label}`;
}

export interface PeerConsensus {
	/** median of the counted reviews: robust to one generous or harsh reviewer */
	median: number;
	min: number;
	max: number;
	/** the spread in bands, from the lowest to the highest counted review */
	spreadBands: number;
	counted: number;
	excluded: number;
	/** allocated reviewers who did not submit */
	missing: number;
}

export interface PeerReviewValue {
	value: number | null;
	submitted: boolean;
	excluded: boolean;
}

export function median(values: readonly number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	const mid = Math.floor(sorted.length / 2);
	return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Peer consensus for one criterion of one learner's work. Only submitted, not excluded reviews
 * count; the numbers left out are reported so the reader sees what the figure rests on. Reviews of
 * work that is not submitted (never handed in, or reopened by the teacher) count for nothing: they
 * judged work that is not there or is being changed, and count again once it is submitted.
 */
export function peerConsensus(
	bands: Bands,
	reviews: readonly PeerReviewValue[],
	workSubmitted: boolean
): PeerConsensus | null {
	if (!workSubmitted) return null;
	const excluded = reviews.filter((r) => r.excluded).length;
	const missing = reviews.filter((r) => !r.excluded && (!r.submitted || r.value === null)).length;
	const counted = reviews
		.filter((r) => !r.excluded && r.submitted && r.value !== null)
		.map((r) => r.value!);
	if (counted.length === 0) return null;
	const min = Math.min(...counted);
	const max = Math.max(...counted);
	return {
		median: median(counted),
		min,
		max,
		spreadBands: bandGap(bands, max, min),
		counted: counted.length,
		excluded,
		missing
	};
}

export interface ReviewerQuality {
	/** mean of |reviewer − teacher| in band units over the criteria both judged */
	meanAbsoluteGap: number;
	/** mean of (reviewer − teacher): positive means generous */
	meanSignedGap: number;
	compared: number;
	verdict: 'close' | 'fair' | 'far';
}

/**
 * How close a reviewer's judgements are to the teacher's on the same work and criteria, in band
 * units (so scales with unequal bands compare fairly). Within half a band on average is close.
 */
export function reviewerQuality(
	bands: Bands,
	pairs: readonly { reviewer: number; teacher: number }[]
): ReviewerQuality | null {
	if (pairs.length === 0) return null;
	const gaps = pairs.map(
		(p) => valueInBandUnits(bands, p.reviewer) - valueInBandUnits(bands, p.teacher)
	);
	const meanAbsoluteGap = gaps.reduce((s, g) => s + Math.abs(g), 0) / gaps.length;
	const meanSignedGap = gaps.reduce((s, g) => s + g, 0) / gaps.length;
	const verdict = meanAbsoluteGap <= 0.5 ? 'close' : meanAbsoluteGap <= 1 ? 'fair' : 'far';
	return {
		meanAbsoluteGap: round2(meanAbsoluteGap),
		meanSignedGap: round2(meanSignedGap),
		compared: pairs.length,
		verdict
	};
}

export const round2 = (n: number) => Math.round(n * 100) / 100;

/** Whether reviewers may work now: the teacher's window, in words for the reviewer. */
export function peerWindow(
	task: { peer_opens_at: string | null; peer_closes_at: string | null },
	now = new Date()
) {
	if (task.peer_opens_at && now < new Date(task.peer_opens_at))
		return { open: false, reason: `Peer review opens on ${formatDateTime(task.peer_opens_at)}.` };
	if (task.peer_closes_at && now > new Date(task.peer_closes_at))
		return { open: false, reason: `Peer review closed on ${formatDateTime(task.peer_closes_at)}.` };
	return {
		open: true,
		reason: task.peer_closes_at ? `Open until ${formatDateTime(task.peer_closes_at)}.` : 'Open.'
	};
}
