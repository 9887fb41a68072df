import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { badgeCredential } from '../../src/lib/domain/badge-credential';

const facts = {
	origin: 'https://school.example',
	identifier: 'award-1',
	issuedAt: '2026-01-05T10:00:00Z',
	issuer: { id: 'https://school.example/badges/issuers/demo', name: 'Demo School' },
	recipientName: 'Ada Lovelace',
	nameSalt: 'aa11',
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
	taskEvidence: [{ taskTitle: 'Bridge build', narrative: 'C1.1 Plans together.' }],
	requestNote: 'I led the team.'
};

describe('badge credential (no database)', () => {
	it('hashes the name with its salt and never carries it in clear', () => {
		const { credential, ob2, evidenceItems } = badgeCredential(facts);
		const [identity] = credential.credentialSubject.identifier;
		expect(identity!.identityHash).toBe(
			`sha256$${createHash('sha256')
				.update('Ada Lovelace' + 'aa11')
				.digest('hex')}`
		);
		expect(JSON.stringify(credential)).not.toContain('Ada Lovelace');
		expect(ob2.recipient.identity).toBe(
			`sha256$${createHash('sha256').update('https://school.example/badges/awards/award-1#recipientbb22').digest('hex')}`
		);
		expect(credential.credentialSubject.achievement.criteria.narrative).toBe(
			'Secure in Collaboration.\n\nAward rule: Secure or above in Collaboration on 2 tasks'
		);
		expect(evidenceItems.map((e) => e.name)).toEqual(['Bridge build', 'Learner’s request']);
		expect(ob2.evidence).toHaveLength(2);
	});
});
