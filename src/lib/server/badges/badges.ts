import { randomUUID } from 'node:crypto';
import type { DB } from '../db/connection';
import type { SessionUser } from '../auth/sessions';
import { recordAudit } from '../audit';
import { nowIso } from '../clock';
import { capriTree, fusionSkills } from '../frameworks/frameworks';
import { LEVEL_LABELS } from '../../domain/scales';
import { describeRule, type AwardRule } from '../../domain/badge-rules';
import { BADGE_LAYERS, type BadgeLayer } from '../../domain/frameworks';
import { generatedBadgeSvg } from './images';
import { Refusal } from '../errors';

// Badge classes: what a school's badges are and what earns them. Awards are in awards.ts.

// The layers are reference data (a CASE framework the app serves), named here as badges use them.
export const LAYERS = BADGE_LAYERS;
export type Layer = BadgeLayer;
export const LAYER_LABEL: Record<Layer, string> = {
	engage: 'Engage',
	participate: 'Participate',
	demonstrate: 'Demonstrate',
	lead: 'Lead'
};

export interface BadgeInput {
	name: string;
	description: string;
	criteriaNarrative: string;
	layer: Layer;
	rule: AwardRule;
	alignmentItemIds: number[];
	image?: { mime: 'image/png' | 'image/svg+xml'; data: Buffer };
}

/**
 * A badge of the admin's school; `adoptedFrom` (a city badge version, checked by
 * server/city/badges.ts) makes it the school's copy of the city's badge, in the same transaction.
 */
export async function createBadge(
	db: DB,
	admin: SessionUser,
	input: BadgeInput,
	adoptedFrom: number | null = null
) {
	const [skills, capri] = await Promise.all([fusionSkills(db), capriTree(db)]);
	const items = new Map([
		...skills.map((s) => [s.id, s] as const),
		...capri.flatMap((c) => [[c.id, c] as const, ...c.subCategories.map((s) => [s.id, s] as const)])
	]);
	if (input.alignmentItemIds.length === 0)
		throw new Refusal('Align the badge to at least one Fusion Skill or CAPRI category.');
	if (input.alignmentItemIds.some((id) => !items.has(id)))
		throw new Refusal('Align only to Fusion Skills or CAPRI items.');
	if (input.rule.kind === 'skill' && !skills.some((s) => s.id === Number(input.rule.target)))
		throw new Refusal('Choose a Fusion Skill for the award rule.');
	if (input.rule.kind === 'capri' && !capri.some((c) => c.code === input.rule.target))
		throw new Refusal('Choose a CAPRI category for the award rule.');
	const colour =
		input.rule.kind === 'capri' ? capri.find((c) => c.code === input.rule.target)?.colour : null;
	const image = input.image ?? {
		mime: 'image/svg+xml' as const,
		data: Buffer.from(generatedBadgeSvg(input.name, input.layer, colour))
	};
	return db.transaction().execute(async (trx) => {
		const { id } = await trx
			.insertInto('badges')
			.values({
				school_id: admin.schoolId,
				identifier: randomUUID(),
				name: input.name,
				description: input.description,
				criteria_narrative: input.criteriaNarrative,
				image_mime: image.mime,
				image_data: image.data,
				layer: input.layer,
				rule_json: JSON.stringify(input.rule),
				created_by: admin.id,
				created_at: nowIso(),
				city_badge_id: adoptedFrom
			})
			.returning('id')
			.executeTakeFirstOrThrow();
		await trx
			.insertInto('badge_alignments')
			.values(
				[...new Set(input.alignmentItemIds)].map((framework_item_id) => ({
					badge_id: id,
					framework_item_id
				}))
			)
			.execute();
		await recordAudit(trx, {
			schoolId: admin.schoolId,
			actorId: admin.id,
			action: adoptedFrom ? 'badge.adopt' : 'badge.create',
			entityType: 'badge',
			entityId: String(id),
			after: { name: input.name, rule: input.rule, cityBadgeId: adoptedFrom }
		});
		return id;
	});
}

/**
 * Award rules in words, naming the skill or category they count (two queries for any number of
 * rules).
 */
export async function ruleDescriber(db: DB) {
	const [skills, capri] = await Promise.all([fusionSkills(db), capriTree(db)]);
	const targetName = (rule: AwardRule) => {
		if (rule.kind === 'skill')
			return skills.find((s) => s.id === Number(rule.target))?.title ?? 'a Fusion Skill';
		const category = capri.find((c) => c.code === rule.target);
		return category ? `${category.code} ${category.title}` : 'a CAPRI category';
	};
	return (rule: AwardRule) => describeRule(rule, targetName(rule), LEVEL_LABELS);
}

export async function listBadges(db: DB, schoolId: number) {
	const badges = await db
		.selectFrom('badges')
		.select((eb) => [
			'badges.id',
			'badges.identifier',
			'badges.name',
			'badges.description',
			'badges.layer',
			'badges.rule_json as ruleJson',
			'badges.active',
			eb
				.selectFrom('badge_awards')
				.select((e) => e.fn.countAll<number>().as('n'))
				.whereRef('badge_awards.badge_id', '=', 'badges.id')
				.where('badge_awards.state', '=', 'issued')
				.as('issued')
		])
		.where('badges.school_id', '=', schoolId)
		.orderBy('badges.name')
		.execute();
	const describe = await ruleDescriber(db);
	return badges.map((b) => {
		const rule = JSON.parse(b.ruleJson) as AwardRule;
		return { ...b, issued: Number(b.issued ?? 0), rule, ruleText: describe(rule) };
	});
}
