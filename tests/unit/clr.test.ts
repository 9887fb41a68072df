import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import Ajv2019 from 'ajv/dist/2019';
import addFormats from 'ajv-formats';
import { closeDb, type DB } from '../../src/lib/server/db/connection';
import type { SessionUser } from '../../src/lib/server/auth/sessions';
import { fusionSkills } from '../../src/lib/server/frameworks/frameworks';
import {
	saveSelfAssessment,
	submitSelfAssessment
} from '../../src/lib/server/assessment/self-assessment';
import { releaseGrades, saveTeacherGrade } from '../../src/lib/server/assessment/marking';
import { createBadge } from '../../src/lib/server/badges/badges';
import { issueBadge } from '../../src/lib/server/badges/awards';
import { eraseLearner } from '../../src/lib/server/privacy/privacy';
import { learnerClr } from '../../src/lib/server/clr/clr';
import { demoDatabase, publishedTask, secondSchool, sessionUser } from './helpers';
import { ORIGIN, serveFrom, verify } from './outside-verifier';

const fixture = (path: string) =>
	JSON.parse(readFileSync(new URL(`../fixtures/standards/${path}`, import.meta.url), 'utf8'));
const CLR_SCHEMA = fixture('clr/v2p0/clr_v2p0_clrcredential_schema.json');
const OB3_SCHEMA = fixture('openbadges/v3/achievementcredential.schema.json');

type Json = Record<string, unknown>;
interface Clr extends Json {
	credentialSubject: {
		verifiableCredential: (Json & {
			credentialSubject: { achievement: Json & { alignment?: Json[] }; result?: Json[] };
		})[];
		achievement: (Json & { alignment?: Json[] })[];
		association: Json[];
	};
}

/** Proof and status, checked as an outside verifier would (`./outside-verifier.ts`). */
async function independentlyVerify(credential: Json) {
	const result = await verify(structuredClone(credential));
	return result.verified && result.statusVerified === true && result.revoked === false;
}

let db: DB;
let schoolId: number;
let teacher: SessionUser;
let admin: SessionUser;
let learner: SessionUser;
let oralId: number;

beforeEach(async () => {
	({ db, schoolId } = await demoDatabase());
	await serveFrom(db); // the verifier fetches the DID document and status list from this database
	[teacher, admin, learner] = [
		await sessionUser(db, 'teacher'),
		await sessionUser(db, 'admin'),
		await sessionUser(db, 'student1')
	];
	oralId = (await fusionSkills(db)).find((s) => s.code === 'FS-01')!.id;
	const {
		taskId,
		criteria: [c]
	} = await publishedTask(db, schoolId, teacher, ['C1.1']);
	await saveSelfAssessment(db, learner, taskId, {
		kind: 'criterion',
		criterionId: c!.criterionId,
		value: 90,
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
	const badgeId = await createBadge(db, admin, {
		name: 'Confident presenter',
		description: 'Presents work clearly to an audience.',
		criteriaNarrative: 'Present to an audience and be judged Secure or above.',
		layer: 'demonstrate',
		rule: { kind: 'skill', target: oralId, minBand: 3, minTasks: 1 },
		alignmentItemIds: [oralId]
	});
	await issueBadge(db, teacher, badgeId, learner.id, ORIGIN);
});
afterEach(async () => {
	await db.destroy();
	await closeDb();
});

describe('CLR 2.0', () => {
	it('is a ClrCredential the official schema accepts, signed by the school, that an outside verifier accepts and tampering breaks', async () => {
		const { credential } = await learnerClr(db, learner, learner.id, ORIGIN);
		const clr = credential as unknown as Clr;
		const ajv = new Ajv2019({ strict: false, allErrors: true });
		addFormats(ajv);
		const validate = ajv.compile(CLR_SCHEMA);
		expect(validate(clr), JSON.stringify(validate.errors)).toBe(true);
		expect(clr.type).toEqual(['VerifiableCredential', 'ClrCredential']);
		expect((clr.proof as Json[])[0]).toMatchObject({
			type: 'DataIntegrityProof',
			cryptosuite: 'eddsa-rdfc-2022',
			proofPurpose: 'assertionMethod'
		});

		// The badge as it was signed, then one credential per skill with evidence, and calibration.
		const [badge, ...skills] = clr.credentialSubject.verifiableCredential;
		expect(badge!.type).toContain('OpenBadgeCredential');
		expect(badge!.credentialSubject.achievement.name).toBe('Confident presenter');
		const validateOb3 = ajv.compile(OB3_SCHEMA);
		for (const c of clr.credentialSubject.verifiableCredential) {
			expect(validateOb3(c), JSON.stringify(validateOb3.errors)).toBe(true);
			// Each inner credential verifies on its own, as a wallet taking it out would check it.
			expect(await independentlyVerify(c)).toBe(true);
		}
		const oral = skills.find((s) =>
			String(s.credentialSubject.achievement.name).includes('Oral communication')
		)!;
		expect(oral.credentialSubject.achievement.alignment![0]).toMatchObject({
			targetType: 'CFItem',
			targetCode: 'FS-01',
			targetUrl: `${ORIGIN}/frameworks/items/ac6b095c-aec9-49ff-89eb-c64f7ce09702`
		});
		const oralResults = oral.credentialSubject.result!;
		expect(oralResults.map((r) => String(r.resultDescription).split('#')[1])).toEqual([
			'teacher-level',
			'percent',
			'self-level'
		]);
		const calibration = skills.find(
			(s) => s.credentialSubject.achievement.name === 'Self-assessment calibration'
		)!;
		expect(calibration.credentialSubject.result).toContainEqual(
			expect.objectContaining({ value: '1', resultDescription: expect.stringMatching(/tasks/) })
		);
		// The badge points at the skill it stands for.
		expect(clr.credentialSubject.association).toContainEqual({
			type: 'Association',
			associationType: 'isRelatedTo',
			sourceId: badge!.credentialSubject.achievement.id,
			targetId: oral.credentialSubject.achievement.id
		});
		expect(clr.credentialSubject.achievement.map((a) => a.id)).toContain(
			oral.credentialSubject.achievement.id
		);

		// Publish the least: no reflection, no comment, no task title beyond the badge's evidence.
		const text = JSON.stringify(clr);
		expect(text).not.toContain('whole year group');
		expect(text).not.toContain('Confident and clear');

		expect(await independentlyVerify(clr)).toBe(true);
		const tampered = structuredClone(clr);
		tampered.credentialSubject.verifiableCredential[1]!.credentialSubject.result![1]!.value = '100';
		expect(await independentlyVerify(tampered)).toBe(false);
		const renamed = structuredClone(clr);
		renamed.name = 'Comprehensive Learner Record from Another School';
		expect(await independentlyVerify(renamed)).toBe(false);
	});

	it('names one revocation entry per learner, in the school’s status list, which erasure sets', async () => {
		const first = (await learnerClr(db, learner, learner.id, ORIGIN)).credential as unknown as Clr;
		const second = (await learnerClr(db, learner, learner.id, ORIGIN)).credential as unknown as Clr;
		const status = first.credentialStatus as Json;
		expect(status).toMatchObject({
			type: 'BitstringStatusListEntry',
			statusPurpose: 'revocation',
			statusListCredential: `${ORIGIN}/schools/northbridge/status/1`
		});
		expect(first.issuer).toMatchObject({ id: 'did:web:skills.school.example:schools:northbridge' });
		// Made afresh each time, yet the same entry: one bit withdraws every copy handed out.
		expect(second.id).not.toBe(first.id);
		expect(second.credentialStatus).toEqual(status);
		// A skill credential taken out of the record is withdrawn with it.
		for (const inner of first.credentialSubject.verifiableCredential.slice(1))
			expect(inner.credentialStatus).toEqual(status);
		const bit = () =>
			db
				.selectFrom('status_list_entries')
				.select('revoked')
				.where('status_index', '=', Number(status.statusListIndex))
				.executeTakeFirstOrThrow();
		expect((await bit()).revoked).toBe(0);
		await eraseLearner(db, admin, learner.id, 'student1');
		expect((await bit()).revoked).toBe(1);
	});

	it('signs with 1EdTech’s CLR context, byte for byte', () => {
		const bytes = (path: URL) => createHash('sha256').update(readFileSync(path)).digest('hex');
		const published = '958ff9dc1a5a18c226579b707eac77c1ef50d7d9ab6c24e7058a3b02663f53a1';
		expect(bytes(new URL('../fixtures/standards/clr/v2p0/context.json', import.meta.url))).toBe(
			published
		);
		expect(bytes(new URL('../../src/lib/server/clr/clr-v2p0-context.json', import.meta.url))).toBe(
			published
		);
	});

	it('goes to the learner, their teacher and their school’s admin only', async () => {
		for (const who of [learner, teacher, admin])
			await expect(learnerClr(db, who, learner.id, ORIGIN)).resolves.toBeTruthy();
		// Another learner, a teacher who does not teach them: refused.
		await expect(
			learnerClr(db, await sessionUser(db, 'student2'), learner.id, ORIGIN)
		).rejects.toMatchObject({ status: 403 });
		await expect(
			learnerClr(db, await sessionUser(db, 'teacher2'), learner.id, ORIGIN)
		).rejects.toMatchObject({ status: 403 });
		// Another school's admin: the learner is not theirs to find.
		await secondSchool(db);
		await expect(
			learnerClr(db, await sessionUser(db, 'other-admin'), learner.id, ORIGIN)
		).rejects.toMatchObject({ status: 404 });
	});
});
