import { describe, expect, it } from 'vitest';
import {
	associationsToKeep,
	caseDateTime,
	casePackageSchema,
	placeItems
} from '../../src/lib/domain/case';

const DOC = 'd0000000-0000-4000-8000-000000000000';
const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const childOf = (origin: number, destination: string, sequenceNumber?: string | number) => ({
	identifier: id(1000 + origin),
	associationType: 'isChildOf',
	originNodeURI: { identifier: id(origin) },
	destinationNodeURI: { identifier: destination },
	...(sequenceNumber === undefined ? {} : { sequenceNumber })
});
const parse = (items: object[], associations: object[]) =>
	casePackageSchema.parse({
		CFDocument: { identifier: DOC, title: 'Test' },
		CFItems: items,
		CFAssociations: associations
	});

describe('reading a CASE package', () => {
	it('reads date-times without an offset as UTC and falls back on unreadable ones', () => {
		expect(caseDateTime('2017-05-25T18:05:33', 'x')).toBe('2017-05-25T18:05:33.000Z');
		expect(caseDateTime('2017-10-18T15:02:46+02:00', 'x')).toBe('2017-10-18T13:02:46.000Z');
		expect(caseDateTime('yesterday', 'fallback')).toBe('fallback');
		expect(caseDateTime(undefined, 'fallback')).toBe('fallback');
	});

	it('accepts text list enumerations, no humanCodingScheme, long statements, text sequence numbers', () => {
		const pkg = parse(
			[
				{ identifier: id(1), fullStatement: 'x'.repeat(5000), listEnumeration: 'a.' },
				{ identifier: id(2), fullStatement: 'Two', listEnumeration: 3 }
			],
			[childOf(1, DOC, '2'), childOf(2, DOC, 'not a number')]
		);
		expect(pkg.CFItems[0]!.humanCodingScheme).toBeUndefined();
		expect(pkg.CFItems[1]!.listEnumeration).toBe('3');
		expect(pkg.CFAssociations.map((a) => a.sequenceNumber)).toEqual([2, undefined]);
	});

	it('places items by sequenceNumber first, then listEnumeration in natural order, then code', () => {
		const pkg = parse(
			[
				{ identifier: id(1), fullStatement: 'Parent', humanCodingScheme: 'P' },
				{ identifier: id(2), fullStatement: 'c', humanCodingScheme: 'A', listEnumeration: '10.' },
				{ identifier: id(3), fullStatement: 'b', humanCodingScheme: 'B', listEnumeration: '2.' },
				{ identifier: id(4), fullStatement: 'a', humanCodingScheme: 'Z' },
				{ identifier: id(5), fullStatement: 'd', humanCodingScheme: 'C' },
				{
					identifier: id(6),
					fullStatement: 'first',
					humanCodingScheme: 'Y',
					listEnumeration: '99.'
				}
			],
			[
				childOf(1, DOC),
				childOf(2, id(1)),
				childOf(3, id(1)),
				childOf(4, id(1)),
				childOf(5, id(1)),
				childOf(6, id(1), 1)
			]
		);
		const placed = placeItems(pkg);
		const order = [2, 3, 4, 5, 6]
			.map((n) => ({ n, ...placed.get(id(n))! }))
			.sort((a, b) => a.position - b.position)
			.map((p) => p.n);
		// 6 by its sequenceNumber; 3 ("2.") before 2 ("10."); then by code: C (5) before Z (4).
		expect(order).toEqual([6, 3, 2, 5, 4]);
		expect(placed.get(id(2))!.parentIdentifier).toBe(id(1));
		expect(placed.get(id(1))).toMatchObject({ parentIdentifier: null, position: 1 });
	});

	it('an item placed nowhere sits under the document; other associations are kept, crosswalk weights not', () => {
		const external = 'e0000000-0000-4000-8000-000000000000';
		const pkg = parse(
			[
				{ identifier: id(1), fullStatement: 'One' },
				{ identifier: id(2), fullStatement: 'Two' }
			],
			[
				childOf(1, DOC),
				{ ...childOf(2, external), identifier: id(2001) },
				{
					identifier: id(3001),
					associationType: 'exactMatchOf',
					originNodeURI: { identifier: id(1) },
					destinationNodeURI: { identifier: external }
				},
				{
					identifier: id(3002),
					associationType: 'isRelatedTo',
					originNodeURI: { identifier: id(1) },
					destinationNodeURI: { identifier: external },
					extensions: { crosswalkWeight: 2 }
				}
			]
		);
		const placed = placeItems(pkg);
		expect(placed.get(id(2))).toMatchObject({ parentIdentifier: null, association: null });
		expect(associationsToKeep(pkg, placed).map((a) => a.identifier)).toEqual([id(2001), id(3001)]);
	});
});
