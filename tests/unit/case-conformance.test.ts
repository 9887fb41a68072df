import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import Ajv2019 from 'ajv/dist/2019';
import addFormats from 'ajv-formats';
import type { DB } from '../../src/lib/server/db/connection';
import { exportCasePackage, importCasePackage } from '../../src/lib/server/frameworks/frameworks';
import { CAPRI, COL_LAYERS, FUSION_SKILLS } from '../../src/lib/domain/frameworks';
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
			expect.arrayContaining([FUSION_SKILLS.identifier, CAPRI.identifier, COL_LAYERS.identifier])
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
