/**
 * Grade scales: ordered, named bands over a continuous 0–100 slider. The stored value is a number;
 * learners only ever see the band it falls in and that band's descriptor. This is the one place
 * that maps slider values to bands.
 */

export const SLIDER_MIN = 0;
export const SLIDER_MAX = 100;

export interface Band {
	position: number;
	label: string;
	/**
	 * inclusive lower edge; the band runs up to the next band's edge (the last one to 100 inclusive)
	 */
	minValue: number;
	descriptor: string;
}

/** Problems with a scale's bands, in words an admin can act on; empty when the scale is usable. */
export function validateBands(bands: Pick<Band, 'label' | 'minValue'>[]): string[] {
	const problems: string[] = [];
	if (bands.length < 2) problems.push('A scale needs at least two bands.');
	if (bands.length > 10) problems.push('A scale can have at most ten bands.');
	if (bands[0] && bands[0].minValue !== SLIDER_MIN)
		problems.push('The first band must start at 0.');
	bands.forEach((band, i) => {
		if (!band.label.trim()) problems.push(`Band ${i + 1} needs a name.`);
		if (
			!Number.isFinite(band.minValue) ||
			band.minValue < SLIDER_MIN ||
			band.minValue >= SLIDER_MAX
		) {
			problems.push(`Band ${i + 1} must start between 0 and 99.`);
		}
		const previous = bands[i - 1];
		if (previous && band.minValue <= previous.minValue) {
			problems.push(
				`Band ${i + 1} (${band.label}) must start above band ${i} (${previous.label}).`
			);
		}
	});
	const labels = bands.map((b) => b.label.trim().toLowerCase());
	if (new Set(labels).size !== labels.length) problems.push('Each band needs a different name.');
	return problems;
}

export function isSliderValue(value: unknown): value is number {
	return (
		typeof value === 'number' &&
		Number.isFinite(value) &&
		value >= SLIDER_MIN &&
		value <= SLIDER_MAX
	);
}

/** Index (0-based) of the band a slider value falls in. Bands must be sorted by minValue. */
export function bandIndexFor(bands: readonly Pick<Band, 'minValue'>[], value: number): number {
	if (!isSliderValue(value))
		throw new RangeError(`Slider value must be a number from 0 to 100, not ${value}.`);
	if (bands.length === 0) throw new RangeError('A scale without bands cannot place a value.');
	let index = 0;
	for (let i = 1; i < bands.length; i++) if (value >= bands[i]!.minValue) index = i;
	return index;
}

/**
 * The band a slider value falls in; `bandFor(bands, value).label` is how a value is named
 * everywhere.
 */
export function bandFor<B extends Pick<Band, 'minValue'>>(bands: readonly B[], value: number): B {
	return bands[bandIndexFor(bands, value)]!;
}

/** Upper edge of a band (exclusive, except the last band which includes 100). */
export function bandUpperEdge(bands: readonly Pick<Band, 'minValue'>[], index: number): number {
	return bands[index + 1]?.minValue ?? SLIDER_MAX;
}

/** The centre of a band: where a keyboard jump to that band lands, and a neutral default. */
export function bandMidpoint(bands: readonly Pick<Band, 'minValue'>[], index: number): number {
	const low = bands[index]!.minValue;
	return Math.round(((low + bandUpperEdge(bands, index)) / 2) * 10) / 10;
}

/**
 * How far apart two judgements are, in bands (positive: `a` is higher). This is the measure shown
 * to learners ("one band above your teacher") and used for calibration.
 */
export function bandGap(bands: readonly Pick<Band, 'minValue'>[], a: number, b: number): number {
	return bandIndexFor(bands, a) - bandIndexFor(bands, b);
}

/**
 * A value's position in band units (e.g. 2.5 = halfway through the third band), so averages and
 * gaps stay comparable across scales whose bands are of unequal width.
 */
export function valueInBandUnits(bands: readonly Pick<Band, 'minValue'>[], value: number): number {
	const index = bandIndexFor(bands, value);
	const low = bands[index]!.minValue;
	const high = bandUpperEdge(bands, index);
	const within = high > low ? (value - low) / (high - low) : 0;
	return index + Math.min(within, 1);
}

export const DEFAULT_SCHOOL_SCALE = {
	name: 'School scale (five bands)',
	description: 'For secondary school tasks: from first steps to work beyond what was asked.',
	bands: [
		{
			label: 'Not yet',
			minValue: 0,
			descriptor: 'There is not yet enough evidence of this in the work.'
		},
		{
			label: 'Emerging',
			minValue: 20,
			descriptor: 'First signs of this are visible, with a lot of help.'
		},
		{
			label: 'Developing',
			minValue: 40,
			descriptor: 'This is shown some of the time, with some help.'
		},
		{ label: 'Secure', minValue: 60, descriptor: 'This is shown reliably and independently.' },
		{
			label: 'Excelling',
			minValue: 80,
			descriptor: 'This is shown confidently, beyond what the task asked.'
		}
	]
};

/** The school scale's band names, Not yet … Excelling: how profiles and reports name a level. */
export const LEVEL_LABELS = DEFAULT_SCHOOL_SCALE.bands.map((b) => b.label);

/**
 * ReView's university grade bands (UTS-style): Fail below 50, then Pass, Credit, Distinction, High
 * Distinction.
 */
export const UNIVERSITY_SCALE = {
	name: 'University scale (ReView)',
	description: 'Fail / Pass / Credit / Distinction / High Distinction, as in ReView at university.',
	bands: [
		{ label: 'Fail', minValue: 0, descriptor: 'Does not yet meet the criterion.' },
		{ label: 'Pass', minValue: 50, descriptor: 'Meets the criterion at a basic level.' },
		{ label: 'Credit', minValue: 65, descriptor: 'Meets the criterion well.' },
		{ label: 'Distinction', minValue: 75, descriptor: 'Meets the criterion to a high standard.' },
		{ label: 'High Distinction', minValue: 85, descriptor: 'Meets the criterion outstandingly.' }
	]
};
