import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DB } from '../../src/lib/server/db/connection';
import { ensureReferenceData } from '../../src/lib/server/frameworks/reference-data';
import {
	capriTree,
	crosswalkFor,
	exportCasePackage,
	fusionSkills,
	importCasePackage,
	listFrameworks,
	saveSchoolCrosswalk
} from '../../src/lib/server/frameworks/frameworks';
import { insertSchool, planSchool, schoolOfSize } from '../../src/lib/server/db/seed';
import {
	CAPRI,
	columnSkillTitle,
	DEFAULT_CROSSWALK,
	FUSION_SKILLS,
	shortestSkillTitle
} from '../../src/lib/domain/frameworks';
import { DEFAULT_MAPPINGS } from '../../src/lib/domain/mapped-frameworks';
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
		// CAPRI's default crosswalk and the mappings of Skills Builder and the OECD Learning Compass
		const defaultRows = [DEFAULT_CROSSWALK, ...Object.values(DEFAULT_MAPPINGS)]
			.flatMap((mapping) => Object.values(mapping))
			.reduce((n, skills) => n + Object.keys(skills).length, 0);
		expect((await db.selectFrom('crosswalk_weights').select('id').execute()).length).toBe(
			defaultRows
		);
	});
});

describe('skill names for narrow column headings', () => {
	const SOFT_HYPHEN = '\u00ad';
	it('are the shortest names, with a soft hyphen before the suffix of each long word', () => {
		const titles = FUSION_SKILLS.items.map((s) => columnSkillTitle(s.title));
		expect(titles.map((t) => t.replaceAll(SOFT_HYPHEN, ''))).toEqual(
			FUSION_SKILLS.items.map((s) => shortestSkillTitle(s.title))
		);
		expect(titles[0]).toBe(`Oral communi${SOFT_HYPHEN}cation`);
		expect(titles[4]).toBe(`Organ${SOFT_HYPHEN}isational skills`);
		expect(columnSkillTitle('Initiative')).toBe('Initiative');
		// Every piece that cannot break is at most 12 letters ("Adaptability"): it fits a column
		// of the class overview (tests/e2e/screen-fit.spec.ts checks the real layout).
		for (const title of titles)
			for (const piece of title.split(/[\s\u00ad]+/))
				expect(piece.length, title).toBeLessThanOrEqual(12);
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

describe('many schools on one server', () => {
	/** A second school on the same server, with its own admin. */
	async function otherSchool(): Promise<number> {
		const other = planSchool({ ...schoolOfSize(4, 1, 7), slug: 'other' });
		other.people = other.people.map((p) => ({ ...p, username: `other-${p.username}` }));
		other.classes = other.classes.map((c) => ({
			...c,
			teachers: c.teachers.map((t) => `other-${t}`),
			learners: c.learners.map((l) => `other-${l}`)
		}));
		return (await insertSchool(db, other, 'pw')).schoolId;
	}

	/** The Fusion Skills package under new identifiers: a framework of the school's own. */
	async function privatePackage(title: string) {
		const shared = (await exportCasePackage(db, FUSION_SKILLS.identifier, BASE, null))!;
		let text = JSON.stringify({ ...shared, CFDocument: { ...shared.CFDocument, title } });
		for (const id of [shared.CFDocument.identifier, ...shared.CFItems.map((i) => i.identifier)])
			text = text.replaceAll(id, randomUUID());
		return JSON.parse(text) as typeof shared;
	}

	const itemCount = async () =>
		Number(
			(
				await db
					.selectFrom('framework_items')
					.select((eb) => eb.fn.countAll<number>().as('n'))
					.executeTakeFirstOrThrow()
			).n
		);

	it('a school admin cannot add an item to a shared framework: refused, nothing changed', async () => {
		const otherId = await otherSchool();
		const otherAdmin = await userId(db, 'other-admin');
		const fusion = (await exportCasePackage(db, FUSION_SKILLS.identifier, BASE, otherId))!;
		const thirteenth = {
			...fusion.CFItems[0]!,
			identifier: randomUUID(),
			humanCodingScheme: 'FS-13',
			fullStatement: 'A thirteenth Fusion Skill for everyone'
		};
		const tampered = JSON.parse(
			JSON.stringify({ ...fusion, CFItems: [...fusion.CFItems, thirteenth] })
		);
		const before = await itemCount();
		await expect(importCasePackage(db, otherId, otherAdmin, tampered)).rejects.toThrow(
			/shared by every school on this server.*FS-13.*Nothing was imported/
		);
		expect(await itemCount()).toBe(before);
		expect((await fusionSkills(db)).map((s) => s.code)).toEqual(
			FUSION_SKILLS.items.map((s) => s.code)
		);
		// The same holds for CAPRI: a new sub-category under C is refused.
		const capri = (await exportCasePackage(db, CAPRI.identifier, BASE, otherId))!;
		const extra = { ...capri.CFItems.at(-1)!, identifier: randomUUID(), humanCodingScheme: 'C9' };
		await expect(
			importCasePackage(
				db,
				otherId,
				otherAdmin,
				JSON.parse(JSON.stringify({ ...capri, CFItems: [...capri.CFItems, extra] }))
			)
		).rejects.toThrow(/shared by every school/);
		expect(await itemCount()).toBe(before);
		// The command line (no school) still may.
		await expect(importCasePackage(db, null, null, tampered)).resolves.toMatchObject({
			itemsCreated: 1
		});
	});

	it('a crosswalk cannot point at another school’s private item: skipped, its title never copied', async () => {
		const admin = await userId(db, 'admin');
		const ours = await privatePackage('Our school’s own skills');
		await importCasePackage(db, schoolId, admin, ours);
		const otherId = await otherSchool();
		const capri = (await exportCasePackage(db, CAPRI.identifier, BASE, null))!;
		const related = capri.CFAssociations.filter((a) => a.associationType === 'isRelatedTo');
		const hidden = ours.CFItems[0]!;
		related[0]!.destinationNodeURI = {
			...related[0]!.destinationNodeURI,
			identifier: hidden.identifier
		};
		const result = await importCasePackage(db, otherId, await userId(db, 'other-admin'), capri);
		expect(result.crosswalkSkipped).toBe(1);
		expect(result.crosswalkRows).toBe(related.length - 1);
		const hiddenId = (
			await db
				.selectFrom('framework_items')
				.select('id')
				.where('identifier', '=', hidden.identifier)
				.executeTakeFirstOrThrow()
		).id;
		expect((await crosswalkFor(db, otherId)).map((r) => r.targetItemId)).not.toContain(hiddenId);
		const theirExport = JSON.stringify(
			await exportCasePackage(db, CAPRI.identifier, BASE, otherId)
		);
		expect(theirExport).not.toContain(hidden.identifier);
	});

	it("another school's private framework cannot be downloaded by id; shared ones still can", async () => {
		const admin = await userId(db, 'admin');
		const ours = await privatePackage('Our school’s own skills');
		await importCasePackage(db, schoolId, admin, ours);
		const otherId = await otherSchool();

		expect(await exportCasePackage(db, ours.CFDocument.identifier, BASE, schoolId)).not.toBeNull();
		expect(await exportCasePackage(db, ours.CFDocument.identifier, BASE, otherId)).toBeNull();
		expect(await exportCasePackage(db, ours.CFDocument.identifier, BASE, null)).toBeNull();
		for (const shared of [FUSION_SKILLS.identifier, CAPRI.identifier])
			expect((await exportCasePackage(db, shared, BASE, otherId))?.CFDocument.identifier).toBe(
				shared
			);
		expect((await listFrameworks(db, otherId)).map((f) => f.identifier)).not.toContain(
			ours.CFDocument.identifier
		);
	});
});
