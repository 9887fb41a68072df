import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import Ajv2019 from 'ajv/dist/2019';
import addFormats from 'ajv-formats';
import type { DB } from '../../src/lib/server/db/connection';
import type { SessionUser } from '../../src/lib/server/auth/sessions';
import { listBank } from '../../src/lib/server/criteria/criteria';
import { listScales } from '../../src/lib/server/scales/scales';
import { fusionSkills } from '../../src/lib/server/frameworks/frameworks';
import { createTask, setTaskState } from '../../src/lib/server/tasks/tasks';
import { addTaskCriterion, taskCriteria } from '../../src/lib/server/tasks/task-criteria';
import {
	saveSelfAssessment,
	submitSelfAssessment
} from '../../src/lib/server/assessment/self-assessment';
import { releaseGrades, saveTeacherGrade } from '../../src/lib/server/assessment/marking';
import { createBadge } from '../../src/lib/server/badges/badges';
import {
	badgeWorkbench,
	issueBadge,
	publicAward,
	requestBadge,
	revokeAward
} from '../../src/lib/server/badges/awards';
import { publishedKeys } from '../../src/lib/server/badges/keys';
import { verifySignedCredential } from '../../src/lib/server/badges/signing';
import { bakePng, bakeSvg, readBakedPng } from '../../src/lib/server/badges/baking';
import { taskSettingsSchema } from '../../src/lib/schemas/tasks';
import { demoDatabase, sessionUser } from './helpers';

const ORIGIN = 'https://skills.school.example';
/**
 * The parts of a signed Open Badges 3.0 credential these tests read; the schema checks the rest.
 */
type SignedCredential = Record<string, unknown> & {
	proof: Record<string, unknown>[];
	credentialSubject: { achievement: { name: string; alignment: Record<string, unknown>[] } };
	evidence: unknown[];
};

const OB3_SCHEMA = JSON.parse(
	readFileSync(
		new URL(
			'../fixtures/standards/openbadges/v3/achievementcredential.schema.json',
			import.meta.url
		),
		'utf8'
	)
);

let db: DB;
let schoolId: number;
let teacher: SessionUser;
let admin: SessionUser;
let learner: SessionUser;
let oralId: number;

beforeEach(async () => {
	({ db, schoolId } = await demoDatabase());
	[teacher, admin, learner] = [
		await sessionUser(db, 'teacher'),
		await sessionUser(db, 'admin'),
		await sessionUser(db, 'student1')
	];
	oralId = (await fusionSkills(db)).find((s) => s.code === 'FS-01')!.id;
	const scaleId = (await listScales(db, schoolId)).find((s) =>
		s.name.startsWith('School scale')
	)!.id;
	const taskId = await createTask(
		db,
		teacher,
		1,
		taskSettingsSchema.parse({ title: 'Pitch', brief: '', scaleId, selfMarkerVisibility: 'always' })
	);
	await addTaskCriterion(
		db,
		teacher,
		taskId,
		(await listBank(db, schoolId)).find((c) => c.code === 'C1.1')!.id
	);
	await setTaskState(db, teacher, taskId, 'published');
	const [c] = await taskCriteria(db, taskId);
	await saveSelfAssessment(db, learner, taskId, {
		kind: 'criterion',
		criterionId: c!.criterionId,
		value: 70,
		comment: 'I spoke to the whole year group.'
	});
	await submitSelfAssessment(db, learner, taskId);
	await saveTeacherGrade(db, teacher, taskId, learner.id, {
		kind: 'criterion',
		criterionId: c!.criterionId,
		value: 72,
		comment: 'Confident and clear.'
	});
	await releaseGrades(db, teacher, taskId, learner.id);
});
afterEach(async () => db.destroy());

async function presenterBadge() {
	return createBadge(db, admin, {
		name: 'Confident presenter',
		description: 'Presents work clearly to an audience.',
		criteriaNarrative:
			'Present a piece of work to an audience and be judged Secure or above by your teacher.',
		layer: 'demonstrate',
		rule: { kind: 'skill', target: oralId, minBand: 3, minTasks: 1 },
		alignmentItemIds: [oralId]
	});
}

describe('Open Badges', () => {
	it('proposes learners who meet the rule, issues a signed OB 3.0 credential that validates and verifies', async () => {
		const badgeId = await presenterBadge();
		const bench = await badgeWorkbench(db, teacher);
		expect(bench.proposals.map((p) => p.learnerId)).toEqual([learner.id]);
		const identifier = await issueBadge(db, teacher, badgeId, learner.id, ORIGIN);
		const award = (await publicAward(db, identifier, ORIGIN))!;
		expect(award.valid).toBe(true);

		const credential = award.credential as SignedCredential;
		const ajv = new Ajv2019({ strict: false, allErrors: true });
		addFormats(ajv);
		const validate = ajv.compile(OB3_SCHEMA);
		expect(validate(credential), JSON.stringify(validate.errors)).toBe(true);
		expect(credential.proof[0]).toMatchObject({
			type: 'DataIntegrityProof',
			cryptosuite: 'eddsa-rdfc-2022',
			proofPurpose: 'assertionMethod'
		});
		expect(credential.credentialSubject.achievement.alignment[0]).toMatchObject({
			targetCode: 'FS-01',
			targetType: 'CFItem',
			targetName: expect.stringMatching(/^Oral communication/)
		});
		expect(JSON.stringify(credential.evidence)).toContain('I spoke to the whole year group.');
		expect(JSON.stringify(credential.evidence)).toContain('Confident and clear.');

		// An independent check: only the published public key, a fresh verifier.
		const keys = await publishedKeys(db, 'northbridge', ORIGIN);
		expect((await verifySignedCredential(credential, keys)).verified).toBe(true);
		const tampered = structuredClone(credential);
		tampered.credentialSubject.achievement.name = 'Expert presenter';
		expect((await verifySignedCredential(tampered, keys)).verified).toBe(false);

		await revokeAward(db, teacher, identifier, 'Issued to the wrong learner');
		const revoked = (await publicAward(db, identifier, ORIGIN))!;
		expect(revoked).toMatchObject({ revoked: true, valid: false });
		expect(revoked.signature.verified).toBe(true);
	});

	it('lets a learner ask for a badge the rule does not yet give, and refuses outsiders', async () => {
		const badgeId = await presenterBadge();
		const other = await sessionUser(db, 'student2');
		await expect(issueBadge(db, teacher, badgeId, other.id, ORIGIN)).rejects.toThrow(
			/does not meet/
		);
		await requestBadge(db, other, badgeId, 'I presented at the open evening.');
		await expect(requestBadge(db, other, badgeId, 'again')).rejects.toMatchObject({ status: 409 });
		expect((await badgeWorkbench(db, teacher)).requests.map((r) => r.learnerId)).toEqual([
			other.id
		]);
		const identifier = await issueBadge(db, teacher, badgeId, other.id, ORIGIN);
		expect(JSON.stringify((await publicAward(db, identifier, ORIGIN))!.credential)).toContain(
			'open evening'
		);
		await expect(
			issueBadge(db, await sessionUser(db, 'teacher2'), badgeId, learner.id, ORIGIN)
		).rejects.toMatchObject({ status: 403 });
	});

	it('bakes the credential into PNG and SVG images', () => {
		const png = Buffer.from(
			'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=',
			'base64'
		);
		const baked = bakePng(png, 'openbadgecredential', '{"a":"é"}');
		expect(readBakedPng(baked, 'openbadgecredential')).toBe('{"a":"é"}');
		expect(baked.toString('latin1').endsWith('IEND\xaeB`\x82')).toBe(true);
		expect(
			bakeSvg('<svg xmlns="http://www.w3.org/2000/svg"><title>x</title></svg>', '{"x":"<&>"}')
		).toBe(
			'<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"><openbadges:credential>{"x":"&lt;&amp;&gt;"}</openbadges:credential><title>x</title></svg>'
		);
	});
});
