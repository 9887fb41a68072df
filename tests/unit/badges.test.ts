import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
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
	revokeAward,
	setEvidenceSharing
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
		expect(JSON.stringify(credential.evidence)).toContain('Pitch');

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
		// Revoked where outside verifiers look: the bit in the school's published status list.
		expect(revoked.signature.status).toEqual({ state: 'revoked' });
	});

	it('refuses to issue a badge that is switched off (found by the red-team pass)', async () => {
		const badgeId = await presenterBadge();
		await db.updateTable('badges').set({ active: 0 }).where('id', '=', badgeId).execute();
		await expect(issueBadge(db, teacher, badgeId, learner.id, ORIGIN)).rejects.toMatchObject({
			status: 409
		});
		expect(await db.selectFrom('badge_awards').select('id').execute()).toEqual([]);
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
		const award = (await publicAward(db, identifier, ORIGIN))!;
		expect(JSON.stringify(award.credential)).not.toContain('open evening');
		expect(JSON.stringify(award.evidence)).not.toContain('open evening');
		await setEvidenceSharing(db, other, identifier, { ownWords: true, teacherComments: false });
		expect(JSON.stringify((await publicAward(db, identifier, ORIGIN))!.evidence)).toContain(
			'open evening'
		);
		await expect(
			issueBadge(db, await sessionUser(db, 'teacher2'), badgeId, learner.id, ORIGIN)
		).rejects.toMatchObject({ status: 403 });
	});

	it('shows no reflection or teacher comment publicly until the learner opts in, per award', async () => {
		const badgeId = await presenterBadge();
		const identifier = await issueBadge(db, teacher, badgeId, learner.id, ORIGIN);
		const reflection = 'I spoke to the whole year group.';
		const comment = 'Confident and clear.';
		const published = async () => {
			const award = (await publicAward(db, identifier, ORIGIN))!;
			// What the public page, the signed credential and the OB 2.0 assertion show.
			return {
				page: JSON.stringify({ evidence: award.evidence, name: award.recipientName }),
				credential: JSON.stringify(award.credential),
				ob2: award.ob2Json!,
				award
			};
		};
		const before = await published();
		for (const text of [before.page, before.credential, before.ob2]) {
			expect(text).not.toContain(reflection);
			expect(text).not.toContain(comment);
		}
		// Generic evidence: the task, the criterion and the band reached.
		expect(before.page).toContain('Pitch');
		expect(before.page).toMatch(/C1\.1 [^"]*: (Secure|Excelling) reached/);
		// The default public name is short: first name and initial.
		expect(before.award.recipientName).toBe(`${learner.givenName} ${learner.familyName[0]}.`);

		await expect(
			setEvidenceSharing(db, await sessionUser(db, 'student2'), identifier, {
				ownWords: true,
				teacherComments: true
			})
		).rejects.toMatchObject({ status: 404 });
		await setEvidenceSharing(db, learner, identifier, { ownWords: true, teacherComments: false });
		const own = await published();
		expect(own.page).toContain(reflection);
		expect(own.page).not.toContain(comment);
		await setEvidenceSharing(db, learner, identifier, { ownWords: true, teacherComments: true });
		const both = await published();
		expect(both.page).toContain(reflection);
		expect(both.page).toContain(comment);
		// Signed once, with generic evidence only: the copies in backpacks never quote the child, and
		// the credential still verifies.
		expect(both.credential).toBe(before.credential);
		expect(both.ob2).toBe(before.ob2);
		expect(both.award.valid).toBe(true);
		await setEvidenceSharing(db, learner, identifier, { ownWords: false, teacherComments: false });
		expect((await published()).page).not.toContain(reflection);
	});

	it('names the recipient by a hash that a class list cannot reproduce from the published data', async () => {
		const badgeId = await presenterBadge();
		const identifier = await issueBadge(db, teacher, badgeId, learner.id, ORIGIN);
		const award = (await publicAward(db, identifier, ORIGIN))!;
		const credential = award.credential as SignedCredential & {
			credentialSubject: { identifier: { identityHash: string; salt?: string }[] };
		};
		const ob2 = JSON.parse(award.ob2Json!) as { recipient: { identity: string; salt: string } };
		const [identity] = credential.credentialSubject.identifier;
		const published = [identity!.salt ?? '', ob2.recipient.salt, ''];
		const hashes = [identity!.identityHash, ob2.recipient.identity];
		// Everyone in the school, tried with every published salt, in the forms a hash might use.
		const people = await db
			.selectFrom('users')
			.select(['username', 'given_name', 'family_name'])
			.execute();
		const sha = (text: string) => `sha256$${createHash('sha256').update(text).digest('hex')}`;
		for (const person of people)
			for (const candidate of [
				person.username,
				`${person.given_name} ${person.family_name}`,
				`${person.given_name} ${person.family_name[0]}.`
			])
				for (const salt of published) expect(hashes).not.toContain(sha(candidate + salt));
		// The learner holds the private salt; with it, whoever they give it to can check the name.
		const { identity_salt } = await db
			.selectFrom('badge_awards')
			.select('identity_salt')
			.where('identifier', '=', identifier)
			.executeTakeFirstOrThrow();
		expect(identity_salt).toMatch(/^[0-9a-f]{32}$/);
		expect(identity!.identityHash).toBe(
			sha(`${learner.givenName} ${learner.familyName}${identity_salt}`)
		);
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
