import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DB } from '../../src/lib/server/db/connection';
import { ensureReferenceData } from '../../src/lib/server/frameworks/reference-data';
import {
	capriTree,
	crosswalkFor,
	exportCasePackage,
	fusionSkills,
	importCasePackage,
	saveSchoolCrosswalk
} from '../../src/lib/server/frameworks/frameworks';
import { CAPRI, DEFAULT_CROSSWALK, FUSION_SKILLS } from '../../src/lib/domain/frameworks';
import { demoDatabase, freshDatabase, userId } from './helpers';

const BASE = 'https://skills.example.org';
let db: DB;
let schoolId: number;
beforeEach(async () => ({ db, schoolId } = await demoDatabase()));
afterEach(async () => db.destroy());

describe('reference data', () => {
	it('ships both frameworks once, however often it runs', async () => {
		await ensureReferenceData(db);
		await ensureReferenceData(db);
		expect((await fusionSkills(db)).map((s) => s.code)).toEqual(
			FUSION_SKILLS.items.map((s) => s.code)
		);
		const capri = await capriTree(db);
		expect(capri.map((c) => `${c.code}:${c.colour}`)).toEqual([
			'C:#1d4ed8',
			'A:#a21caf',
			'P:#0f766e',
			'R:#b45309',
			'I:#be123c'
		]);
		expect(capri.every((c) => c.subCategories.length >= 3)).toBe(true);
		const defaultRows = Object.values(DEFAULT_CROSSWALK).reduce(
			(n, skills) => n + Object.keys(skills).length,
			0
		);
		expect((await db.selectFrom('crosswalk_weights').select('id').execute()).length).toBe(
			defaultRows
		);
	});
});

describe('CASE export and import', () => {
	it('the Fusion Skills package re-imports into an empty database with identical identifiers', async () => {
		const exported = await exportCasePackage(db, FUSION_SKILLS.identifier, BASE, null);
		expect(exported!.CFDocument.identifier).toBe(FUSION_SKILLS.identifier);
		expect(exported!.CFItems.map((i) => i.humanCodingScheme)).toEqual(
			FUSION_SKILLS.items.map((i) => i.code)
		);
		expect(exported!.CFItems[0]!.uri).toBe(
			`${BASE}/frameworks/items/${FUSION_SKILLS.items[0]!.identifier}`
		);

		const empty = await freshDatabase();
		const json = JSON.parse(JSON.stringify(exported));
		const result = await importCasePackage(empty, null, null, json);
		expect(result).toMatchObject({
			frameworkCreated: true,
			itemsCreated: 12,
			itemsAlreadyPresent: 0
		});
		const reExported = await exportCasePackage(empty, FUSION_SKILLS.identifier, BASE, null);
		expect(reExported).toEqual(exported);

		// A second import changes nothing.
		expect(await importCasePackage(empty, null, null, json)).toMatchObject({
			frameworkCreated: false,
			itemsCreated: 0,
			itemsAlreadyPresent: 12
		});
		await empty.destroy();
	});

	it('CAPRI travels with its hierarchy, colours and the crosswalk, which lands as the importing school’s', async () => {
		const admin = await userId(db, 'admin');
		const skills = await fusionSkills(db);
		const c1 = (await capriTree(db))[0]!.subCategories[0]!;
		await saveSchoolCrosswalk(db, schoolId, admin, [
			{ sourceItemId: c1.id, targetItemId: skills[0]!.id, weight: 3 },
			{ sourceItemId: c1.id, targetItemId: skills[6]!.id, weight: 1 }
		]);
		const exported = await exportCasePackage(db, CAPRI.identifier, BASE, schoolId);
		const related = exported!.CFAssociations.filter((a) => a.associationType === 'isRelatedTo');
		expect(
			related
				.filter((a) => a.originNodeURI.identifier === c1.identifier)
				.map((a) => (a as { extensions: { crosswalkWeight: number } }).extensions.crosswalkWeight)
				.sort()
		).toEqual([1, 3]);

		// Another installation with the shared frameworks and its own school takes the crosswalk.
		const other = await demoDatabase();
		const result = await importCasePackage(
			other.db,
			other.schoolId,
			null,
			JSON.parse(JSON.stringify(exported))
		);
		expect(result).toMatchObject({
			frameworkCreated: false,
			itemsCreated: 0,
			itemsAlreadyPresent: 25
		});
		const theirs = await crosswalkFor(other.db, other.schoolId);
		const theirSkills = await fusionSkills(other.db);
		const theirC1 = (await capriTree(other.db))[0]!.subCategories[0]!;
		expect(
			theirs
				.filter((r) => r.sourceItemId === theirC1.id)
				.map((r) => [theirSkills.find((s) => s.id === r.targetItemId)!.code, r.weight])
				.sort()
		).toEqual([
			['FS-01', 3],
			['FS-07', 1]
		]);
		await other.db.destroy();
	});

	it('refuses a document that is not a CASE package, naming what is wrong', async () => {
		await expect(importCasePackage(db, schoolId, null, { hello: 'world' })).rejects.toThrow(
			/Not a CASE framework package: CFDocument/
		);
		await expect(
			importCasePackage(db, schoolId, null, {
				CFDocument: { identifier: 'not-a-uuid', title: 'X' },
				CFItems: []
			})
		).rejects.toThrow(/identifier must be a UUID/);
	});
});
