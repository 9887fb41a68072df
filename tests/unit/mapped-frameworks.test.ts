import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { render } from 'svelte/server';
import Ajv2019 from 'ajv/dist/2019';
import addFormats from 'ajv-formats';
import type { DB } from '../../src/lib/server/db/connection';
import {
	crosswalkFor,
	exportCasePackage,
	fusionSkills,
	importCasePackage,
	resetSchoolCrosswalk,
	saveSchoolCrosswalk
} from '../../src/lib/server/frameworks/frameworks';
import {
	crosswalkEditor,
	readCrosswalkForm
} from '../../src/lib/server/frameworks/crosswalk-editor';
import { learnerProfile } from '../../src/lib/server/profiles/profiles';
import {
	learnerCsvHeader,
	learnerRowsForCsv,
	schoolFusionReport
} from '../../src/lib/server/reports/school-report';
import { insertSchool, planSchool, schoolOfSize } from '../../src/lib/server/db/seed';
import { seedDemoActivity } from '../../src/lib/server/db/demo-activity';
import { CAPRI, FUSION_SKILLS } from '../../src/lib/domain/frameworks';
import {
	DEFAULT_MAPPINGS,
	OECD_LEARNING_COMPASS,
	SKILLS_BUILDER
} from '../../src/lib/domain/mapped-frameworks';
import ProfileView from '../../src/lib/components/profiles/ProfileView.svelte';
import { demoDatabase, freshDatabase, secondSchool, sessionUser, userId } from './helpers';

const BASE = 'https://skills.example.org';
let db: DB;
let schoolId: number;
beforeEach(async () => ({ db, schoolId } = await demoDatabase()));
afterEach(async () => db.destroy());

const round3 = (n: number) => Math.round(n * 1000) / 1000;

const otherSchool = async () => (await secondSchool(db)).schoolId;

/** The demo's activity (tasks marked and released), for the figures that need evidence. */
async function withActivity() {
	process.env.UPLOADS_DIR = mkdtempSync(join(tmpdir(), 'fusion-mapped-'));
	await seedDemoActivity(db, 'http://localhost:3000');
}

/** The school's Skills Builder rows as "SB-LI FS-02 0.5", sorted. */
async function skillsBuilderRows(school: number) {
	const editor = await crosswalkEditor(db, school, 'skills-builder');
	const code = new Map(
		[...editor.groups.flatMap((g) => g.sources), ...editor.skills].map((i) => [i.id, i.code])
	);
	return editor.weights.map((w) => `${code.get(w.source)} ${code.get(w.skill)} ${w.weight}`).sort();
}

/** The crosswalk form as the page posts it: every box, from the editor's current weights. */
function formFrom(
	editor: Awaited<ReturnType<typeof crosswalkEditor>>,
	edits: Record<string, string>
) {
	const form = new FormData();
	for (const source of editor.groups.flatMap((g) => g.sources))
		for (const skill of editor.skills) {
			const key = `${source.code} ${skill.code}`;
			const current =
				editor.weights.find((w) => w.source === source.id && w.skill === skill.id)?.weight ?? 0;
			form.set(`w_${source.id}_${skill.id}`, edits[key] ?? String(current));
		}
	return form;
}

describe('the shipped frameworks', () => {
	it('Skills Builder (8 skills × steps 0–15) and the OECD Learning Compass are shared, with their default crosswalks', async () => {
		const shared = await db
			.selectFrom('frameworks')
			.select(['identifier', 'school_id', 'creator', 'kind'])
			.where('identifier', 'in', [SKILLS_BUILDER.identifier, OECD_LEARNING_COMPASS.identifier])
			.execute();
		expect(shared).toEqual(
			expect.arrayContaining([
				{
					identifier: SKILLS_BUILDER.identifier,
					school_id: null,
					creator: 'Skills Builder Partnership',
					kind: 'other'
				},
				expect.objectContaining({ identifier: OECD_LEARNING_COMPASS.identifier, school_id: null })
			])
		);
		expect(await skillsBuilderRows(schoolId)).toEqual(
			Object.entries(DEFAULT_MAPPINGS[SKILLS_BUILDER.identifier]!)
				.flatMap(([sb, skills]) => Object.entries(skills).map(([fs, w]) => `${sb} ${fs} ${w}`))
				.sort()
		);
		// CAPRI's criteria still map only through CAPRI rows: no Skills Builder row has a CAPRI source.
		const capri = await crosswalkEditor(db, schoolId, 'capri');
		expect(capri.weights).toHaveLength(29);
	});
});

describe('editing a framework’s crosswalk', () => {
	it('saves one framework’s rows, leaves the others’, audits it, and resets to the default', async () => {
		const admin = await userId(db, 'admin');
		// The school has its own CAPRI row first.
		const capri = await crosswalkEditor(db, schoolId, 'capri');
		const capriRead = readCrosswalkForm(formFrom(capri, { 'C1 FS-03': '1' }), capri);
		if (!('rows' in capriRead)) throw new Error('CAPRI form refused');
		await saveSchoolCrosswalk(db, schoolId, admin, capriRead.rows);
		const capriBefore = (await crosswalkFor(db, schoolId)).filter((r) =>
			capri.groups.some((g) => g.sources.some((s) => s.id === r.sourceItemId))
		);

		const editor = await crosswalkEditor(db, schoolId, 'skills-builder');
		expect(editor.usingDefault).toBe(true);
		const read = readCrosswalkForm(
			formFrom(editor, { 'SB-LI FS-02': '2', 'SB-LI FS-01': '', 'SB-LI FS-09': '1' }),
			editor
		);
		if (!('rows' in read)) throw new Error(`refused: ${JSON.stringify(read)}`);
		await saveSchoolCrosswalk(db, schoolId, admin, read.rows, SKILLS_BUILDER.identifier);

		expect((await skillsBuilderRows(schoolId)).filter((r) => r.startsWith('SB-LI'))).toEqual([
			'SB-LI FS-02 2',
			'SB-LI FS-09 1'
		]);
		expect((await crosswalkEditor(db, schoolId, 'skills-builder')).usingDefault).toBe(false);
		// CAPRI's rows are as they were: saving one framework never touches another's.
		const capriAfter = (await crosswalkFor(db, schoolId)).filter((r) =>
			capri.groups.some((g) => g.sources.some((s) => s.id === r.sourceItemId))
		);
		expect(capriAfter).toEqual(capriBefore);

		const audit = await db
			.selectFrom('audit_log')
			.select(['action', 'after_json', 'actor_id'])
			.where('action', 'like', 'crosswalk.%')
			.orderBy('id')
			.execute();
		expect(audit.at(-1)).toMatchObject({ action: 'crosswalk.save', actor_id: admin });
		expect(JSON.parse(audit.at(-1)!.after_json!)).toEqual({
			framework: SKILLS_BUILDER.identifier,
			sources: 8,
			rows: 16
		});

		await resetSchoolCrosswalk(db, schoolId, admin, SKILLS_BUILDER.identifier);
		expect((await skillsBuilderRows(schoolId)).filter((r) => r.startsWith('SB-LI'))).toEqual([
			'SB-LI FS-01 0.3',
			'SB-LI FS-02 0.5',
			'SB-LI FS-09 0.2'
		]);
		expect(
			(await crosswalkFor(db, schoolId)).filter((r) =>
				capri.groups.some((g) => g.sources.some((s) => s.id === r.sourceItemId))
			)
		).toEqual(capriBefore);
		const reset = await db
			.selectFrom('audit_log')
			.select(['action', 'after_json', 'before_json'])
			.where('action', '=', 'crosswalk.reset')
			.executeTakeFirstOrThrow();
		expect(JSON.parse(reset.after_json!)).toEqual({ framework: SKILLS_BUILDER.identifier });
		expect(JSON.parse(reset.before_json!)).toHaveLength(16);
	});

	it('refuses bad weights and a row that maps to nothing, saying which, and saves nothing', async () => {
		const editor = await crosswalkEditor(db, schoolId, 'oecd-learning-compass');
		const read = readCrosswalkForm(
			formFrom(editor, {
				'TC-1 FS-11': 'lots',
				'TC-1 FS-04': '-1',
				'TC-1 FS-03': '101',
				'TC-2 FS-09': '0',
				'TC-2 FS-12': '0',
				'TC-2 FS-06': '0'
			}),
			editor
		);
		expect(read).toEqual({
			problems: [
				'TC-1 → FS-03: “101” is not a weight from 0 to 100.',
				'TC-1 → FS-04: “-1” is not a weight from 0 to 100.',
				'TC-1 → FS-11: “lots” is not a weight from 0 to 100.',
				'TC-2 Reconciling tensions and dilemmas must count towards at least one Fusion Skill.'
			]
		});
		expect((await crosswalkEditor(db, schoolId, 'oecd-learning-compass')).usingDefault).toBe(true);
	});

	it('refuses rows whose source is another framework’s item (a CAPRI row posted as Skills Builder)', async () => {
		const admin = await userId(db, 'admin');
		const capri = await crosswalkEditor(db, schoolId, 'capri');
		const skills = await fusionSkills(db);
		await expect(
			saveSchoolCrosswalk(
				db,
				schoolId,
				admin,
				[{ sourceItemId: capri.groups[0]!.sources[0]!.id, targetItemId: skills[0]!.id, weight: 1 }],
				SKILLS_BUILDER.identifier
			)
		).rejects.toThrow(/not in this framework/);
	});

	it('another school’s admin edits only their own school’s crosswalk', async () => {
		const otherId = await otherSchool();
		const otherAdmin = await userId(db, 'other-admin');
		const before = await skillsBuilderRows(schoolId);
		const theirs = await crosswalkEditor(db, otherId, 'skills-builder');
		const read = readCrosswalkForm(
			formFrom(theirs, { 'SB-TW FS-02': '1', 'SB-TW FS-01': '1' }),
			theirs
		);
		if (!('rows' in read)) throw new Error('refused');
		await saveSchoolCrosswalk(db, otherId, otherAdmin, read.rows, SKILLS_BUILDER.identifier);
		await resetSchoolCrosswalk(db, otherId, otherAdmin, CAPRI.identifier);
		expect((await skillsBuilderRows(otherId)).filter((r) => r.startsWith('SB-TW'))).toEqual([
			'SB-TW FS-01 1',
			'SB-TW FS-02 1'
		]);
		expect(await skillsBuilderRows(schoolId)).toEqual(before);
		expect((await crosswalkEditor(db, schoolId, 'skills-builder')).usingDefault).toBe(true);
	});
});

/** The username of a demo learner with released grades. */
async function learnerWithResults(): Promise<string> {
	return (
		await db
			.selectFrom('submissions')
			.innerJoin('users', 'users.id', 'submissions.learner_id')
			.select('users.username')
			.where('submissions.released_at', 'is not', null)
			.orderBy('users.id')
			.executeTakeFirstOrThrow()
	).username;
}

describe('a learner’s profile in another framework', () => {
	it('each Skills Builder figure is the share-weighted mean of its Fusion Skills’ levels, with the working', async () => {
		await withActivity();
		const student = await sessionUser(db, await learnerWithResults());
		const profile = await learnerProfile(db, student, student.id, 'skills-builder');
		expect(profile.resultCount).toBeGreaterThan(0);
		const fusion = new Map(profile.skills.map((s) => [s.code, s]));
		const item = (code: string) => profile.mapped!.items.find((i) => i.code === code)!;
		expect(profile.mapped!.items.map((i) => i.title)).toEqual(
			SKILLS_BUILDER.items.map((i) => i.title)
		);
		// Speaking draws on FS-01 alone, Teamwork on FS-02 alone: the same level.
		expect(item('SB-SP').level).toBe(fusion.get('FS-01')!.level);
		expect(item('SB-TW').level).toBe(fusion.get('FS-02')!.level);
		// Listening: FS-02 × 0.5 + FS-01 × 0.3 + FS-09 × 0.2, over the skills with evidence.
		const parts = [
			['FS-02', 0.5],
			['FS-01', 0.3],
			['FS-09', 0.2]
		] as const;
		const counted = parts.filter(([code]) => fusion.get(code)!.level !== null);
		const expected = round3(
			counted.reduce((s, [code, share]) => s + fusion.get(code)!.level! * share, 0) /
				counted.reduce((s, [, share]) => s + share, 0)
		);
		expect(item('SB-LI').level).toBe(expected);
		expect(item('SB-LI').inputs.map((i) => [i.code, i.share])).toEqual(parts);
		// The profile page shows the working: the skills, their shares and the results under them.
		const page = render(ProfileView, { props: { profile, isOwn: true } }).body.replace(/\s+/g, ' ');
		expect(page).toContain('Skills Builder Universal Framework');
		expect(page).toContain('not as Skills Builder steps 0–15');
		expect(page).toMatch(/FS-02 Collaboration and teamwork: share 50%/);
		const firstResult = fusion.get('FS-02')!.inputs[0];
		if (firstResult)
			expect(page).toContain(`${firstResult.taskTitle}, ${firstResult.criterionCode}`);
	});

	it('a student sees only their own profile in another framework', async () => {
		const student = await sessionUser(db, 'student1');
		const classmate = await userId(db, 'student2');
		await expect(learnerProfile(db, student, classmate, 'skills-builder')).rejects.toMatchObject({
			status: 403
		});
		const otherId = await otherSchool();
		const outsider = await sessionUser(db, 'other-admin');
		expect(outsider.schoolId).toBe(otherId);
		await expect(
			learnerProfile(db, outsider, student.id, 'oecd-learning-compass')
		).rejects.toMatchObject({ status: 404 });
	});
});

describe('the school report in another framework', () => {
	it('has a row per learner × item with its working, and the CSV says how each figure came about', async () => {
		await withActivity();
		const fusion = await schoolFusionReport(db, schoolId);
		const oecd = await schoolFusionReport(db, schoolId, {}, 'oecd-learning-compass');
		expect(oecd.skills.map((s) => s.code)).toEqual(['TC-1', 'TC-2', 'TC-3']);
		expect(oecd.framework!.mapping[2]).toEqual({
			code: 'TC-3',
			title: 'Taking responsibility',
			skills: [
				{ code: 'FS-08', title: FUSION_SKILLS.items[7]!.title, share: 0.6 },
				{ code: 'FS-03', title: FUSION_SKILLS.items[2]!.title, share: 0.2 },
				{ code: 'FS-05', title: FUSION_SKILLS.items[4]!.title, share: 0.2 }
			]
		});
		const learners = new Set(fusion.rows.map((r) => r.learnerId));
		expect(oecd.rows).toHaveLength(learners.size * 3);
		// Exact: a learner's TC-3 is (FS-08 × 0.6 + FS-03 × 0.2 + FS-05 × 0.2) over skills with evidence.
		const learner = [...learners].find((id) =>
			fusion.rows.some(
				(r) =>
					r.learnerId === id &&
					['FS-08', 'FS-03', 'FS-05'].includes(r.skillCode) &&
					r.level !== null
			)
		)!;
		expect(learner).toBeDefined();
		const level = (code: string) =>
			fusion.rows.find((r) => r.learnerId === learner && r.skillCode === code)!.level;
		const parts = (
			[
				['FS-08', 0.6],
				['FS-03', 0.2],
				['FS-05', 0.2]
			] as const
		).filter(([code]) => level(code) !== null);
		const tc3 = oecd.rows.find((r) => r.learnerId === learner && r.skillCode === 'TC-3')!;
		expect(tc3.level).toBe(
			parts.length
				? round3(
						parts.reduce((s, [code, share]) => s + level(code)! * share, 0) /
							parts.reduce((s, [, share]) => s + share, 0)
					)
				: null
		);
		expect(tc3.working).toMatch(/^\(FS-0\d [\d.]+ × 0\.\d/);
		const header = learnerCsvHeader(oecd);
		expect(header.at(-1)).toBe('working');
		expect(learnerRowsForCsv(oecd)[0]).toHaveLength(header.length);
		// The Fusion Skills CSV keeps its columns.
		expect(learnerCsvHeader(fusion)).not.toContain('working');
		// Class means: over learners with evidence, like the Fusion Skills'.
		const group = oecd.byClass[0]!;
		const mean = group.skills[2]!;
		const withEvidence = oecd.rows
			.filter(
				(r) =>
					r.skillCode === 'TC-3' && r.level !== null && r.classes.split('; ').includes(group.group)
			)
			.map((r) => r.level!);
		expect(mean.learnersWithEvidence).toBe(withEvidence.length);
		expect(mean.mean).toBe(round3(withEvidence.reduce((a, b) => a + b, 0) / withEvidence.length));
	});
});

// 1EdTech's own CASE 1.1 CFPackage schema (vendored: tests/fixtures/standards/case/PROVENANCE.md).
const validatePackage = (() => {
	const ajv = new Ajv2019({ strict: false, allErrors: true });
	addFormats(ajv);
	return ajv.compile(
		JSON.parse(
			readFileSync(
				new URL(
					'../fixtures/standards/case/v1p1/case_v1p1_cfpackage-jsonschema1.json',
					import.meta.url
				),
				'utf8'
			)
		)
	);
})();

describe('published as CASE packages with their associations', () => {
	it('Skills Builder: 8 skills and 128 steps, the hierarchy and the crosswalk as weighted associations, valid CASE 1.1', async () => {
		const pkg = JSON.parse(
			JSON.stringify(await exportCasePackage(db, SKILLS_BUILDER.identifier, BASE, null))
		);
		expect(validatePackage(pkg), JSON.stringify(validatePackage.errors?.slice(0, 3))).toBe(true);
		expect(pkg.CFDocument).toMatchObject({
			creator: 'Skills Builder Partnership',
			title: 'Skills Builder Universal Framework'
		});
		expect(pkg.CFDocument.description).toMatch(/Skills Builder Partnership/);
		expect(pkg.CFItems).toHaveLength(8 + 8 * 16);
		type Association = {
			associationType: string;
			originNodeURI: { identifier: string };
			destinationNodeURI: { identifier: string };
			extensions?: { crosswalkWeight: number };
		};
		const associations: Association[] = pkg.CFAssociations;
		expect(associations.filter((a) => a.associationType === 'isChildOf')).toHaveLength(136);
		const listening = SKILLS_BUILDER.items[0]!;
		// Step 0 of Listening is a child of Listening.
		expect(
			associations.find((a) => a.originNodeURI.identifier === listening.children![0]!.identifier)!
				.destinationNodeURI.identifier
		).toBe(listening.identifier);
		const related = associations.filter((a) => a.associationType === 'isRelatedTo');
		expect(related).toHaveLength(17);
		const oral = FUSION_SKILLS.items[0]!.identifier;
		expect(
			related.find(
				(a) =>
					a.originNodeURI.identifier === listening.identifier &&
					a.destinationNodeURI.identifier === oral
			)!.extensions
		).toEqual({ crosswalkWeight: 0.3 });
	});

	it('the school’s edited crosswalk goes out in its download; the package re-imports elsewhere as that school’s crosswalk', async () => {
		const admin = await userId(db, 'admin');
		const editor = await crosswalkEditor(db, schoolId, 'oecd-learning-compass');
		const read = readCrosswalkForm(formFrom(editor, { 'TC-1 FS-11': '3' }), editor);
		if (!('rows' in read)) throw new Error('refused');
		await saveSchoolCrosswalk(db, schoolId, admin, read.rows, OECD_LEARNING_COMPASS.identifier);
		const pkg = JSON.parse(
			JSON.stringify(await exportCasePackage(db, OECD_LEARNING_COMPASS.identifier, BASE, schoolId))
		);
		expect(validatePackage(pkg), JSON.stringify(validatePackage.errors?.slice(0, 3))).toBe(true);
		const creatingValue = OECD_LEARNING_COMPASS.items[0]!.identifier;
		const creativity = FUSION_SKILLS.items[10]!.identifier;
		const weightOf = (p: typeof pkg) =>
			p.CFAssociations.find(
				(a: {
					originNodeURI: { identifier: string };
					destinationNodeURI: { identifier: string };
				}) =>
					a.originNodeURI.identifier === creatingValue &&
					a.destinationNodeURI.identifier === creativity
			).extensions.crosswalkWeight;
		expect(weightOf(pkg)).toBe(3);
		// The public link carries the shipped default.
		expect(
			weightOf(
				JSON.parse(
					JSON.stringify(await exportCasePackage(db, OECD_LEARNING_COMPASS.identifier, BASE, null))
				)
			)
		).toBe(0.4);

		const other = await freshDatabase();
		const { schoolId: otherId } = await insertSchool(
			other,
			planSchool({ ...schoolOfSize(2, 1, 3), slug: 'elsewhere' }),
			'pw'
		);
		const result = await importCasePackage(other, otherId, null, pkg);
		expect(result).toMatchObject({ frameworkCreated: false, itemsCreated: 0, crosswalkRows: 10 });
		await other.destroy();
	});
});
