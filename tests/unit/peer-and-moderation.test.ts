import { describe, expect, it } from 'vitest';
import {
	allocateReviewers,
	freeReviewerLabels,
	lateSubmissionPairs,
	peerConsensus,
	reviewerLabel,
	reviewerQuality,
	seededRandom,
	median
} from '../../src/lib/domain/peer-review';
import { CONTRIBUTION_RULES, groupContribution } from '../../src/lib/domain/group-contribution';
import { bandCounts, isLargeGap, markerAgreement } from '../../src/lib/domain/moderation';
import { DEFAULT_SCHOOL_SCALE } from '../../src/lib/domain/scales';

const bands = DEFAULT_SCHOOL_SCALE.bands; // edges 0 / 20 / 40 / 60 / 80

describe('peer allocation', () => {
	it('gives everyone exactly k reviewers and k reviews, never themselves, reproducibly', () => {
		const learners = Array.from({ length: 13 }, (_, i) => i + 100);
		const { pairs, shortfalls } = allocateReviewers([learners], 3, seededRandom(42));
		expect(shortfalls).toEqual([]);
		expect(pairs).toHaveLength(39);
		for (const id of learners) {
			expect(pairs.filter((p) => p.revieweeId === id)).toHaveLength(3);
			expect(pairs.filter((p) => p.reviewerId === id)).toHaveLength(3);
		}
		expect(pairs.some((p) => p.reviewerId === p.revieweeId)).toBe(false);
		expect(new Set(pairs.map((p) => `${p.reviewerId}>${p.revieweeId}`)).size).toBe(39);
		expect(allocateReviewers([learners], 3, seededRandom(42)).pairs).toEqual(pairs);
	});
	it('allocates within groups and reports where a group is too small', () => {
		const { pairs, shortfalls } = allocateReviewers(
			[
				[1, 2],
				[3, 4, 5]
			],
			2,
			seededRandom(1)
		);
		expect(
			pairs.every((p) =>
				([1, 2].includes(p.reviewerId) ? [1, 2] : [3, 4, 5]).includes(p.revieweeId)
			)
		).toBe(true);
		expect(pairs.filter((p) => p.revieweeId === 1)).toHaveLength(1);
		expect(pairs.filter((p) => p.revieweeId === 4)).toHaveLength(2);
		expect(shortfalls).toEqual(
			expect.arrayContaining([
				{ learnerId: 1, got: 1 },
				{ learnerId: 2, got: 1 }
			])
		);
		expect(allocateReviewers([[7]], 2, seededRandom(1))).toEqual({
			pairs: [],
			shortfalls: [{ learnerId: 7, got: 0 }]
		});
	});
	it('labels reviewers A, B, … Z, AA', () => {
		expect([0, 1, 25, 26, 27].map(reviewerLabel)).toEqual([
			'Reviewer A',
			'Reviewer B',
			'Reviewer Z',
			'Reviewer AA',
			'Reviewer AB'
		]);
	});
});

describe('reviewers for work submitted after the allocation', () => {
	it('takes the fewest-loaded reviewers, never the learner or a reviewer it already has', () => {
		// 1–4 submitted, each reviewed twice; 2 and 3 do three reviews each, 1 and 4 one each.
		const allocations = [
			[2, 1],
			[3, 1],
			[1, 2],
			[3, 2],
			[2, 3],
			[4, 3],
			[2, 4],
			[3, 4]
		].map(([reviewerId, revieweeId]) => ({ reviewerId: reviewerId!, revieweeId: revieweeId! }));
		for (let seed = 1; seed <= 20; seed++) {
			const pairs = lateSubmissionPairs(9, [1, 2, 3, 4], allocations, 2, seededRandom(seed));
			const reviewers = pairs.filter((p) => p.revieweeId === 9).map((p) => p.reviewerId);
			expect(reviewers.sort()).toEqual([1, 4]);
		}
		// A reopened piece resubmitted keeps its reviewer (4) and gets one more, never 4 again.
		const topped = lateSubmissionPairs(
			9,
			[1, 2, 3, 4],
			[...allocations, { reviewerId: 4, revieweeId: 9 }],
			2,
			seededRandom(3)
		);
		expect(topped.filter((p) => p.revieweeId === 9)).toEqual([{ reviewerId: 1, revieweeId: 9 }]);
		// Ties are drawn, not always the first learner.
		const drawn = new Set(
			Array.from(
				{ length: 20 },
				(_, seed) => lateSubmissionPairs(9, [1, 2, 3], [], 1, seededRandom(seed + 1))[0]!.reviewerId
			)
		);
		expect(drawn.size).toBeGreaterThan(1);
	});
	it('the late submitter reviews work still short of reviewers, up to their share', () => {
		// 1 was alone when the teacher allocated (no reviewers); 2 has one; 3 is full.
		const allocations = [
			{ reviewerId: 3, revieweeId: 2 },
			{ reviewerId: 1, revieweeId: 3 },
			{ reviewerId: 2, revieweeId: 3 }
		];
		const pairs = lateSubmissionPairs(9, [1, 2, 3], allocations, 2, seededRandom(5));
		expect(pairs.filter((p) => p.reviewerId === 9)).toEqual([
			{ reviewerId: 9, revieweeId: 1 },
			{ reviewerId: 9, revieweeId: 2 }
		]);
		expect(pairs.filter((p) => p.revieweeId === 9)).toHaveLength(2);
		expect(pairs.some((p) => p.reviewerId === p.revieweeId)).toBe(false);
		// Alone in the pool: nobody to review with, and nothing invented.
		expect(lateSubmissionPairs(9, [9], [], 2, seededRandom(1))).toEqual([]);
	});
	it('a class arriving one by one after the allocation: everyone gets k reviewers, loads stay close', () => {
		for (let seed = 1; seed <= 50; seed++) {
			const random = seededRandom(seed);
			const ids = Array.from({ length: 15 }, (_, i) => i + 1);
			let all = allocateReviewers([ids.slice(0, 3)], 2, random).pairs;
			for (const [i, id] of ids.entries())
				if (i >= 3) all = [...all, ...lateSubmissionPairs(id, ids.slice(0, i), all, 2, random)];
			for (const id of ids) expect(all.filter((p) => p.revieweeId === id)).toHaveLength(2);
			expect(new Set(all.map((p) => `${p.reviewerId}>${p.revieweeId}`)).size).toBe(all.length);
			expect(all.some((p) => p.reviewerId === p.revieweeId)).toBe(false);
			const loads = ids.map((id) => all.filter((p) => p.reviewerId === id).length);
			expect(Math.max(...loads)).toBeLessThanOrEqual(3);
		}
	});
	it('labels new reviewers with the first labels the work does not use', () => {
		expect(freeReviewerLabels(['Reviewer A', 'Reviewer C'], 2)).toEqual([
			'Reviewer B',
			'Reviewer D'
		]);
	});
});

describe('peer consensus', () => {
	it('is the median of submitted, included reviews, with spread and what was left out', () => {
		expect(median([3, 1, 2])).toBe(2);
		expect(median([10, 40, 20, 30])).toBe(25);
		const consensus = peerConsensus(
			bands,
			[
				{ value: 50, submitted: true, excluded: false },
				{ value: 70, submitted: true, excluded: false },
				{ value: 95, submitted: true, excluded: true },
				{ value: 20, submitted: false, excluded: false },
				{ value: null, submitted: false, excluded: false }
			],
			true
		);
		expect(consensus).toEqual({
			median: 60,
			min: 50,
			max: 70,
			spreadBands: 1,
			counted: 2,
			excluded: 1,
			missing: 2
		});
	});
	it('counts no review of work that is not submitted (never handed in, or reopened)', () => {
		const reviews = [{ value: 50, submitted: true, excluded: false }];
		expect(peerConsensus(bands, reviews, true)).toMatchObject({ median: 50, counted: 1 });
		expect(peerConsensus(bands, reviews, false)).toBeNull();
	});
	it('is absent, not zero, when no review counts', () => {
		expect(peerConsensus(bands, [{ value: 50, submitted: true, excluded: true }], true)).toBeNull();
		expect(peerConsensus(bands, [], true)).toBeNull();
	});
});

describe('reviewer quality', () => {
	it('measures closeness to the teacher in band units', () => {
		// 70 is 3.5 band units, 50 is 2.5: one band generous; 30 against 30: spot on.
		expect(
			reviewerQuality(bands, [
				{ reviewer: 70, teacher: 50 },
				{ reviewer: 30, teacher: 30 }
			])
		).toEqual({
			meanAbsoluteGap: 0.5,
			meanSignedGap: 0.5,
			compared: 2,
			verdict: 'close'
		});
		expect(reviewerQuality(bands, [{ reviewer: 10, teacher: 90 }])).toMatchObject({
			meanAbsoluteGap: 4,
			meanSignedGap: -4,
			verdict: 'far'
		});
		expect(reviewerQuality(bands, [])).toBeNull();
	});
});

describe('group contribution: a worked example with a non-submitter', () => {
	// Members A=1, B=2, C=3, D=4; D gave no ratings. Every submitter's ratings total 12.
	//   A rates A4 B4 C2 D2 · B rates A3 B3 C3 D3 · C rates A4 B2 C4 D2
	// Mean received: A 11/3, B 3, C 3, D 7/3; team mean 3.
	// SPA = √(mean received ÷ 3): A √(11/9)=1.106, B 1, C 1, D √(7/9)=0.882.
	// SAPA = √(self ÷ mean of peers' ratings): A √(4/3.5)=1.069, B √(3/3)=1, C √(4/2.5)=1.265, D none.
	// WebPA: fractions of 12 summed: A 11/12, B 9/12, C 9/12, D 7/12; × 4 members ÷ 3 submitters:
	//   A 1.222, B 1, C 1, D 0.778 (total 4: the scores still average 1).
	const ratings = [
		[1, 1, 4],
		[1, 2, 4],
		[1, 3, 2],
		[1, 4, 2],
		[2, 1, 3],
		[2, 2, 3],
		[2, 3, 3],
		[2, 4, 3],
		[3, 1, 4],
		[3, 2, 2],
		[3, 3, 4],
		[3, 4, 2]
	].map(([raterId, rateeId, rating]) => ({
		raterId: raterId!,
		rateeId: rateeId!,
		rating: rating!
	}));

	it('reproduces the hand calculation', () => {
		const result = groupContribution([1, 2, 3, 4], ratings);
		expect(result.submitters).toBe(3);
		expect(result.members).toMatchObject([
			{ memberId: 1, submitted: true, meanReceived: 3.667, spa: 1.106, sapa: 1.069, webpa: 1.222 },
			{ memberId: 2, submitted: true, meanReceived: 3, spa: 1, sapa: 1, webpa: 1 },
			{ memberId: 3, submitted: true, meanReceived: 3, spa: 1, sapa: 1.265, webpa: 1 },
			{ memberId: 4, submitted: false, meanReceived: 2.333, spa: 0.882, sapa: null, webpa: 0.778 }
		]);
		const total = result.members.reduce((s, m) => s + m.webpa!, 0);
		expect(total).toBeCloseTo(4, 2);
	});
	it('with equal ratings from those who submit, a silent member gets exactly the same as everyone', () => {
		const equal = [1, 2, 3].flatMap((raterId) =>
			[1, 2, 3, 4].map((rateeId) => ({ raterId, rateeId, rating: 3 }))
		);
		const result = groupContribution([1, 2, 3, 4], equal);
		expect(result.members.map((m) => m.webpa)).toEqual([1, 1, 1, 1]);
		expect(result.members.map((m) => m.spa)).toEqual([1, 1, 1, 1]);
	});
	it('ignores ratings from outside the group and computes nothing when nobody rated', () => {
		const result = groupContribution(
			[1, 2],
			[
				{ raterId: 9, rateeId: 1, rating: 5 },
				{ raterId: 1, rateeId: 1, rating: -1 }
			]
		);
		expect(result.ignored).toBe(2);
		expect(result.members.every((m) => m.webpa === null && m.spa === null)).toBe(true);
	});
});

describe('group contribution: WebPA’s published worked example', () => {
	// Five members, Alice … Elaine (ids 1–5). Rows: the marks each gave to Alice, Bob, Claire,
	// David, Elaine. Elaine gave nothing. WebPA publishes the scores to two places (Bob 1.48); the
	// domain rounds to three.
	const [alice, bob, claire, david, elaine] = [1, 2, 3, 4, 5] as const;
	const members = [alice, bob, claire, david, elaine];
	const given: Record<number, number[]> = {
		[alice]: [4, 4, 3, 2, 1], // total 14
		[bob]: [3, 5, 3, 2, 0], // total 13
		[claire]: [4, 4, 4, 4, 4], // total 20
		[david]: [3, 5, 4, 3, 1] // total 16
	};
	const ratingsFrom = (raters: number[]) =>
		raters.flatMap((raterId) =>
			members.map((rateeId, i) => ({ raterId, rateeId, rating: given[raterId]![i]! }))
		);
	const webpaOf = (result: ReturnType<typeof groupContribution>) =>
		Object.fromEntries(result.members.map((m) => [m.memberId, m.webpa]));

	it('reproduces WebPA’s scores: fractions of each rater’s total, summed, × 5 members ÷ 4 raters', () => {
		const result = groupContribution(members, ratingsFrom([alice, bob, claire, david]));
		// Alice: (4/14 + 3/13 + 4/20 + 3/16) × 5/4 = 1.130; Claire: (3/14 + 3/13 + 4/20 + 4/16) × 5/4
		// = 1.119; Elaine: (1/14 + 0/13 + 4/20 + 1/16) × 5/4 = 0.417.
		expect(webpaOf(result)).toEqual({
			[alice]: 1.13,
			[bob]: 1.479,
			[claire]: 1.119,
			[david]: 0.855,
			[elaine]: 0.417
		});
		expect(result.submitters).toBe(4);
		expect(result.webpaRaters).toBe(4);
		expect(result.members[0]!.webpaFractions).toEqual([
			{ raterId: alice, rating: 4, raterTotal: 14 },
			{ raterId: bob, rating: 3, raterTotal: 13 },
			{ raterId: claire, rating: 4, raterTotal: 20 },
			{ raterId: david, rating: 3, raterTotal: 16 }
		]);
		expect(result.members[0]!.webpaFractionSum).toBe(0.904);
		expect(result.members.map((m) => m.givenTotal)).toEqual([14, 13, 20, 16, null]);
		// The members ÷ raters correction keeps the average at 1 with Elaine silent.
		expect(result.members.reduce((s, m) => s + m.webpa!, 0)).toBeCloseTo(5, 2);
		// No penalty set: nobody is penalised.
		expect(result.members.some((m) => m.penalised)).toBe(false);
	});

	it('lets a member the team values above her own share gain by not rating, as the page says', () => {
		// Claire gives herself 4/20 = 0.2 of her marks; her peers give her 3/14, 3/13 and 4/16 (mean
		// 0.232). Silent, her score is (3/14 + 3/13 + 4/16) × 5/3 = 1.158, above the 1.119 she gets
		// by rating. So the page must not say that nobody gains from silence.
		const rated = groupContribution(members, ratingsFrom([alice, bob, claire, david]));
		const silent = groupContribution(members, ratingsFrom([alice, bob, david]));
		expect(rated.members[2]!.webpa).toBe(1.119);
		expect(silent.members[2]!.webpa).toBe(1.158);
		expect(silent.members[2]!.submitted).toBe(false);
		// The words the page and the docs show state this, with these very figures.
		const words = Object.values(CONTRIBUTION_RULES).join(' ');
		expect(words).not.toMatch(/nobody gains|gain nothing|gains nothing|neither gains/i);
		expect(CONTRIBUTION_RULES.silence).toMatch(/can raise a member’s own score/);
		const [from, to] = [...CONTRIBUTION_RULES.silence.matchAll(/\d\.\d{3}/g)].map((m) =>
			Number(m[0])
		);
		expect([from, to]).toEqual([rated.members[2]!.webpa, silent.members[2]!.webpa]);
		// …and the rule stated for "mean rating received": Claire rates herself 4, above her peers'
		// mean of her (10/3), so rating raises her mean; a member who rates themself below their
		// peers' mean (2 against 4) has the higher mean by not rating.
		expect([rated.members[2]!.meanReceived, silent.members[2]!.meanReceived]).toEqual([3.5, 3.333]);
		const low = [
			{ raterId: 1, rateeId: 3, rating: 4 },
			{ raterId: 2, rateeId: 3, rating: 4 },
			{ raterId: 3, rateeId: 3, rating: 2 }
		];
		expect(groupContribution([1, 2, 3], low).members[2]!.meanReceived).toBe(3.333);
		expect(groupContribution([1, 2, 3], low.slice(0, 2)).members[2]!.meanReceived).toBe(4);
	});

	it('takes the non-completion penalty off non-submitters only, from the score to 3 decimals', () => {
		const result = groupContribution(members, ratingsFrom([alice, bob, claire, david]), 10);
		expect(result.penaltyPercent).toBe(10);
		const elaineRow = result.members[4]!;
		// 0.417 × (1 − 10 ÷ 100) = 0.3753 → 0.375
		expect(elaineRow).toMatchObject({ webpaBeforePenalty: 0.417, webpa: 0.375, penalised: true });
		// The others rated and keep their scores.
		expect(webpaOf(result)).toEqual({
			[alice]: 1.13,
			[bob]: 1.479,
			[claire]: 1.119,
			[david]: 0.855,
			[elaine]: 0.375
		});
		expect(result.members.filter((m) => m.penalised).map((m) => m.memberId)).toEqual([elaine]);
		// With Claire silent too, both are penalised: 1.158 × 0.9 = 1.042.
		const two = groupContribution(members, ratingsFrom([alice, bob, david]), 10);
		expect(two.members[2]).toMatchObject({ webpaBeforePenalty: 1.158, webpa: 1.042 });
		// 100% takes the whole score; out-of-range or non-numbers are clamped to 0–100.
		expect(groupContribution(members, ratingsFrom([alice]), 100).members[4]!.webpa).toBe(0);
		expect(groupContribution(members, ratingsFrom([alice]), -5).penaltyPercent).toBe(0);
		expect(groupContribution(members, ratingsFrom([alice]), NaN).penaltyPercent).toBe(0);
		expect(groupContribution(members, ratingsFrom([alice]), 250).penaltyPercent).toBe(100);
		// Nobody rated: no score to penalise.
		expect(groupContribution(members, [], 50).members.every((m) => m.webpa === null)).toBe(true);
	});
});

describe('moderation', () => {
	it('flags gaps of more than one band only', () => {
		expect(isLargeGap(bands, 85, 45)).toBe(true); // Excelling vs Developing
		expect(isLargeGap(bands, 65, 45)).toBe(false);
		expect(isLargeGap(bands, null, 45)).toBe(false);
	});
	it('compares two markers per criterion', () => {
		expect(
			markerAgreement(bands, [
				{ first: 50, second: 50 },
				{ first: 70, second: 50 },
				{ first: 90, second: 30 }
			])
		).toEqual({
			pairs: 3,
			meanDifference: 1.33,
			sameBand: 0.33,
			withinOneBand: 0.67
		});
		expect(markerAgreement(bands, []).meanDifference).toBeNull();
	});
	it('counts judgements per band for the distribution chart', () => {
		expect(bandCounts(bands, [0, 19.9, 20, 100, null])).toEqual([2, 1, 0, 0, 1]);
	});
});
