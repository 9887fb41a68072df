import { bandGap, bandIndexFor, type Band } from './scales';

/**
 * The learning moment: how a learner's own judgement sits against someone else's, said in bands,
 * never in marks. `who` is the other judge as the learner should read it ("your teacher").
 */
const NUMBER_WORDS = [
	'no',
	'one',
	'two',
	'three',
	'four',
	'five',
	'six',
	'seven',
	'eight',
	'nine',
	'ten'
];

export function bandsInWords(count: number): string {
	const n = Math.abs(count);
	return `${NUMBER_WORDS[n] ?? String(n)} band${n === 1 ? '' : 's'}`;
}

export interface GapFeedback {
	/** signed: positive when the learner placed themself higher */
	bands: number;
	sentence: string;
}

export function describeSelfGap(
	bands: readonly Pick<Band, 'minValue'>[],
	selfValue: number,
	otherValue: number,
	who = 'your teacher'
): GapFeedback {
	const gap = bandGap(bands, selfValue, otherValue);
	if (gap === 0) return { bands: 0, sentence: `You and ${who} placed this in the same band.` };
	return {
		bands: gap,
		sentence: `You placed yourself ${bandsInWords(gap)} ${gap > 0 ? 'above' : 'below'} ${who}.`
	};
}

/** The same, for judging someone else's work (a live-session exemplar or a peer's work). */
export function describeJudgementGap(
	bands: readonly Pick<Band, 'minValue'>[],
	mine: number,
	theirs: number,
	who = 'your teacher'
): GapFeedback {
	const gap = bandGap(bands, mine, theirs);
	if (gap === 0) return { bands: 0, sentence: `You and ${who} placed it in the same band.` };
	return {
		bands: gap,
		sentence: `You placed it ${bandsInWords(gap)} ${gap > 0 ? 'above' : 'below'} ${who}.`
	};
}

/** The band's name for a slider value, as screen readers and learners hear it. */
export function bandValueText(
	bands: readonly Pick<Band, 'minValue' | 'label'>[],
	value: number | null
): string {
	if (value === null) return 'Not placed yet';
	const index = bandIndexFor(bands, value);
	return `${bands[index]!.label} (band ${index + 1} of ${bands.length})`;
}
