import { describe, expect, it } from 'vitest';
import {
	calibrationTrend,
	capriProfile,
	fusionSkillProfile,
	levelOf,
	levelWords,
	profileOverTime,
	schoolTerm,
	selfCalibration,
	type CriterionResult
} from '../../src/lib/domain/profiles';
import { DEFAULT_SCHOOL_SCALE, UNIVERSITY_SCALE } from '../../src/lib/domain/scales';

const school = DEFAULT_SCHOOL_SCALE.bands;
const uni = UNIVERSITY_SCALE.bands;
const LABELS = school.map((b) => b.label);

function result(over: Partial<CriterionResult>): CriterionResult {
	return {
		taskId: 1,
		taskTitle: 'Pitch',
		releasedAt: '2026-10-01T00:00:00Z',
		criterionId: 1,
		criterionCode: 'C1.1',
		capriCategory: 'C',
		taskWeight: 1,
		bands: school,
		teacherValue: 50,
		selfValue: null,
		skillShares: new Map([[1, 1]]),
		...over
	};
}

describe('Fusion Skills profile', () => {
	it('weights by task weight × crosswalk share, on a 0–1 level', () => {
		// 50 on the school scale is 2.5 band units of 5 → 0.5; 90 is 4.5 → 0.9.
		expect(levelOf(school, 50)).toBe(0.5);
		const results = [
			result({
				teacherValue: 50,
				taskWeight: 1,
				skillShares: new Map([
					[1, 0.5],
					[2, 0.5]
				])
			}),
			result({ criterionId: 2, teacherValue: 90, taskWeight: 2, skillShares: new Map([[1, 1]]) })
		];
		const profile = fusionSkillProfile(results, [1, 2, 3]);
		// Skill 1: weights 0.5 (level 0.5) and 2 (level 0.9) → (0.25 + 1.8) / 2.5 = 0.82
		expect(profile.get(1)).toMatchObject({
			level: 0.82,
			evidenceCount: 2,
			weight: 2.5,
			tasks: [{ taskId: 1, taskTitle: 'Pitch' }]
		});
		expect(profile.get(2)).toMatchObject({ level: 0.5, evidenceCount: 1 });
	});
	it('says "no evidence" (null), never zero, for a skill nothing maps to', () => {
		const profile = fusionSkillProfile([result({})], [1, 7]);
		expect(profile.get(7)).toEqual({
			level: null,
			evidenceCount: 0,
			tasks: [],
			weight: 0,
			selfLevel: null
		});
		expect(levelWords(null, LABELS)).toBe('No evidence yet');
		expect(levelWords(0.82, LABELS)).toBe('Excelling');
		expect(levelWords(0.5, LABELS)).toBe('Developing');
		expect(levelWords(1, LABELS)).toBe('Excelling');
	});
	it('combines scales of unequal bands by band position', () => {
		// 70 on the university scale is Credit (65–75), halfway: band units 2.5 of 5 → 0.5, like 50 on
		// the school scale.
		expect(levelOf(uni, 70)).toBe(0.5);
	});
	it('keeps the learner’s own view beside the teacher’s', () => {
		const profile = fusionSkillProfile([result({ teacherValue: 50, selfValue: 70 })], [1]);
		expect(profile.get(1)).toMatchObject({ level: 0.5, selfLevel: 0.7 });
	});
	it('profiles CAPRI categories too', () => {
		const profile = capriProfile(
			[
				result({ capriCategory: 'C', teacherValue: 30 }),
				result({ capriCategory: 'I', teacherValue: 90 })
			],
			['C', 'A', 'I']
		);
		expect(profile.get('C')!.level).toBe(0.3);
		expect(profile.get('A')!.level).toBeNull();
		expect(profile.get('I')!.level).toBe(0.9);
	});
});

describe('over time', () => {
	it('groups by UK school term and reports the change', () => {
		expect(schoolTerm('2026-10-01T00:00:00Z')).toEqual({ key: '2026-1', label: 'Autumn 2026–27' });
		expect(schoolTerm('2027-02-01T00:00:00Z')).toEqual({ key: '2026-2', label: 'Spring 2026–27' });
		expect(schoolTerm('2027-06-01T00:00:00Z')).toEqual({ key: '2026-3', label: 'Summer 2026–27' });
		const { terms, trend } = profileOverTime(
			[
				result({ releasedAt: '2027-02-01T00:00:00Z', teacherValue: 70 }),
				result({ releasedAt: '2026-10-01T00:00:00Z', teacherValue: 30 })
			],
			[1, 2]
		);
		expect(terms.map((t) => t.label)).toEqual(['Autumn 2026–27', 'Spring 2026–27']);
		expect(trend.get(1)).toBe(0.4);
		expect(trend.get(2)).toBeNull();
	});
});

describe('self-assessment calibration', () => {
	it('per task: mean signed and absolute gap in band units, oldest first, with a trend', () => {
		const series = selfCalibration([
			result({
				taskId: 2,
				taskTitle: 'Later',
				releasedAt: '2026-12-01T00:00:00Z',
				selfValue: 50,
				teacherValue: 50
			}),
			result({ taskId: 1, selfValue: 90, teacherValue: 50 }), // +2 bands
			result({ taskId: 1, criterionId: 2, selfValue: 30, teacherValue: 50 }), // −1 band
			result({ taskId: 1, criterionId: 3, selfValue: null })
		]);
		expect(series).toEqual([
			{
				taskId: 1,
				taskTitle: 'Pitch',
				releasedAt: '2026-10-01T00:00:00Z',
				meanSignedGap: 0.5,
				meanAbsoluteGap: 1.5,
				compared: 2
			},
			{
				taskId: 2,
				taskTitle: 'Later',
				releasedAt: '2026-12-01T00:00:00Z',
				meanSignedGap: 0,
				meanAbsoluteGap: 0,
				compared: 1
			}
		]);
		expect(calibrationTrend(series)).toBe(-1.5);
		expect(calibrationTrend(series.slice(0, 1))).toBeNull();
	});
});

describe('badge award rules', async () => {
	const { checkAwardRule, describeRule } = await import('../../src/lib/domain/badge-rules');
	const rule = { kind: 'skill' as const, target: 1, minBand: 3, minTasks: 2 };
	it('needs the band in enough different tasks, on criteria mapped to the skill', () => {
		const secureOnce = [
			result({ taskId: 1, teacherValue: 60 }),
			result({ taskId: 1, criterionId: 2, teacherValue: 85 })
		];
		expect(checkAwardRule(secureOnce, rule)).toMatchObject({ met: false, tasks: [{ taskId: 1 }] });
		const twice = [...secureOnce, result({ taskId: 2, taskTitle: 'Second', teacherValue: 60 })];
		expect(checkAwardRule(twice, rule).met).toBe(true);
		// Developing (59.9) is below Secure; a criterion not mapped to the skill does not count.
		const near = [
			result({ taskId: 1, teacherValue: 59.9 }),
			result({ taskId: 2, teacherValue: 90, skillShares: new Map([[2, 1]]) })
		];
		expect(checkAwardRule(near, rule)).toEqual({ met: false, tasks: [] });
	});
	it('reads bands on any scale by position, and works for CAPRI categories', () => {
		// 75 on the university scale is the start of Distinction: band 3 of 5, like Secure.
		expect(
			checkAwardRule([result({ bands: uni, teacherValue: 75 })], { ...rule, minTasks: 1 }).met
		).toBe(true);
		expect(
			checkAwardRule([result({ capriCategory: 'I', teacherValue: 80 })], {
				kind: 'capri',
				target: 'I',
				minBand: 4,
				minTasks: 1
			}).met
		).toBe(true);
		expect(describeRule(rule, 'Oral communication', LABELS)).toBe(
			'Teacher-agreed band Secure or above on criteria for Oral communication, in at least 2 tasks.'
		);
	});
});
