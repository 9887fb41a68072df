import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import Ajv2019 from 'ajv/dist/2019';
import addFormats from 'ajv-formats';
// The verifier: Digital Bazaar's libraries only, none of the app's signing or verifying code.
import * as vc from '@digitalbazaar/vc';
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { cryptosuite as eddsaRdfc2022 } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import { decodeList } from '@digitalbazaar/vc-bitstring-status-list';
import type { DB } from '../../src/lib/server/db/connection';
import { closeDb } from '../../src/lib/server/db/connection';
import type { SessionUser } from '../../src/lib/server/auth/sessions';
import { fusionSkills } from '../../src/lib/server/frameworks/frameworks';
import { releaseGrades, saveTeacherGrade } from '../../src/lib/server/assessment/marking';
import {
	saveSelfAssessment,
	submitSelfAssessment
} from '../../src/lib/server/assessment/self-assessment';
import { createBadge } from '../../src/lib/server/badges/badges';
import { issueBadge, publicAward, revokeAward } from '../../src/lib/server/badges/awards';
import { signCredential } from '../../src/lib/server/badges/signing';
import { schoolOfSize } from '../../src/lib/server/db/seed';
import { eraseLearner } from '../../src/lib/server/privacy/privacy';
import { demoDatabase, prefixedSchool, publishedTask, sessionUser } from './helpers';
import {
	HOST,
	ORIGIN,
	appGet,
	fetchJson,
	serveFrom,
	verifierLoader,
	verify
} from './outside-verifier';

const fixture = (name: string) =>
	JSON.parse(
		readFileSync(new URL(`../fixtures/standards/openbadges/v3/${name}`, import.meta.url), 'utf8')
	);

/**
 * An outside verifier's view of our Open Badges 3.0 credentials: `./outside-verifier.ts` fetches
 * what the app serves (through its own route handlers, in process, signed out) and checks it with
 * Digital Bazaar's VC stack and status-list library only, none of the app's signing code.
 */

function svgCredential(svg: string) {
	const text = /<openbadges:credential>([\s\S]*?)<\/openbadges:credential>/.exec(svg)![1]!;
	return JSON.parse(text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&'));
}

/** The text of a PNG's iTXt chunk `openbadgecredential`, read here from the bytes. */
function pngCredential(png: Buffer) {
	for (let offset = 8; offset + 8 <= png.length;) {
		const length = png.readUInt32BE(offset);
		const data = png.subarray(offset + 8, offset + 8 + length);
		if (png.toString('latin1', offset + 4, offset + 8) === 'iTXt') {
			const nul = data.indexOf(0);
			if (data.toString('latin1', 0, nul) === 'openbadgecredential') {
				let i = data.indexOf(0, nul + 3) + 1;
				i = data.indexOf(0, i) + 1;
				return JSON.parse(data.toString('utf8', i));
			}
		}
		offset += 12 + length;
	}
	throw new Error('No baked credential.');
}

const ONE_PIXEL_PNG = Buffer.from(
	'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=',
	'base64'
);

let db: DB;
let schoolId: number;
let teacher: SessionUser;
let admin: SessionUser;
let learner: SessionUser;
let badgeId: number;

beforeAll(async () => {
	({ db, schoolId } = await demoDatabase());
	// The route handlers open the app's own connection: the same file.
	await serveFrom(db);
	[teacher, admin, learner] = [
		await sessionUser(db, 'teacher'),
		await sessionUser(db, 'admin'),
		await sessionUser(db, 'student1')
	];
	const {
		taskId,
		criteria: [c]
	} = await publishedTask(db, schoolId, teacher, ['C1.1'], { selfRequiredBeforeRelease: '' });
	// Three learners meet the badge's rule: judged Secure on oral communication, released.
	for (const username of ['student1', 'student2', 'student3']) {
		const who = await sessionUser(db, username);
		await saveSelfAssessment(db, who, taskId, {
			kind: 'criterion',
			criterionId: c!.criterionId,
			value: 70,
			comment: 'I spoke to the whole year group.'
		});
		await submitSelfAssessment(db, who, taskId);
		await saveTeacherGrade(db, teacher, taskId, who.id, {
			kind: 'criterion',
			criterionId: c!.criterionId,
			value: 72,
			comment: 'Confident and clear.'
		});
		await releaseGrades(db, teacher, taskId, who.id);
	}
	const oral = (await fusionSkills(db)).find((s) => s.code === 'FS-01')!.id;
	badgeId = await createBadge(db, admin, {
		name: 'Confident presenter',
		description: 'Presents work clearly to an audience.',
		criteriaNarrative: 'Be judged Secure or above by your teacher when presenting.',
		layer: 'demonstrate',
		rule: { kind: 'skill', target: oral, minBand: 3, minTasks: 1 },
		alignmentItemIds: [oral],
		image: { mime: 'image/png', data: ONE_PIXEL_PNG }
	});
});
afterAll(async () => {
	await db.destroy();
	await closeDb();
});

describe('an outside verifier (Digital Bazaar VC stack, status list library, did:web)', () => {
	it('validates and verifies a downloaded credential; after revocation every served copy fails its status', async () => {
		const identifier = await issueBadge(db, teacher, badgeId, learner.id, ORIGIN);
		const response = await appGet(`${ORIGIN}/badges/awards/${identifier}/credential.json`);
		expect(response.status).toBe(200);
		const credential = (await response.json()) as Record<string, unknown> & {
			issuer: Record<string, unknown>;
			proof: { verificationMethod: string }[];
			credentialStatus: Record<string, string>;
		};

		// The official schemas: the credential, and its issuer as an OB 3.0 Profile.
		const ajv = new Ajv2019({ strict: false, allErrors: true });
		addFormats(ajv);
		const validateCredential = ajv.compile(fixture('achievementcredential.schema.json'));
		expect(validateCredential(credential), JSON.stringify(validateCredential.errors)).toBe(true);
		const validateProfile = ajv.compile(fixture('profile.schema.json'));
		expect(validateProfile(credential.issuer), JSON.stringify(validateProfile.errors)).toBe(true);

		// The issuer is the school's did:web DID; the proof's key is in its DID document.
		const did = `did:web:${HOST}:schools:northbridge`;
		expect(credential.issuer).toMatchObject({
			id: did,
			type: ['Profile'],
			name: expect.any(String)
		});
		expect(credential.proof[0]!.verificationMethod).toMatch(new RegExp(`^${did}#key-`));
		const didDocument = await fetchJson(`${ORIGIN}/schools/northbridge/did.json`);
		expect(didDocument).toMatchObject({
			id: did,
			assertionMethod: [credential.proof[0]!.verificationMethod],
			verificationMethod: [
				{ id: credential.proof[0]!.verificationMethod, type: 'Multikey', controller: did }
			]
		});

		// A Bitstring Status List entry in the school's list.
		const listUrl = `${ORIGIN}/schools/northbridge/status/1`;
		expect(credential.credentialStatus).toMatchObject({
			type: 'BitstringStatusListEntry',
			statusPurpose: 'revocation',
			statusListCredential: listUrl,
			statusListIndex: expect.stringMatching(/^\d+$/)
		});

		expect(await verify(credential)).toMatchObject({
			verified: true,
			statusVerified: true,
			revoked: false
		});
		// Tampering with the credential breaks its proof.
		const tampered = structuredClone(credential) as typeof credential & {
			credentialSubject: { achievement: { name: string } };
		};
		tampered.credentialSubject.achievement.name = 'Expert presenter';
		expect((await verify(tampered)).verified).toBe(false);

		// Another school cannot revoke it.
		await prefixedSchool(db, 'other', schoolOfSize(2, 1, 7));
		await expect(
			revokeAward(db, await sessionUser(db, 'other-admin'), identifier, 'Not theirs to revoke')
		).rejects.toMatchObject({ status: 404 });
		expect((await verify(credential)).revoked).toBe(false);

		await revokeAward(db, teacher, identifier, 'Issued to the wrong learner');
		// The copy downloaded before: its signature still verifies, its status says revoked.
		expect(await verify(credential)).toMatchObject({
			verified: true,
			statusVerified: true,
			revoked: true
		});
		// What the app still serves: the same credential, in JSON and baked into both images.
		const served = await appGet(`${ORIGIN}/badges/awards/${identifier}/credential.json`);
		expect(served.status).toBe(200);
		expect(await verify(await served.json())).toMatchObject({ verified: true, revoked: true });
		const svg = await appGet(`${ORIGIN}/badges/awards/${identifier}/baked.svg`);
		expect(svg.status).toBe(200);
		expect(await verify(svgCredential(await svg.text()))).toMatchObject({
			verified: true,
			revoked: true
		});
		const png = await appGet(`${ORIGIN}/badges/awards/${identifier}/baked.png`);
		expect(png.status).toBe(200);
		expect(await verify(pngCredential(Buffer.from(await png.arrayBuffer())))).toMatchObject({
			verified: true,
			revoked: true
		});
		// The app's own page says so too.
		expect(await publicAward(db, identifier, ORIGIN)).toMatchObject({
			valid: false,
			revoked: true
		});

		// A status list whose bit was cleared by someone else no longer verifies.
		const list = await fetchJson(listUrl);
		const index = Number(credential.credentialStatus.statusListIndex);
		const bits = await decodeList({
			encodedList: (list.credentialSubject as { encodedList: string }).encodedList
		});
		expect(bits.getStatus(index)).toBe(true);
		bits.setStatus(index, false);
		const forged = structuredClone(list) as typeof list & {
			credentialSubject: { encodedList: string };
		};
		forged.credentialSubject.encodedList = await bits.encode();
		const withForgedList = await verify(credential, new Map([[listUrl, forged]]));
		expect(withForgedList.verified).toBe(false);
		expect(withForgedList.statusVerified).toBe(false);
		expect(withForgedList.error).toMatch(/not verified/);
	});

	it('serves the status list publicly, briefly cached, with nothing about anyone in it', async () => {
		const identifier = await issueBadge(
			db,
			teacher,
			badgeId,
			(await sessionUser(db, 'student2')).id,
			ORIGIN
		);
		const response = await appGet(`${ORIGIN}/schools/northbridge/status/1`);
		expect(response.status).toBe(200);
		expect(response.headers.get('access-control-allow-origin')).toBe('*');
		expect(response.headers.get('cache-control')).toMatch(/max-age=(\d|[1-5]\d|60)\b/);
		const list = (await response.json()) as Record<string, unknown>;
		expect(Object.keys(list).sort()).toEqual(
			['@context', 'credentialSubject', 'id', 'issuer', 'proof', 'type', 'validFrom'].sort()
		);
		expect(Object.keys(list.credentialSubject as object).sort()).toEqual(
			['encodedList', 'id', 'statusPurpose', 'type'].sort()
		);
		expect(list).toMatchObject({
			type: ['VerifiableCredential', 'BitstringStatusListCredential'],
			issuer: `did:web:${HOST}:schools:northbridge`,
			credentialSubject: { type: 'BitstringStatusList', statusPurpose: 'revocation' }
		});
		// Names are looked for in the readable fields: the signature and the compressed bits are
		// random letters in which a short name can turn up by chance.
		const text = JSON.stringify(list, (key, value) =>
			key === 'proofValue' || key === 'encodedList' ? '' : value
		);
		const people = await db
			.selectFrom('users')
			.select(['username', 'given_name', 'family_name'])
			.execute();
		for (const p of people)
			for (const word of [p.username, p.given_name, p.family_name])
				expect(text).not.toContain(word);
		expect(text).not.toContain(identifier);
		// The list verifies on its own (the library's check, with the list as its own subject).
		expect(
			(
				await vc.verifyCredential({
					credential: list,
					suite: new DataIntegrityProof({ cryptosuite: eddsaRdfc2022 }),
					documentLoader: verifierLoader()
				})
			).verified
		).toBe(true);
		// At least the specification's 131,072 entries, so one credential hides among many.
		const bits = await decodeList({
			encodedList: (list.credentialSubject as { encodedList: string }).encodedList
		});
		expect(bits.length).toBeGreaterThanOrEqual(131_072);
		// Signed again only when a bit changes: the same document until then.
		expect(await fetchJson(`${ORIGIN}/schools/northbridge/status/1`)).toEqual(list);
		expect((await appGet(`${ORIGIN}/schools/northbridge/status/99`)).status).toBe(404);
		expect((await appGet(`${ORIGIN}/schools/northbridge/status/abc`)).status).toBe(404);
		expect((await appGet(`${ORIGIN}/schools/nobody/did.json`)).status).toBe(404);
	});

	it('keeps a credential signed before did:web verifiable through the old key URL, and issues it again with status when served', async () => {
		const identifier = await issueBadge(
			db,
			teacher,
			badgeId,
			(await sessionUser(db, 'student3')).id,
			ORIGIN
		);
		// Make the award look as one issued before this change: signed with the same key under the
		// old issuer URL, no credentialStatus, no status entry.
		const oldIssuer = `${ORIGIN}/badges/issuers/northbridge`;
		const key = await db
			.selectFrom('signing_keys')
			.selectAll()
			.where('school_id', '=', schoolId)
			.executeTakeFirstOrThrow();
		const fragment = key.key_id.slice(key.key_id.indexOf('#'));
		const row = await db
			.selectFrom('badge_awards')
			.select('credential_json')
			.where('identifier', '=', identifier)
			.executeTakeFirstOrThrow();
		const {
			proof: _p,
			credentialStatus: _s,
			...unsigned
		} = JSON.parse(row.credential_json!) as Record<string, unknown>;
		const legacy: Record<string, unknown> = await signCredential(
			{
				...unsigned,
				issuer: { id: oldIssuer, type: ['Profile'], name: 'Northbridge', url: ORIGIN }
			},
			{
				controller: oldIssuer,
				keyId: `${oldIssuer}${fragment}`,
				publicKeyMultibase: key.public_key_multibase,
				secretKeyMultibase: key.secret_key_multibase
			}
		);
		await db
			.updateTable('badge_awards')
			.set({
				credential_json: JSON.stringify(legacy),
				status_list_id: null,
				status_list_index: null
			})
			.where('identifier', '=', identifier)
			.execute();

		// The copy a backpack already holds: verified through the old key URL, which still answers.
		expect(await verify(legacy)).toMatchObject({ verified: true, statusVerified: null });
		const old = await fetchJson(oldIssuer);
		expect(old.assertionMethod).toContain(`${oldIssuer}${fragment}`);

		// Served now: the same award issued again, by the DID, with a status entry.
		const served = (await fetchJson(
			`${ORIGIN}/badges/awards/${identifier}/credential.json`
		)) as Record<string, unknown> & { issuer: { id: string } };
		expect(served.id).toBe(legacy.id);
		expect(served.validFrom).toBe(legacy.validFrom);
		expect(served.issuer.id).toBe(`did:web:${HOST}:schools:northbridge`);
		expect(served.credentialStatus).toMatchObject({ type: 'BitstringStatusListEntry' });
		expect(await verify(served)).toMatchObject({ verified: true, revoked: false });
		// Served again: the same credential, not another re-issue.
		expect(await fetchJson(`${ORIGIN}/badges/awards/${identifier}/credential.json`)).toEqual(
			served
		);
	});

	it('withdraws an erased learner’s credentials in the status list too', async () => {
		const student2 = await sessionUser(db, 'student2');
		const { identifier } = await db
			.selectFrom('badge_awards')
			.select('identifier')
			.where('learner_id', '=', student2.id)
			.where('state', '=', 'issued')
			.executeTakeFirstOrThrow();
		const copy = await fetchJson(`${ORIGIN}/badges/awards/${identifier}/credential.json`);
		expect((await verify(copy)).revoked).toBe(false);
		await eraseLearner(db, admin, student2.id, 'student2');
		expect((await appGet(`${ORIGIN}/badges/awards/${identifier}/credential.json`)).status).toBe(
			410
		);
		expect(await verify(copy)).toMatchObject({ verified: true, revoked: true });
	});
});
