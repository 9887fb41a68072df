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
 * count; the numbers left out are reported so the reader sees what the figure rests on.
 */
export function peerConsensus(
	bands: Bands,
	reviews: readonly PeerReviewValue[]
): PeerConsensus | null {
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
