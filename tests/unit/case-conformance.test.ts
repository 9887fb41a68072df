import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import Ajv2019 from 'ajv/dist/2019';
import addFormats from 'ajv-formats';
import type { DB } from '../../src/lib/server/db/connection';
import { exportCasePackage, importCasePackage } from '../../src/lib/server/frameworks/frameworks';
import { CAPRI, FUSION_SKILLS } from '../../src/lib/domain/frameworks';
import { demoDatabase, freshDatabase } from './helpers';

// 1EdTech's own CASE 1.1 CFPackage schema (vendored: tests/fixtures/standards/case/PROVENANCE.md).
// A CASE consumer (a state CASE server, OpenSALT) checks packages against it, so ours must pass.
const CFPACKAGE_SCHEMA = JSON.parse(
	readFileSync(
		new URL(
			'../fixtures/standards/case/v1p1/case_v1p1_cfpackage-jsonschema1.json',
			import.meta.url
		),
		'utf8'
	)
);
const ajv = new Ajv2019({ strict: false, allErrors: true });
addFormats(ajv);
const validatePackage = ajv.compile(CFPACKAGE_SCHEMA);
/** The first few schema errors, enough to see what is wrong without a wall of text. */
const errors = () => JSON.stringify(validatePackage.errors?.slice(0, 5), null, 1);

const BASE = 'https://skills.example.org';
let db: DB;
let schoolId: number;
beforeEach(async () => ({ db, schoolId } = await demoDatabase()));
afterEach(async () => db.destroy());

/** What the download routes send: the package as JSON text, read back. */
async function served(identifier: string, school: number | null) {
	const pkg = await exportCasePackage(db, identifier, BASE, school);
	expect(pkg, identifier).not.toBeNull();
	return JSON.parse(JSON.stringify(pkg));
}

describe('CASE 1.1 conformance of the framework export', () => {
	it('every framework the app ships exports as a CFPackage that 1EdTech’s schema accepts', async () => {
		const shipped = await db.selectFrom('frameworks').select(['identifier', 'school_id']).execute();
		expect(shipped.map((f) => f.identifier)).toEqual(
			expect.arrayContaining([FUSION_SKILLS.identifier, CAPRI.identifier])
		);
		for (const framework of shipped) {
			// The admin download (with the school's crosswalk) and, for shared frameworks, the public link.
			const views = framework.school_id === null ? [schoolId, null] : [framework.school_id];
			for (const school of views) {
				const pkg = await served(framework.identifier, school);
				expect(pkg.CFItems.length).toBeGreaterThan(0);
				expect(pkg.CFAssociations.length).toBeGreaterThan(0);
				expect(
					validatePackage(pkg),
					`${pkg.CFDocument.title} (school ${school}): ${errors()}`
				).toBe(true);
			}
		}
	});

	it('the CAPRI package with its crosswalk associations still conforms and re-imports', async () => {
		const pkg = await served(CAPRI.identifier, schoolId);
		expect(pkg.CFAssociations.some((a: { extensions?: object }) => a.extensions)).toBe(true);
		expect(validatePackage(pkg), errors()).toBe(true);

		const empty = await freshDatabase();
		await importCasePackage(empty, null, null, await served(FUSION_SKILLS.identifier, null));
		const result = await importCasePackage(empty, null, null, pkg);
		expect(result.frameworkCreated).toBe(true);
		expect(result.itemsCreated).toBe(pkg.CFItems.length);
		await empty.destroy();
	});
});

/** A real CASE package from tests/fixtures/standards/case/samples (see PROVENANCE.md there). */
const sample = (name: string) =>
	JSON.parse(
		readFileSync(
			new URL(`../fixtures/standards/case/samples/${name}.json`, import.meta.url),
			'utf8'
		)
	);

/** Item codes of a parent's children in the framework's order, as the app stores them. */
async function childCodes(parentIdentifier: string | null, frameworkIdentifier: string) {
	const rows = await db
		.selectFrom('framework_items as item')
		.innerJoin('frameworks', 'frameworks.id', 'item.framework_id')
		.leftJoin('framework_items as parent', 'parent.id', 'item.parent_id')
		.select(['item.code', 'item.title', 'item.code_generated as generated'])
		.where('frameworks.identifier', '=', frameworkIdentifier)
		.where((eb) =>
			parentIdentifier === null
				? eb('item.parent_id', 'is', null)
				: eb('parent.identifier', '=', parentIdentifier)
		)
		.orderBy('item.position')
		.execute();
	return rows.map((r) => (r.generated ? r.title : r.code));
}

describe('importing real CASE packages (OpenSALT exports)', () => {
	it('accepts each sample, keeps every item and the publisher’s URIs, and re-exports a valid package', async () => {
		for (const name of [
			'opensalt-act-holistic-math-ordering',
			'opensalt-smart-level',
			'opensalt-what-standards-could-be-ccss'
		]) {
			const original = sample(name);
			const result = await importCasePackage(db, schoolId, null, original);
			expect(result, name).toMatchObject({
				frameworkCreated: true,
				itemsCreated: original.CFItems.length
			});
			const pkg = await served(original.CFDocument.identifier, schoolId);
			expect(validatePackage(pkg), `${name}: ${errors()}`).toBe(true);
			expect(pkg.CFDocument.uri).toBe(original.CFDocument.uri);
			const uriOf = new Map(
				original.CFItems.map((i: { identifier: string; uri: string }) => [i.identifier, i.uri])
			);
			for (const item of pkg.CFItems) expect(item.uri).toBe(uriOf.get(item.identifier));
			// Every association of the publisher's comes back with its identifier and uri.
			const ours = new Map(
				pkg.CFAssociations.map((a: { identifier: string; uri: string }) => [a.identifier, a.uri])
			);
			for (const a of original.CFAssociations) expect(ours.get(a.identifier), name).toBe(a.uri);
			// An item without a humanCodingScheme goes out without one (no invented code).
			const withoutCode = original.CFItems.filter(
				(i: { humanCodingScheme?: string }) => !i.humanCodingScheme
			).map((i: { identifier: string }) => i.identifier);
			for (const item of pkg.CFItems)
				if (withoutCode.includes(item.identifier)) expect(item.humanCodingScheme).toBeUndefined();
		}
	});

	it('orders siblings by sequenceNumber, then listEnumeration ("a."), then humanCodingScheme', async () => {
		// The sample orders its two clusters by sequenceNumber ("1", "2": text in this CASE 1.0
		// export) and each cluster's standards by listEnumeration ("1.", "a."), agreeing with their
		// codes. Swapped here so that each rule has to win against the ones after it.
		const ccss = sample('opensalt-what-standards-could-be-ccss');
		const codeOf = (id: string) =>
			ccss.CFItems.find((i: { identifier: string }) => i.identifier === id)?.humanCodingScheme;
		for (const a of ccss.CFAssociations) {
			if (a.sequenceNumber) a.sequenceNumber = a.sequenceNumber === '1' ? '2' : '1';
		}
		for (const item of ccss.CFItems) {
			const letter = /^CCSS\.Math\.Content\.6\.RP\.A\.3([a-d])$/.exec(item.humanCodingScheme)?.[1];
			if (letter) item.listEnumeration = `${'dcba'['abcd'.indexOf(letter)]}.`;
		}
		await importCasePackage(db, schoolId, null, ccss);
		expect(await childCodes(null, ccss.CFDocument.identifier)).toEqual([
			'CCSS.Math.Content.7.RP.A',
			'CCSS.Math.Content.6.RP.A'
		]);
		const a3 = ccss.CFItems.find(
			(i: { humanCodingScheme: string }) => i.humanCodingScheme === 'CCSS.Math.Content.6.RP.A.3'
		);
		expect(await childCodes(a3.identifier, ccss.CFDocument.identifier)).toEqual(
			['d', 'c', 'b', 'a'].map((l) => `CCSS.Math.Content.6.RP.A.3${l}`)
		);
		expect(codeOf(a3.identifier)).toBe('CCSS.Math.Content.6.RP.A.3');
		// The ACT sample gives neither: its codes in natural order (L1.2 before L1.10).
		const act = sample('opensalt-act-holistic-math-ordering');
		await importCasePackage(db, schoolId, null, act);
		const level = act.CFItems.find(
			(i: { humanCodingScheme: string }) => i.humanCodingScheme === 'H.A.MATH.GM.PF.2DFP.L1'
		);
		const levelOrder = await childCodes(level.identifier, act.CFDocument.identifier);
		expect(levelOrder.length).toBe(24);
		expect(levelOrder).toEqual(
			Array.from({ length: 24 }, (_, i) => `H.A.MATH.GM.PF.2DFP.L1.${i + 1}`)
		);
		// Text list enumerations are kept as given.
		const exported = await served(ccss.CFDocument.identifier, schoolId);
		const lettered = exported.CFItems.filter((i: { listEnumeration: string }) =>
			/^[a-z]\.$/.test(i.listEnumeration)
		);
		expect(lettered.length).toBeGreaterThan(0);
	});

	it('refuses items placed under each other in a loop, and imports nothing', async () => {
		const [doc, a, b] = [randomUUID(), randomUUID(), randomUUID()];
		const link = (identifier: string) => ({ identifier, title: 'x', uri: `urn:x:${identifier}` });
		const looped = {
			CFDocument: { identifier: doc, title: 'Loop' },
			CFItems: [
				{ identifier: a, fullStatement: 'A' },
				{ identifier: b, fullStatement: 'B' }
			],
			CFAssociations: [
				{ associationType: 'isChildOf', originNodeURI: link(a), destinationNodeURI: link(b) },
				{ associationType: 'isChildOf', originNodeURI: link(b), destinationNodeURI: link(a) }
			]
		};
		await expect(importCasePackage(db, schoolId, null, looped)).rejects.toThrow(/in a loop/);
		expect(
			await db.selectFrom('frameworks').select('id').where('identifier', '=', doc).execute()
		).toEqual([]);
	});

	it(`imports a generated package of 5,000 items (statements up to 2,000 characters) in seconds`, async () => {
		const pkg = generatedPackage(50, 99);
		expect(pkg.CFItems.length).toBe(5000);
		const started = performance.now();
		const result = await importCasePackage(db, schoolId, null, pkg);
		const seconds = (performance.now() - started) / 1000;
		console.log(`CASE import of 5,000 items: ${seconds.toFixed(2)} s`);
		expect(result.itemsCreated).toBe(5000);
		expect(seconds).toBeLessThan(10);
		const exported = await served(pkg.CFDocument.identifier, schoolId);
		expect(exported.CFItems.length).toBe(5000);
		expect(validatePackage(exported), errors()).toBe(true);
		const long = exported.CFItems.find(
			(i: { fullStatement: string }) => i.fullStatement.length > 500
		);
		expect(long.fullStatement.length).toBe(2000);
		// The isChildOf sequenceNumbers (given in reverse of the file's order) decide the order.
		const first = pkg.CFItems[0]!;
		expect((await childCodes(first.identifier, pkg.CFDocument.identifier))[0]).toBe('G1.99');
	}, 60_000);
});

/**
 * A package of `groups` top-level items with `perGroup` children each; children are listed in the
 * file in the reverse of their sequenceNumber, every tenth statement is 2,000 characters long.
 */
function generatedPackage(groups: number, perGroup: number) {
	const documentId = randomUUID();
	const now = '2026-11-30T12:00:00Z';
	const items: object[] = [];
	const associations: object[] = [];
	const link = (identifier: string, title: string) => ({
		identifier,
		title,
		uri: `https://case.example.org/uri/${identifier}`
	});
	for (let g = 1; g <= groups; g++) {
		const groupId = randomUUID();
		items.push({
			identifier: groupId,
			uri: `https://case.example.org/uri/${groupId}`,
			fullStatement: `Group ${g}`,
			humanCodingScheme: `G${g}`,
			lastChangeDateTime: now
		});
		associations.push({
			identifier: randomUUID(),
			uri: `https://case.example.org/uri/a-${g}`,
			associationType: 'isChildOf',
			sequenceNumber: g,
			originNodeURI: link(groupId, `G${g}`),
			destinationNodeURI: link(documentId, 'Generated'),
			lastChangeDateTime: now
		});
		for (let c = 1; c <= perGroup; c++) {
			const id = randomUUID();
			const n = (g - 1) * perGroup + c;
			items.push({
				identifier: id,
				uri: `https://case.example.org/uri/${id}`,
				fullStatement: n % 10 === 0 ? 'x'.repeat(2000) : `Statement ${n}`,
				humanCodingScheme: `G${g}.${c}`,
				lastChangeDateTime: now
			});
			associations.push({
				identifier: randomUUID(),
				uri: `https://case.example.org/uri/a-${g}-${c}`,
				associationType: 'isChildOf',
				sequenceNumber: perGroup + 1 - c,
				originNodeURI: link(id, `G${g}.${c}`),
				destinationNodeURI: link(groupId, `G${g}`),
				lastChangeDateTime: now
			});
		}
	}
	return {
		CFDocument: {
			identifier: documentId,
			uri: `https://case.example.org/uri/${documentId}`,
			creator: 'Generated',
			title: 'Generated',
			lastChangeDateTime: now
		},
		CFItems: items as { identifier: string }[],
		CFAssociations: associations
	};
}
