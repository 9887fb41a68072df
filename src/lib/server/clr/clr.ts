import { randomBytes, randomUUID } from 'node:crypto';
import type { DB } from '../db/connection';
import type { SessionUser } from '../auth/sessions';
import { learnerProfile } from '../profiles/profiles';
import { schoolIssuer, signForSchool } from '../badges/issuing';
import { allocateStatusEntry, statusEntryAt } from '../badges/status-lists';
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
 * Nothing of the record is stored: each download is a fresh record of the day's picture, naming the
 * learner's one revocation entry.
 */
export async function learnerClr(db: DB, user: SessionUser, learnerId: number, origin: string) {
	const profile = await learnerProfile(db, user, learnerId);
	// The badges as they were signed; revoked ones are left out.
	const awards = await db
		.selectFrom('badge_awards')
		.innerJoin('badges', 'badges.id', 'badge_awards.badge_id')
		.select('badge_awards.credential_json as credentialJson')
		.where('badge_awards.learner_id', '=', learnerId)
		.where('badges.school_id', '=', user.schoolId)
		.where('badge_awards.state', '=', 'issued')
		.where('badge_awards.revoked_at', 'is', null)
		.where('badge_awards.credential_json', 'is not', null)
		.orderBy('badge_awards.issued_at')
		.execute();
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
	const [issuer, status] = await Promise.all([
		schoolIssuer(db, user.schoolId, origin),
		learnerClrStatus(db, learnerId, user.schoolId, origin)
	]);
	const facts: ClrFacts = {
		origin,
		id: `urn:uuid:${randomUUID()}`,
		issuedAt: nowIso().replace(/\.\d{3}Z$/, 'Z'),
		issuer: { id: issuer.id, name: issuer.name, url: issuer.url },
		credentialStatus: { ...status.credentialStatus },
		learnerName: profile.learner.name,
		identitySalt: randomBytes(16).toString('hex'),
		levelLabels: profile.levelLabels,
		skills,
		calibration: overallCalibration(profile.calibration)
	};
	const sign = <T extends Record<string, unknown>>(c: T) =>
		signForSchool(db, user.schoolId, origin, c);
	const signedSkills = [];
	for (const credential of skillCredentials(facts)) signedSkills.push(await sign(credential));
	const credential = await sign(clrCredential(facts, [...badges, ...signedSkills]));
	return { credential, learnerName: profile.learner.name };
}

/**
 * The learner's one CLR revocation entry: handed out at their first download and named by every
 * record after it, so erasing the learner (which sets its bit) withdraws every copy handed out.
 */
async function learnerClrStatus(db: DB, learnerId: number, schoolId: number, origin: string) {
	const kept = () =>
		db
			.selectFrom('users')
			.select(['clr_status_list_id as listId', 'clr_status_index as statusIndex'])
			.where('id', '=', learnerId)
			.executeTakeFirstOrThrow();
	const known = await kept();
	if (known.listId !== null && known.statusIndex !== null)
		return statusEntryAt(db, known.listId, known.statusIndex, origin);
	const fresh = await allocateStatusEntry(db, schoolId, origin);
	const claimed = await db
		.updateTable('users')
		.set({ clr_status_list_id: fresh.listId, clr_status_index: fresh.statusIndex })
		.where('id', '=', learnerId)
		.where('clr_status_index', 'is', null)
		.executeTakeFirst();
	if (Number(claimed.numUpdatedRows) === 1) return fresh;
	// Another download claimed one first: theirs is the learner's (ours is simply never used).
	const winner = await kept();
	return statusEntryAt(db, winner.listId!, winner.statusIndex!, origin);
}
