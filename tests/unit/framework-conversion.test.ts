import { describe, expect, it } from 'vitest';
import {
	itemMapping,
	mappedLevel,
	mappedProfile,
	workingText
} from '../../src/lib/domain/framework-conversion';
import { fusionSkillProfile, type CriterionResult } from '../../src/lib/domain/profiles';
import type { CrosswalkWeight } from '../../src/lib/domain/crosswalk';
import { DEFAULT_SCHOOL_SCALE } from '../../src/lib/domain/scales';
import { FUSION_SKILLS } from '../../src/lib/domain/frameworks';
import {
	DEFAULT_MAPPINGS,
	OECD_LEARNING_COMPASS,
	SKILLS_BUILDER,
	SKILLS_BUILDER_STEPS
} from '../../src/lib/domain/mapped-frameworks';

// Items 101 (Listening-like: skills 1, 2, 3 at 5:3:2) and 102 (skill 4 only); skills 1–4.
const crosswalk: CrosswalkWeight[] = [
	{ sourceItemId: 101, targetItemId: 1, weight: 0.5 },
	{ sourceItemId: 101, targetItemId: 2, weight: 0.3 },
	{ sourceItemId: 101, targetItemId: 3, weight: 0.2 },
	{ sourceItemId: 102, targetItemId: 4, weight: 2 },
	// a CAPRI row in the same crosswalk: another source, so it never leaks into 101 or 102
	{ sourceItemId: 900, targetItemId: 1, weight: 1 }
];

function result(over: Partial<CriterionResult>): CriterionResult {
	return {
		taskId: 1,
		taskTitle: 'Pitch',
		releasedAt: '2026-10-01T00:00:00Z',
		criterionId: 1,
		criterionCode: 'C1.1',
		capriCategory: 'C',
		taskWeight: 1,
		bands: DEFAULT_SCHOOL_SCALE.bands,
		teacherValue: 50,
		selfValue: null,
		skillShares: new Map([[1, 1]]),
		...over
	};
}

const levels = (entries: [number, number | null, (number | null)?][]) =>
	new Map(entries.map(([id, level, selfLevel]) => [id, { level, selfLevel: selfLevel ?? null }]));

describe('a profile read in another framework', () => {
	it('normalises an item’s mapping, largest share first, and ignores other sources', () => {
		expect(itemMapping(crosswalk, 101)).toEqual([
			{ skillId: 1, share: 0.5 },
			{ skillId: 2, share: 0.3 },
			{ skillId: 3, share: 0.2 }
		]);
		expect(itemMapping(crosswalk, 102)).toEqual([{ skillId: 4, share: 1 }]);
		expect(itemMapping(crosswalk, 999)).toEqual([]);
	});

	it('is the share-weighted mean of the skills’ levels, exactly', () => {
		const entry = mappedLevel(
			levels([
				[1, 0.6, 0.8],
				[2, 0.4, 0.4],
				[3, 0.9, null]
			]),
			itemMapping(crosswalk, 101)
		);
		// 0.6 × 0.5 + 0.4 × 0.3 + 0.9 × 0.2 = 0.3 + 0.12 + 0.18 = 0.6
		expect(entry.level).toBe(0.6);
		// own view: skill 3 not self-assessed, so (0.8 × 0.5 + 0.4 × 0.3) ÷ 0.8 = 0.52 ÷ 0.8 = 0.65
		expect(entry.selfLevel).toBe(0.65);
		expect(entry.coverage).toBe(1);
		expect(entry.inputs.map((i) => [i.skillId, i.counted, i.usedShare])).toEqual([
			[1, true, 0.5],
			[2, true, 0.3],
			[3, true, 0.2]
		]);
	});

	it('leaves out a skill without evidence and divides the others’ shares again, saying how much is missing', () => {
		const entry = mappedLevel(
			levels([
				[1, 0.6],
				[2, 0.4],
				[3, null]
			]),
			itemMapping(crosswalk, 101)
		);
		// (0.6 × 0.5 + 0.4 × 0.3) ÷ 0.8 = 0.42 ÷ 0.8 = 0.525; never 0.42 (skill 3 as zero)
		expect(entry.level).toBe(0.525);
		expect(entry.coverage).toBe(0.8);
		expect(entry.inputs.map((i) => [i.skillId, i.counted, i.usedShare])).toEqual([
			[1, true, 0.625],
			[2, true, 0.375],
			[3, false, 0]
		]);
		expect(workingText(entry, (id) => `FS-0${id}`)).toBe(
			'(FS-01 0.6 × 0.5 + FS-02 0.4 × 0.3) ÷ 0.8 = 0.525; FS-03 left out (no evidence)'
		);
	});

	it('has no level (never zero) when no skill it draws on has evidence, or it maps to nothing', () => {
		const none = mappedLevel(levels([[1, 0.6]]), itemMapping(crosswalk, 102));
		expect(none).toMatchObject({ level: null, selfLevel: null, coverage: 0 });
		expect(workingText(none, (id) => `FS-0${id}`)).toBe(
			'no evidence; FS-04 left out (no evidence)'
		);
		expect(mappedLevel(levels([[1, 0.6]]), [])).toMatchObject({ level: null, coverage: 0 });
	});

	it('from released results: levels, and the results and tasks behind each figure', () => {
		const results = [
			// 50 on the school scale → level 0.5; 90 → 0.9; 70 → 0.7
			result({ criterionId: 1, teacherValue: 50, skillShares: new Map([[1, 1]]) }),
			result({
				criterionId: 2,
				taskId: 2,
				taskTitle: 'Report',
				teacherValue: 90,
				skillShares: new Map([[2, 1]])
			}),
			result({ criterionId: 3, teacherValue: 70, skillShares: new Map([[4, 1]]) })
		];
		const fusion = fusionSkillProfile(results, [1, 2, 3, 4]);
		const profile = mappedProfile(results, fusion, crosswalk, [101, 102]);
		// 101: (0.5 × 0.5 + 0.9 × 0.3) ÷ 0.8 = 0.52 ÷ 0.8 = 0.65, skill 3 left out
		expect(profile.get(101)).toMatchObject({
			level: 0.65,
			coverage: 0.8,
			evidenceCount: 2,
			tasks: [
				{ taskId: 1, taskTitle: 'Pitch' },
				{ taskId: 2, taskTitle: 'Report' }
			]
		});
		expect(profile.get(102)).toMatchObject({ level: 0.7, coverage: 1, evidenceCount: 1 });
	});
});

describe('the shipped frameworks and their default mappings', () => {
	it('Skills Builder: the eight essential skills, each with steps 0–15 as structure', () => {
		expect(SKILLS_BUILDER.items.map((s) => s.title)).toEqual([
			'Listening',
			'Speaking',
			'Problem Solving',
			'Creativity',
			'Staying Positive',
			'Aiming High',
			'Leadership',
			'Teamwork'
		]);
		for (const skill of SKILLS_BUILDER.items) {
			expect(skill.children).toHaveLength(SKILLS_BUILDER_STEPS);
			expect(skill.children!.map((s) => s.title)).toEqual(
				Array.from({ length: 16 }, (_, step) => `${skill.title}: Step ${step}`)
			);
		}
		expect(SKILLS_BUILDER.creator).toBe('Skills Builder Partnership');
	});

	it('the OECD Learning Compass 2030: the three transformative competencies', () => {
		expect(OECD_LEARNING_COMPASS.items.map((i) => i.title)).toEqual([
			'Creating new value',
			'Reconciling tensions and dilemmas',
			'Taking responsibility'
		]);
		expect(OECD_LEARNING_COMPASS.creator).toMatch(/^OECD/);
	});

	it('every identifier is a distinct UUID, and every mapped item maps to real Fusion Skills', () => {
		const all = [SKILLS_BUILDER, OECD_LEARNING_COMPASS].flatMap((f) => [
			f.identifier,
			...f.items.flatMap((i) => [i.identifier, ...(i.children ?? []).map((c) => c.identifier)])
		]);
		expect(new Set(all).size).toBe(all.length);
		expect(
			all.every((id) =>
				/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(id)
			)
		).toBe(true);
		const fusionCodes = new Set(FUSION_SKILLS.items.map((s) => s.code));
		for (const framework of [SKILLS_BUILDER, OECD_LEARNING_COMPASS]) {
			const mapping = DEFAULT_MAPPINGS[framework.identifier]!;
			// every top-level item is mapped, and steps are not
			expect(Object.keys(mapping).sort()).toEqual(framework.items.map((i) => i.code).sort());
			for (const skills of Object.values(mapping)) {
				expect(Object.keys(skills).every((code) => fusionCodes.has(code))).toBe(true);
				// each row's weights add to 1, so the table in docs/CROSSWALK.md reads as shares
				expect(Object.values(skills).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
			}
		}
	});
});
