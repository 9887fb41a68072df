import { randomBytes, randomUUID } from 'node:crypto';
import type { DB } from '../db/connection';
import type { SessionUser } from '../auth/sessions';
import { learnerProfile } from '../profiles/profiles';
import { schoolKey } from '../badges/keys';
import { signCredential } from '../badges/signing';
import { nowIso } from '../clock';
import { Refusal } from '../errors';
import { FUSION_SKILLS } from '../../domain/frameworks';
import {
	clrCredential,
	overallCalibration,
	skillCredentials,
	type ClrFacts
} from '../../domain/clr-credential';

/**
 * A learner's Comprehensive Learner Record 2.0, made and signed by their school on request. Only
 * the learner, their teachers and their school's admins may have it (`learnerProfile` checks).
 * Nothing is stored: each download is a fresh record of the day's picture.
 */
export async function learnerClr(db: DB, user: SessionUser, learnerId: number, origin: string) {
	const profile = await learnerProfile(db, user, learnerId);
	const [school, awards] = await Promise.all([
		db
			.selectFrom('schools')
			.select('name')
			.where('id', '=', user.schoolId)
			.executeTakeFirstOrThrow(),
		// The badges as they were signed; revoked ones are left out.
		db
			.selectFrom('badge_awards')
			.innerJoin('badges', 'badges.id', 'badge_awards.badge_id')
			.select('badge_awards.credential_json as credentialJson')
			.where('badge_awards.learner_id', '=', learnerId)
			.where('badges.school_id', '=', user.schoolId)
			.where('badge_awards.state', '=', 'issued')
			.where('badge_awards.revoked_at', 'is', null)
			.where('badge_awards.credential_json', 'is not', null)
			.orderBy('badge_awards.issued_at')
			.execute()
	]);
	const description = new Map(FUSION_SKILLS.items.map((i) => [i.identifier, i.description]));
	const skills = profile.skills
		.filter((s) => s.level !== null)
		.map((s) => ({
			identifier: s.identifier,
			code: s.code,
			title: s.title,
			description: description.get(s.identifier) ?? s.title,
			frameworkTitle: FUSION_SKILLS.title,
			level: s.level!,
			selfLevel: s.selfLevel,
			evidenceCount: s.evidenceCount
		}));
	const badges = awards.map((a) => JSON.parse(a.credentialJson!) as Record<string, unknown>);
	if (skills.length === 0 && badges.length === 0)
		throw new Refusal(
			'There is nothing to put in the record yet: it needs a released result or a badge.',
			409
		);
	const key = await schoolKey(db, user.schoolId, origin);
	const facts: ClrFacts = {
		origin,
		id: `urn:uuid:${randomUUID()}`,
		issuedAt: nowIso().replace(/\.\d{3}Z$/, 'Z'),
		issuer: { id: key.controller, name: school.name, url: origin },
		// LEAD: wire the record's BitstringStatusListEntry here once the status list is merged (the
		// builder copies it into `credentialStatus` as given). Nothing else needs to change.
		credentialStatus: undefined,
		learnerName: profile.learner.name,
		identitySalt: randomBytes(16).toString('hex'),
		levelLabels: profile.levelLabels,
		skills,
		calibration: overallCalibration(profile.calibration)
	};
	const signedSkills = [];
	for (const credential of skillCredentials(facts))
		signedSkills.push(await signCredential(credential, key));
	const credential = await signCredential(clrCredential(facts, [...badges, ...signedSkills]), key);
	return { credential, learnerName: profile.learner.name };
}
