import { describe, expect, it } from 'vitest';
import {
	DEFAULT_SCHOOL_SCALE,
	UNIVERSITY_SCALE,
	bandFor,
	bandGap,
	bandIndexFor,
	bandMidpoint,
	validateBands,
	valueInBandUnits
} from '../../src/lib/domain/scales';

const school = DEFAULT_SCHOOL_SCALE.bands; // 0 / 20 / 40 / 60 / 80
const university = UNIVERSITY_SCALE.bands; // 0 / 50 / 65 / 75 / 85

describe('band lookup at the edges', () => {
	it.each([
		[0, 'Not yet'],
		[19.999, 'Not yet'],
		[20, 'Emerging'],
		[39.9, 'Emerging'],
		[40, 'Developing'],
		[59.99, 'Developing'],
		[60, 'Secure'],
		[79.999, 'Secure'],
		[80, 'Excelling'],
		[100, 'Excelling']
	])('school scale: %s is %s', (value, label) => {
		expect(bandFor(school, value).label).toBe(label);
	});

	it.each([
		[49.99, 'Fail'],
		[50, 'Pass'],
		[64.9, 'Pass'],
		[65, 'Credit'],
		[75, 'Distinction'],
		[84.99, 'Distinction'],
		[85, 'High Distinction'],
		[100, 'High Distinction']
	])('university scale: %s is %s', (value, label) => {
		expect(bandFor(university, value).label).toBe(label);
	});

	it.each([-0.001, 100.001, Number.NaN, Number.POSITIVE_INFINITY])('refuses %s', (value) => {
		expect(() => bandIndexFor(school, value)).toThrow(RangeError);
	});

	it('measures gaps in bands, and positions in band units', () => {
		expect(bandGap(school, 65, 45)).toBe(1);
		expect(bandGap(school, 20, 19.9)).toBe(1); // a hair apart, but across an edge
		expect(bandGap(school, 0, 100)).toBe(-4);
		expect(valueInBandUnits(school, 50)).toBe(2.5);
		expect(valueInBandUnits(university, 70)).toBe(2.5); // halfway through Credit (65–75)
		expect(valueInBandUnits(school, 100)).toBe(5);
		expect(bandMidpoint(school, 0)).toBe(10);
		expect(bandMidpoint(university, 4)).toBe(92.5);
	});
});

describe('scale validation', () => {
	it('accepts the shipped scales', () => {
		expect(validateBands(school)).toEqual([]);
		expect(validateBands(university)).toEqual([]);
	});
	it('explains each problem', () => {
		expect(validateBands([{ label: 'Only', minValue: 0 }])).toContain(
			'A scale needs at least two bands.'
		);
		expect(
			validateBands([
				{ label: 'A', minValue: 10 },
				{ label: 'B', minValue: 50 }
			])
		).toContain('The first band must start at 0.');
		expect(
			validateBands([
				{ label: 'A', minValue: 0 },
				{ label: 'B', minValue: 0 }
			]).join()
		).toMatch(/must start above band 1/);
		expect(
			validateBands([
				{ label: 'A', minValue: 0 },
				{ label: 'a', minValue: 50 }
			])
		).toContain('Each band needs a different name.');
		expect(
			validateBands([
				{ label: 'A', minValue: 0 },
				{ label: 'B', minValue: 100 }
			]).join()
		).toMatch(/between 0 and 99/);
	});
});
