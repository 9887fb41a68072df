import { describe, expect, it } from 'vitest';
import {
	criterionSkillWeights,
	effectiveCrosswalk,
	normalise,
	skillsCovered,
	taskSkillWeights,
	type CrosswalkWeight
} from '../../src/lib/domain/crosswalk';
import { CAPRI, DEFAULT_CROSSWALK, FUSION_SKILLS } from '../../src/lib/domain/frameworks';

// Sub-categories 11, 12; skills 1–3.
const defaults: CrosswalkWeight[] = [
	{ sourceItemId: 11, targetItemId: 1, weight: 2 },
	{ sourceItemId: 11, targetItemId: 2, weight: 1 },
	{ sourceItemId: 12, targetItemId: 3, weight: 1 }
];

const sum = (m: Map<number, number>) => [...m.values()].reduce((a, b) => a + b, 0);

describe('crosswalk arithmetic', () => {
	it('normalises relative weights to shares that sum to 1', () => {
		const shares = criterionSkillWeights({ capriItemId: 11, overrides: [] }, defaults);
		expect(shares.get(1)).toBeCloseTo(2 / 3);
		expect(shares.get(2)).toBeCloseTo(1 / 3);
		expect(sum(shares)).toBeCloseTo(1, 12);
	});

	it('a criterion’s own weights replace its sub-category’s', () => {
		const shares = criterionSkillWeights(
			{ capriItemId: 11, overrides: [{ fusionItemId: 3, weight: 5 }] },
			defaults
		);
		expect([...shares]).toEqual([[3, 1]]);
	});

	it('drops zero, negative and non-finite weights, and maps nothing rather than guess', () => {
		expect(
			normalise([
				[1, 0],
				[2, -1],
				[3, Number.NaN]
			]).size
		).toBe(0);
		expect(criterionSkillWeights({ capriItemId: 99, overrides: [] }, defaults).size).toBe(0);
		expect([
			...normalise([
				[1, 3],
				[1, 1]
			])
		]).toEqual([[1, 1]]); // repeated skills add up
	});

	it('a school’s edit of a sub-category replaces only that sub-category', () => {
		const school = effectiveCrosswalk(defaults, [{ sourceItemId: 12, targetItemId: 1, weight: 1 }]);
		expect(criterionSkillWeights({ capriItemId: 12, overrides: [] }, school).get(1)).toBe(1);
		expect(criterionSkillWeights({ capriItemId: 11, overrides: [] }, school).get(2)).toBeCloseTo(
			1 / 3
		);
	});

	it('weights a task’s skills by criterion weight, and reports criteria that map to nothing', () => {
		const { weights, unmappedCriterionIds } = taskSkillWeights(
			[
				{ criterionId: 1, taskWeight: 3, mapping: { capriItemId: 11, overrides: [] } }, // 2 to skill 1, 1 to skill 2
				{ criterionId: 2, taskWeight: 1, mapping: { capriItemId: 12, overrides: [] } }, // 1 to skill 3
				{ criterionId: 3, taskWeight: 2, mapping: { capriItemId: 99, overrides: [] } }
			],
			defaults
		);
		expect(weights.get(1)).toBeCloseTo(2 / 4);
		expect(weights.get(2)).toBeCloseTo(1 / 4);
		expect(weights.get(3)).toBeCloseTo(1 / 4);
		expect(sum(weights)).toBeCloseTo(1, 12);
		expect(unmappedCriterionIds).toEqual([3]);
	});

	it('the shipped default crosswalk maps every CAPRI sub-category and reaches all 12 Fusion Skills', () => {
		const subCodes = CAPRI.items.flatMap((c) => c.children!.map((s) => s.code));
		expect(Object.keys(DEFAULT_CROSSWALK).sort()).toEqual(subCodes.sort());
		const skillCodes = FUSION_SKILLS.items.map((s) => s.code);
		const rows = Object.entries(DEFAULT_CROSSWALK).flatMap(([, skills], i) =>
			Object.entries(skills).map(([skill, weight]) => ({
				sourceItemId: i,
				targetItemId: skillCodes.indexOf(skill),
				weight
			}))
		);
		expect(rows.every((r) => r.targetItemId >= 0)).toBe(true);
		expect(skillsCovered(rows).size).toBe(12);
		for (const skills of Object.values(DEFAULT_CROSSWALK)) {
			expect(Object.values(skills).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
		}
	});

	it('ships the 12 Fusion Skills by their exact names, in order', () => {
		expect(FUSION_SKILLS.items.map((s) => s.title)).toEqual([
			'Oral communication / presentation skills',
			'Collaboration and teamwork',
			'Initiative',
			'Problem solving',
			'Organisational skills (planning, time management, deadlines, prioritisation, multi-tasking)',
			'Adaptability / flexibility',
			'Written communication',
			'Independent working / autonomy',
			'Critical thinking',
			'Resilience',
			'Creativity',
			'Analysis and evaluation skills'
		]);
	});
});
