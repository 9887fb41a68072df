import { describe, expect, it } from 'vitest';
import {
	GROUP_COLOURS,
	groupColour,
	levelAxis,
	levelAxisLabel,
	levelOnAxis
} from '../../src/lib/components/charts/report-charts';
import { levelWords } from '../../src/lib/domain/profiles';
import { LEVEL_LABELS } from '../../src/lib/domain/scales';

describe('the level axis of report charts', () => {
	it('names each gridline after the band that begins there, so the chart says what the table says', () => {
		expect([0, 1, 2, 3, 4, 5].map(levelAxisLabel)).toEqual([...LEVEL_LABELS, '']);
		expect(levelAxis).toMatchObject({ min: 0, max: 5, ticks: { stepSize: 1 } });
		for (let i = 0; i < 1000; i++) {
			const level = i / 1000;
			// The highest named gridline at or below the bar's top is the table's word for the mean.
			const below = Math.floor(levelOnAxis(level));
			expect(levelAxisLabel(below), String(level)).toBe(levelWords(level, LEVEL_LABELS));
		}
	});
});

describe('group colours in report charts', () => {
	it('give Years 7–13 and "No year group" a colour each', () => {
		expect(new Set(GROUP_COLOURS).size).toBe(GROUP_COLOURS.length);
		expect(new Set(Array.from({ length: 8 }, (_, i) => groupColour(i))).size).toBe(8);
	});
});

describe('the order of groups in reports', () => {
	it('counts year groups as schools do and reads numbers in class names as numbers', async () => {
		const { compareGroupNames } = await import('../../src/lib/domain/names');
		expect(
			['10', '9', 'Reception', '13', '7', 'No year group', 'Nursery', '8', '11'].sort(
				compareGroupNames
			)
		).toEqual(['Nursery', 'Reception', '7', '8', '9', '10', '11', '13', 'No year group']);
		expect(['10A', '7s', '7S', '9B', '12C Computing', '7R'].sort(compareGroupNames)).toEqual([
			'7R',
			'7S',
			'7s',
			'9B',
			'10A',
			'12C Computing'
		]);
	});
});

describe('the heading of a year group', () => {
	it('writes a bare number as "Year N" and keeps a name the school gave', async () => {
		const { yearGroupLabel } = await import('../../src/lib/domain/names');
		expect(['7', ' 10 ', 'Y9', 'yr11', '07'].map(yearGroupLabel)).toEqual([
			'Year 7',
			'Year 10',
			'Year 9',
			'Year 11',
			'Year 7'
		]);
		expect(['Year 7', 'Reception', 'Sixth form', '7S'].map(yearGroupLabel)).toEqual([
			'Year 7',
			'Reception',
			'Sixth form',
			'7S'
		]);
		expect([null, undefined, '', '  ', 'No year group'].map(yearGroupLabel)).toEqual(
			Array(5).fill('No year group')
		);
	});

	it('stores each year group in one spelling: a year by number as its number, Reception and Nursery capitalised, other names tidied, blank as none', async () => {
		const { canonicalYearGroup } = await import('../../src/lib/domain/names');
		expect(
			['7', 'Year 7', 'year7', ' Y7 ', 'yr 07', 'YEAR  7', '07'].map(canonicalYearGroup)
		).toEqual(Array(7).fill('7'));
		expect(
			['reception', 'NURSERY', 'Sixth  form', '7S', 'Year 7 set 2'].map(canonicalYearGroup)
		).toEqual(['Reception', 'Nursery', 'Sixth form', '7S', 'Year 7 set 2']);
		expect([null, undefined, '', '   '].map(canonicalYearGroup)).toEqual(Array(4).fill(null));
		// Forms and report links go through it, so what a person types or bookmarks finds the year.
		const { classSchema, newUserSchema } = await import('../../src/lib/schemas/people');
		expect(classSchema.parse({ name: '7B', yearGroup: 'Year 7' }).yearGroup).toBe('7');
		expect(
			newUserSchema.parse({
				username: 'ada',
				givenName: 'Ada',
				familyName: 'L',
				role: 'student',
				yearGroup: ''
			}).yearGroup
		).toBeNull();
		const { reportFilter } = await import('../../src/lib/schemas/reports');
		expect(reportFilter(new URLSearchParams('year=Year%209')).yearGroup).toBe('9');
		expect(reportFilter(new URLSearchParams('year=')).yearGroup).toBeUndefined();
	});
});
