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

/** How two markers compare on the same pieces of work for one criterion. */
export function markerAgreement(
	bands: Bands,
	pairs: readonly { first: number; second: number }[]
): MarkerAgreement {
	if (pairs.length === 0)
		return { pairs: 0, meanDifference: null, sameBand: null, withinOneBand: null };
	const diffs = pairs.map(
		(p) => valueInBandUnits(bands, p.first) - valueInBandUnits(bands, p.second)
	);
	const gaps = pairs.map((p) => Math.abs(bandGap(bands, p.first, p.second)));
	return {
		pairs: pairs.length,
		meanDifference: round2(diffs.reduce((s, d) => s + d, 0) / diffs.length),
		sameBand: round2(gaps.filter((g) => g === 0).length / gaps.length),
		withinOneBand: round2(gaps.filter((g) => g <= 1).length / gaps.length)
	};
}

/** Counts per band: the distribution charts of self, peer and teacher judgements. */
export function bandCounts(bands: Bands, values: readonly (number | null)[]): number[] {
	const counts = bands.map(() => 0);
	for (const v of values) if (v !== null) counts[bandIndexFor(bands, v)]!++;
	return counts;
}
