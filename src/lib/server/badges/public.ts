import { json } from '@sveltejs/kit';
import type { DB } from '../db/connection';
import { LAYER_LABEL, type Layer } from './badges';
import { awardUrl, badgeClassUrl, issuerUrl } from '../../domain/badge-credential';
import { schoolDid } from '../../domain/did-web';

/**
 * Public badge documents may be read by any verifier or backpack, from any origin. Five minutes'
 * caching unless the caller says otherwise (a status list changes when a badge is revoked).
 */
export function publicJson(
	body: unknown,
	init: { status?: number; contentType?: string; cacheControl?: string } = {}
) {
	return json(body, {
		status: init.status ?? 200,
		headers: {
			'access-control-allow-origin': '*',
			'content-type': init.contentType ?? 'application/json',
			'cache-control': init.cacheControl ?? 'public, max-age=300'
		}
	});
}

export async function badgeClass(db: DB, identifier: string) {
	const badge = await db
		.selectFrom('badges')
		.innerJoin('schools', 'schools.id', 'badges.school_id')
		.select([
			'badges.id',
			'badges.identifier',
			'badges.name',
			'badges.description',
			'badges.criteria_narrative as criteria',
			'badges.layer',
			'badges.image_mime as imageMime',
			'badges.image_data as imageData',
			'schools.slug',
			'schools.name as schoolName'
		])
		.where('badges.identifier', '=', identifier)
		.executeTakeFirst();
	if (!badge) return null;
	const alignments = await db
		.selectFrom('badge_alignments')
		.innerJoin('framework_items', 'framework_items.id', 'badge_alignments.framework_item_id')
		.innerJoin('frameworks', 'frameworks.id', 'framework_items.framework_id')
		.select([
			'framework_items.identifier',
			'framework_items.code',
			'framework_items.title',
			'frameworks.title as frameworkTitle'
		])
		.where('badge_alignments.badge_id', '=', badge.id)
		.execute();
	return { ...badge, alignments };
}

export function achievementDocument(
	origin: string,
	badge: NonNullable<Awaited<ReturnType<typeof badgeClass>>>
) {
	const id = badgeClassUrl(origin, badge.identifier);
	return {
		'@context': [
			'https://www.w3.org/ns/credentials/v2',
			'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json'
		],
		id,
		type: ['Achievement'],
		achievementType: 'Badge',
		name: badge.name,
		description: badge.description,
		criteria: { id, narrative: badge.criteria },
		image: { id: `${id}/image`, type: 'Image' },
		tag: [LAYER_LABEL[badge.layer as Layer]],
		creator: { id: schoolDid(origin, badge.slug), type: ['Profile'], name: badge.schoolName },
		alignment: badge.alignments.map((a) => ({
			type: ['Alignment'],
			targetName: a.title,
			targetUrl: `${origin}/frameworks/items/${a.identifier}`,
			targetCode: a.code,
			targetFramework: a.frameworkTitle,
			targetType: 'CFItem'
		}))
	};
}

export function ob2BadgeClass(
	origin: string,
	badge: NonNullable<Awaited<ReturnType<typeof badgeClass>>>
) {
	const id = badgeClassUrl(origin, badge.identifier);
	return {
		'@context': 'https://w3id.org/openbadges/v2',
		type: 'BadgeClass',
		id: `${id}/ob2`,
		name: badge.name,
		description: badge.description,
		image: `${id}/image`,
		criteria: { id, narrative: badge.criteria },
		issuer: `${issuerUrl(origin, badge.slug)}/ob2`,
		tags: [LAYER_LABEL[badge.layer as Layer]],
		alignment: badge.alignments.map((a) => ({
			targetName: a.title,
			targetUrl: `${origin}/frameworks/items/${a.identifier}`,
			targetCode: a.code,
			targetFramework: a.frameworkTitle
		}))
	};
}

export function ob2Issuer(origin: string, school: { slug: string; name: string }) {
	return {
		'@context': 'https://w3id.org/openbadges/v2',
		type: 'Issuer',
		id: `${issuerUrl(origin, school.slug)}/ob2`,
		name: school.name,
		url: origin,
		// OB 2.0 requires an email; schools set BADGE_CONTACT_EMAIL to their real contact address.
		email: process.env.BADGE_CONTACT_EMAIL || `badges@${new URL(origin).hostname}`
	};
}

export { awardUrl };
