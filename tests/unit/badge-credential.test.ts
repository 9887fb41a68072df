import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { badgeCredential, publicEvidence } from '../../src/lib/domain/badge-credential';
import { didWebDocumentUrl, schoolDid } from '../../src/lib/domain/did-web';

const facts = {
	origin: 'https://school.example',
	identifier: 'award-1',
	issuedAt: '2026-01-05T10:00:00Z',
	issuer: { id: 'did:web:school.example:schools:demo', name: 'Demo School' },
	credentialStatus: {
		id: 'https://school.example/schools/demo/status/1#4711',
		type: 'BitstringStatusListEntry' as const,
		statusPurpose: 'revocation' as const,
		statusListIndex: '4711',
		statusListCredential: 'https://school.example/schools/demo/status/1'
	},
	recipientName: 'Ada Lovelace',
	identitySalt: 'aa11',
	recipientSalt: 'bb22',
	badge: {
		identifier: 'badge-1',
		name: 'Collaborator',
		description: 'Works well with others.',
		criteriaNarrative: 'Secure in Collaboration.',
		layerLabel: 'Demonstrate'
	},
	ruleText: 'Secure or above in Collaboration on 2 tasks',
	alignments: [
		{ identifier: 'item-1', code: 'FS1', title: 'Collaboration', frameworkTitle: 'Fusion Skills' }
	],
	evidence: {
		tasks: [
			{
				taskTitle: 'Bridge build',
				criteria: [{ code: 'C1.1', title: 'Plans together', band: 'Secure' }],
				ownWords: ['I kept the plan on the wall.'],
				teacherComments: ['Ada organised the group well.']
			}
		],
		requestNote: 'I led the team.'
	}
};

describe('badge credential (no database)', () => {
	it('hashes the name with a salt it does not publish, and never carries the name in clear', () => {
		const { credential, ob2 } = badgeCredential(facts);
		const [identity] = credential.credentialSubject.identifier;
		expect(identity!.identityHash).toBe(
			`sha256$${createHash('sha256')
				.update('Ada Lovelace' + 'aa11')
				.digest('hex')}`
		);
		expect(identity).not.toHaveProperty('salt');
		expect(JSON.stringify(credential)).not.toContain('aa11');
		expect(JSON.stringify(credential)).not.toContain('Ada Lovelace');
		expect(ob2.recipient.identity).toBe(
			`sha256$${createHash('sha256').update('https://school.example/badges/awards/award-1#recipientbb22').digest('hex')}`
		);
		expect(credential.credentialSubject.achievement.criteria.narrative).toBe(
			'Secure in Collaboration.\n\nAward rule: Secure or above in Collaboration on 2 tasks'
		);
	});

	it('puts only generic evidence (task, criterion, band) in the credential and the assertion', () => {
		const { credential, ob2, evidenceItems } = badgeCredential(facts);
		expect(evidenceItems).toEqual([
			expect.objectContaining({
				name: 'Bridge build',
				narrative: 'C1.1 Plans together: Secure reached.'
			})
		]);
		for (const document of [credential, ob2]) {
			const text = JSON.stringify(document);
			expect(text).not.toContain('kept the plan');
			expect(text).not.toContain('organised the group');
			expect(text).not.toContain('led the team');
		}
	});

	it('adds the learner’s words and the teacher’s comments to the public page only when chosen', () => {
		const none = publicEvidence(facts.evidence, { ownWords: false, teacherComments: false });
		expect(JSON.stringify(none)).not.toMatch(/kept the plan|organised the group|led the team/);
		const own = publicEvidence(facts.evidence, { ownWords: true, teacherComments: false });
		expect(own[0]!.ownWords).toEqual(['I kept the plan on the wall.']);
		expect(own[1]).toMatchObject({ name: 'Learner’s request', ownWords: ['I led the team.'] });
		expect(JSON.stringify(own)).not.toContain('organised the group');
		const teacher = publicEvidence(facts.evidence, { ownWords: false, teacherComments: true });
		expect(teacher[0]!.teacherComments).toEqual(['Ada organised the group well.']);
		expect(teacher).toHaveLength(1);
	});
});

describe('did:web (no database)', () => {
	it('names a school by its host, percent-encoding a port, and resolves where did:web says', () => {
		expect(schoolDid('https://skills.school.example', 'northbridge')).toBe(
			'did:web:skills.school.example:schools:northbridge'
		);
		expect(schoolDid('http://localhost:4173', 'northbridge')).toBe(
			'did:web:localhost%3A4173:schools:northbridge'
		);
		expect(didWebDocumentUrl('did:web:localhost%3A4173:schools:northbridge#key-1')).toBe(
			'https://localhost:4173/schools/northbridge/did.json'
		);
		expect(didWebDocumentUrl('did:web:example.com')).toBe(
			'https://example.com/.well-known/did.json'
		);
		expect(didWebDocumentUrl('https://example.com/x')).toBeNull();
	});
});
