import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import Ajv2019 from 'ajv/dist/2019';
import addFormats from 'ajv-formats';
import jsonld from 'jsonld';
import type { DB } from '../../src/lib/server/db/connection';
import type { SessionUser } from '../../src/lib/server/auth/sessions';
import { exportCasePackage, fusionSkills } from '../../src/lib/server/frameworks/frameworks';
import { COL_LAYERS } from '../../src/lib/domain/frameworks';
import {
	achievementDocument,
	badgeClass,
	ob2BadgeClass,
	ob2Issuer
} from '../../src/lib/server/badges/public';
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
	requireIssuableBadge,
	requestBadge,
	revokeAward,
	setEvidenceSharing
} from '../../src/lib/server/badges/awards';
import { publishedKeys } from '../../src/lib/server/badges/keys';
import { setBadgeEmail, setSchoolContactEmail } from '../../src/lib/server/badges/emails';
import { verifySignedCredential } from '../../src/lib/server/badges/signing';
import { bakePng, bakeSvg, readBakedPng } from '../../src/lib/server/badges/baking';
import { BADGE_LEARNERS_CHECKED_AT_ONCE } from '../../src/lib/domain/badge-rules';
import { demoDatabase, publishedTask, sessionUser } from './helpers';

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

const OB2_CONTEXT = JSON.parse(
	readFileSync(new URL('../fixtures/standards/openbadges/v2/context.json', import.meta.url), 'utf8')
);

/**
 * OB 2.0 has no official JSON Schema: a document is checked by expanding it against the 2.0
 * context in JSON-LD safe mode, which throws on any term the context does not define.
 */
async function expandsWithNothingDropped(document: Record<string, unknown>) {
	const expanded = await jsonld.expand(structuredClone(document), {
		safe: true,
		documentLoader: async (url: string) => {
			if (url !== 'https://w3id.org/openbadges/v2') throw new Error(`Unknown context ${url}`);
			return { documentUrl: url, document: OB2_CONTEXT, contextUrl: null };
		}
	});
	expect(expanded).toHaveLength(1);
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
	const {
		taskId,
		criteria: [c]
	} = await publishedTask(db, schoolId, teacher, ['C1.1']);
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
		// The Cities of Learning layer: a tag, and an alignment to the layer's CFItem, which the app
		// publishes in its layers framework (the public CASE package lists that very URI).
		const layerAlignment = {
			type: ['Alignment'],
			targetName: 'Demonstrate',
			targetUrl: `${ORIGIN}/frameworks/items/957d794c-c4d0-4e1e-8d02-fe8b7e533ebc`,
			targetCode: 'COL-3',
			targetFramework: 'Cities of Learning badge layers',
			targetType: 'CFItem'
		};
		expect(credential.credentialSubject.achievement.alignment).toContainEqual(layerAlignment);
		expect(credential.credentialSubject.achievement).toMatchObject({ tag: ['Demonstrate'] });
		const layers = (await exportCasePackage(db, COL_LAYERS.identifier, ORIGIN, null))!;
		expect(layers.CFItems.map((i) => i.uri)).toContain(layerAlignment.targetUrl);
		const published = (await badgeClass(db, award.badgeIdentifier))!;
		expect(achievementDocument(ORIGIN, published).alignment).toContainEqual(layerAlignment);
		await expandsWithNothingDropped(ob2BadgeClass(ORIGIN, published));
		expect(ob2BadgeClass(ORIGIN, published).alignment).toContainEqual({
			targetName: 'Demonstrate',
			targetUrl: layerAlignment.targetUrl,
			targetCode: 'COL-3',
			targetFramework: 'Cities of Learning badge layers'
		});

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
		// Refused before the teacher is asked to confirm, too (found by the fuzzer).
		await expect(requireIssuableBadge(db, teacher, badgeId)).rejects.toMatchObject({
			status: 409
		});
		await expect(requireIssuableBadge(db, teacher, 99999999)).rejects.toMatchObject({
			status: 404
		});
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

	it('OB 2.0: hashes the learner’s e-mail with a salt of the assertion, or says plainly it is for display only', async () => {
		const badgeId = await presenterBadge();
		const assertion = async (identifier: string) =>
			JSON.parse((await publicAward(db, identifier, ORIGIN))!.ob2Json!) as Record<
				string,
				unknown
			> & {
				recipient: { type: string; hashed: boolean; salt: string; identity: string };
			};
		const sha = (text: string) => `sha256$${createHash('sha256').update(text).digest('hex')}`;

		// No address anywhere: display only, on the page and in the assertion.
		const plain = await issueBadge(db, teacher, badgeId, learner.id, ORIGIN);
		const displayOnly = await assertion(plain);
		expect(displayOnly.recipient.type).toBe('url');
		expect(displayOnly.description).toMatch(/for display only/);
		expect((await publicAward(db, plain, ORIGIN))!.ob2DisplayOnly).toBe(true);
		await expandsWithNothingDropped(displayOnly);

		// The learner chooses an address: their issued assertion is rewritten to match it.
		await setBadgeEmail(db, learner, 'own', ' Sam.Learner@Example.org ');
		const own = await assertion(plain);
		expect(own.recipient).toMatchObject({ type: 'email', hashed: true });
		expect(own.recipient.salt).toMatch(/^[0-9a-f]{16}$/);
		expect(own.recipient.identity).toBe(sha(`sam.learner@example.org${own.recipient.salt}`));
		expect(own.recipient.salt).not.toBe(displayOnly.recipient.salt);
		expect(own).not.toHaveProperty('description');
		expect((await publicAward(db, plain, ORIGIN))!.ob2DisplayOnly).toBe(false);
		expect(JSON.stringify(own)).not.toContain('example.org');
		await expandsWithNothingDropped(own);

		// The school's address, when the learner has one and chooses it.
		await db
			.updateTable('users')
			.set({ email: 'pupil1@northbridge.example' })
			.where('id', '=', learner.id)
			.execute();
		await setBadgeEmail(db, learner, 'school', null);
		const school = await assertion(plain);
		expect(school.recipient.identity).toBe(
			sha(`pupil1@northbridge.example${school.recipient.salt}`)
		);
		const other = await sessionUser(db, 'student2');
		await db
			.updateTable('users')
			.set({ email: 'Pupil2@Northbridge.example' })
			.where('id', '=', other.id)
			.execute();
		await requestBadge(db, other, badgeId, 'I presented at assembly.');
		const otherAward = await issueBadge(db, teacher, badgeId, other.id, ORIGIN);
		// A child's address goes into a public assertion only when they choose it: not by default.
		expect((await assertion(otherAward)).recipient.type).toBe('url');
		await setBadgeEmail(db, other, 'school', null);
		const issuedWithEmail = await assertion(otherAward);
		expect(issuedWithEmail.recipient.identity).toBe(
			sha(`pupil2@northbridge.example${issuedWithEmail.recipient.salt}`)
		);

		// The learner removes it: back to display only, and no hash of it is left.
		await setBadgeEmail(db, learner, 'none', null);
		const removed = await assertion(plain);
		expect(removed.recipient.type).toBe('url');
		expect(removed.description).toMatch(/for display only/);
		await expect(setBadgeEmail(db, learner, 'own', null)).rejects.toThrow(/Type the e-mail/);
	});

	it('OB 2.0 issuer: names the configured contact address, never one made from the host name', async () => {
		const school = () =>
			db
				.selectFrom('schools')
				.select(['slug', 'name', 'badge_contact_email'])
				.where('id', '=', schoolId)
				.executeTakeFirstOrThrow();
		const saved = process.env.BADGE_CONTACT_EMAIL;
		try {
			delete process.env.BADGE_CONTACT_EMAIL;
			const none = ob2Issuer(ORIGIN, await school());
			expect(none).not.toHaveProperty('email');
			expect(JSON.stringify(none)).not.toContain('@skills.school.example');
			await expandsWithNothingDropped(none);
			process.env.BADGE_CONTACT_EMAIL = 'badges@trust.example';
			expect(ob2Issuer(ORIGIN, await school()).email).toBe('badges@trust.example');
			await setSchoolContactEmail(db, admin, 'office@northbridge.example');
			const configured = ob2Issuer(ORIGIN, await school());
			expect(configured.email).toBe('office@northbridge.example');
			await expandsWithNothingDropped(configured);
		} finally {
			if (saved === undefined) delete process.env.BADGE_CONTACT_EMAIL;
			else process.env.BADGE_CONTACT_EMAIL = saved;
		}
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

describe('the badge workbench at a big school', () => {
	/** More students than one page checks at once, in the demo school and in no class. */
	async function manyMoreStudents(count: number) {
		const now = new Date().toISOString();
		const rows = Array.from({ length: count }, (_, i) => ({
			username: `extra${i}`,
			given_name: 'Extra',
			family_name: `Learner ${i}`,
			password_hash: 'x',
			password_changed_at: now,
			created_at: now
		}));
		for (let i = 0; i < rows.length; i += 100) {
			const users = await db
				.insertInto('users')
				.values(rows.slice(i, i + 100))
				.returning('id')
				.execute();
			await db
				.insertInto('memberships')
				.values(
					users.map((u) => ({
						user_id: u.id,
						school_id: schoolId,
						role: 'student' as const,
						year_group: '9',
						created_at: now
					}))
				)
				.execute();
		}
	}

	it('asks an admin of too many learners to choose a class, checks only that class’s learners, and still lists every request', async () => {
		const badgeId = await presenterBadge();
		await manyMoreStudents(BADGE_LEARNERS_CHECKED_AT_ONCE);
		// student2 asks for the badge: a request is listed whatever class is chosen.
		const asker = await sessionUser(db, 'student2');
		await requestBadge(db, asker, badgeId, 'Please');

		const whole = await badgeWorkbench(db, admin);
		expect(whole.view).toMatchObject({ classId: null, chooseClass: true, checked: 0 });
		expect(whole.view.learners).toBeGreaterThan(BADGE_LEARNERS_CHECKED_AT_ONCE);
		expect(whole.proposals).toEqual([]);
		expect(whole.requests.map((r) => r.learnerId)).toEqual([asker.id]);

		const classOf = async (username: string) =>
			(
				await db
					.selectFrom('enrolments')
					.innerJoin('users', 'users.id', 'enrolments.learner_id')
					.select('enrolments.class_id')
					.where('users.username', '=', username)
					.orderBy('enrolments.class_id')
					.executeTakeFirstOrThrow()
			).class_id;
		const learnersClass = await classOf('student1');
		const chosen = await badgeWorkbench(db, admin, { classId: learnersClass });
		expect(chosen.view).toMatchObject({ classId: learnersClass, chooseClass: false });
		expect(chosen.view.checked).toBeLessThan(40);
		expect(chosen.proposals.map((p) => p.learnerId)).toEqual([learner.id]);
		expect(chosen.requests.map((r) => r.learnerId)).toEqual([asker.id]);
		expect(chosen.classes.map((c) => c.id)).toContain(learnersClass);

		// Another class: student1 is not checked there.
		const other = chosen.classes.find((c) => c.id !== learnersClass)!;
		expect(
			(await badgeWorkbench(db, admin, { classId: other.id })).proposals.map((p) => p.learnerId)
		).not.toContain(learner.id);
		// The bulk issue checks only the learners it was given, and still issues to student1.
		expect(
			(await badgeWorkbench(db, admin, { learnerIds: [learner.id] })).proposals.map(
				(p) => p.learnerId
			)
		).toEqual([learner.id]);
	});

	it('a teacher sees only their own classes to choose from, and a class they do not teach shows none of its learners', async () => {
		await presenterBadge();
		const bench = await badgeWorkbench(db, teacher);
		expect(bench.view.chooseClass).toBe(false);
		const taught = new Set(
			(
				await db
					.selectFrom('class_teachers')
					.select('class_id')
					.where('teacher_id', '=', teacher.id)
					.execute()
			).map((r) => r.class_id)
		);
		expect(bench.classes.length).toBeGreaterThan(0);
		expect(bench.classes.every((c) => taught.has(c.id))).toBe(true);
		const notTaught = await db
			.selectFrom('classes')
			.select('id')
			.where('school_id', '=', schoolId)
			.where('id', 'not in', [...taught])
			.executeTakeFirst();
		expect(notTaught, 'the demo school has a class this teacher does not teach').toBeDefined();
		const theirs = await badgeWorkbench(db, teacher, { classId: notTaught!.id });
		expect(theirs.proposals).toEqual([]);
		expect(theirs.view.checked).toBe(0);
	});

	it('with no badge switched on, nothing is checked and nothing proposed', async () => {
		const bench = await badgeWorkbench(db, teacher);
		expect(bench.badges).toEqual([]);
		expect(bench.proposals).toEqual([]);
	});
});
