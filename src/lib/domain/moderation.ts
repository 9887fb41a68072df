import { bandGap, bandIndexFor, valueInBandUnits, type Band } from './scales';
import { round2 } from './peer-review';

type Bands = readonly Pick<Band, 'minValue'>[];

/** A gap worth a conversation: more than one band between two judgements of the same work. */
export function isLargeGap(bands: Bands, a: number | null, b: number | null): boolean {
	return a !== null && b !== null && Math.abs(bandGap(bands, a, b)) > 1;
}

/** Signed gap in bands (a − b), or null when either is missing. */
export function gapInBands(bands: Bands, a: number | null, b: number | null): number | null {
	return a === null || b === null ? null : bandGap(bands, a, b);
}

export interface MarkerAgreement {
	pairs: number;
	/** mean of (first − second) in band units: who marks higher, and by how much */
	meanDifference: number | null;
	/** share of pairs placed in the same band */
	sameBand: number | null;
	/** share of pairs at most one band apart */
	withinOneBand: number | null;
}

/**
 * Two judgements of the same piece and criterion. A pair may carry its own scale's bands (pieces of
 * different schools are judged on their own task's scale, as in cross-school moderation); without,
 * the bands given for all pairs are used.
 */
export interface AgreementPair {
	first: number;
	second: number;
	bands?: Bands;
}

/** The inputs of every agreement figure, so a page can show the working behind them. */
export interface AgreementWorking {
	pairs: number;
	/** sum of (first − second) in band units, unrounded (shown to 2 decimals) */
	differenceSum: number;
	/** pairs placed in the same band */
	sameBandCount: number;
	/** pairs at most one band apart */
	withinOneBandCount: number;
}

export function agreementWorking(bands: Bands, pairs: readonly AgreementPair[]): AgreementWorking {
	let differenceSum = 0;
	let sameBandCount = 0;
	let withinOneBandCount = 0;
	for (const p of pairs) {
		const scale = p.bands ?? bands;
		differenceSum += valueInBandUnits(scale, p.first) - valueInBandUnits(scale, p.second);
		const gap = Math.abs(bandGap(scale, p.first, p.second));
		if (gap === 0) sameBandCount++;
		if (gap <= 1) withinOneBandCount++;
	}
	return { pairs: pairs.length, differenceSum, sameBandCount, withinOneBandCount };
}

/** How two markers compare on the same pieces of work for one criterion. */
export function markerAgreement(bands: Bands, pairs: readonly AgreementPair[]): MarkerAgreement {
	if (pairs.length === 0)
		return { pairs: 0, meanDifference: null, sameBand: null, withinOneBand: null };
	const w = agreementWorking(bands, pairs);
	return {
		pairs: w.pairs,
		meanDifference: round2(w.differenceSum / w.pairs),
		sameBand: round2(w.sameBandCount / w.pairs),
		withinOneBand: round2(w.withinOneBandCount / w.pairs)
	};
}

/** Counts per band: the distribution charts of self, peer and teacher judgements. */
export function bandCounts(bands: Bands, values: readonly (number | null)[]): number[] {
	const counts = bands.map(() => 0);
	for (const v of values) if (v !== null) counts[bandIndexFor(bands, v)]!++;
	return counts;
}
