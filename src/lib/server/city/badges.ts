import type { DB } from '../db/connection';
import type { SessionUser } from '../auth/sessions';
import { createBadge, ruleDescriber } from '../badges/badges';
import { capriTree, fusionSkills } from '../frameworks/frameworks';
import { nowIso } from '../clock';
import { Refusal } from '../errors';
import { schoolCityOf } from './criteria';
import type { AwardRule } from '../../domain/badge-rules';
import type { BadgeLayer } from '../../domain/frameworks';

/**
 * City badges: definitions (name, description, what earns it, layer, award rule, alignments) a
 * city publishes, versioned (an edit to a version a school has adopted is a new version). A school
 * admin adopts one: it becomes a badge of the school (`badges.city_badge_id` names the version),
 * proposed by the same rules and issued by the school's teachers as any other. Credentials are
 * untouched: the school is the issuer and signs them; the badge's description says it is the
 * city's badge, so the credential carries that in its achievement description.
 */

export interface CityBadgeDefinition {
	name: string;
	description: string;
	criteriaNarrative: string;
	layer: BadgeLayer;
	rule: AwardRule;
	alignmentItemIds: number[];
}

async function checkDefinition(db: DB, input: CityBadgeDefinition) {
	const [skills, capri] = await Promise.all([fusionSkills(db), capriTree(db)]);
	const items = new Set([
		...skills.map((s) => s.id),
		...capri.flatMap((c) => [c.id, ...c.subCategories.map((s) => s.id)])
	]);
	if (input.alignmentItemIds.some((id) => !items.has(id)))
		throw new Refusal('Align only to Fusion Skills or CAPRI items.');
	if (input.rule.kind === 'skill' && !skills.some((s) => s.id === Number(input.rule.target)))
		throw new Refusal('Choose a Fusion Skill for the award rule.');
	if (input.rule.kind === 'capri' && !capri.some((c) => c.code === input.rule.target))
		throw new Refusal('Choose a CAPRI category for the award rule.');
}

/** The words a school's copy carries: the city's badge, adopted by the school, which issues it. */
export function adoptedDescription(description: string, cityName: string, schoolName: string) {
	return `${description}\n\nA badge of ${cityName}, adopted and issued by ${schoolName}.`.slice(
		0,
		2200
	);
}

export async function listCityBadges(db: DB, cityId: number) {
	const rows = await db
		.selectFrom('city_badges as b')
		.select((eb) => [
			'b.id',
			'b.lineage_id as lineageId',
			'b.version',
			'b.name',
			'b.description',
			'b.criteria_narrative as criteriaNarrative',
			'b.layer',
			'b.rule_json',
			'b.alignments_json',
			eb
				.selectFrom('badges')
				.innerJoin('city_badges as any_version', 'any_version.id', 'badges.city_badge_id')
				.select((e) => e.fn.count<number>('badges.school_id').distinct().as('n'))
				.whereRef('any_version.lineage_id', '=', 'b.lineage_id')
				.as('schools')
		])
		.where('b.city_id', '=', cityId)
		.where('b.superseded_at', 'is', null)
		.orderBy('b.name')
		.orderBy('b.id')
		.execute();
	const describe = await ruleDescriber(db);
	return rows.map(({ rule_json, alignments_json, ...b }) => {
		const rule = JSON.parse(rule_json) as AwardRule;
		return {
			...b,
			schools: Number(b.schools ?? 0),
			rule,
			ruleText: describe(rule),
			alignmentItemIds: JSON.parse(alignments_json) as number[]
		};
	});
}

export async function createCityBadge(
	db: DB,
	cityId: number,
	actorId: number,
	input: CityBadgeDefinition
): Promise<number> {
	await checkDefinition(db, input);
	const { id } = await db
		.insertInto('city_badges')
		.values({
			city_id: cityId,
			lineage_id: crypto.randomUUID(),
			version: 1,
			name: input.name,
			description: input.description,
			criteria_narrative: input.criteriaNarrative,
			layer: input.layer,
			rule_json: JSON.stringify(input.rule),
			alignments_json: JSON.stringify([...new Set(input.alignmentItemIds)]),
			created_by: actorId,
			created_at: nowIso()
		})
		.returning('id')
		.executeTakeFirstOrThrow();
	return id;
}

/** Edits the current version: in place until a school adopts it, then as a new version. */
export async function updateCityBadge(
	db: DB,
	cityId: number,
	actorId: number,
	id: number,
	input: CityBadgeDefinition
): Promise<{ id: number; versioned: boolean }> {
	const current = await db
		.selectFrom('city_badges')
		.selectAll()
		.where('id', '=', id)
		.where('city_id', '=', cityId)
		.executeTakeFirst();
	if (!current) throw new Refusal('That city badge does not exist.', 404);
	if (current.superseded_at)
		throw new Refusal('This is an old version. Edit the current version instead.');
	await checkDefinition(db, input);
	const content = {
		name: input.name,
		description: input.description,
		criteria_narrative: input.criteriaNarrative,
		layer: input.layer,
		rule_json: JSON.stringify(input.rule),
		alignments_json: JSON.stringify([...new Set(input.alignmentItemIds)])
	};
	return db.transaction().execute(async (trx) => {
		const adopted = await trx
			.selectFrom('badges')
			.select('id')
			.where('city_badge_id', '=', id)
			.limit(1)
			.executeTakeFirst();
		if (!adopted) {
			await trx.updateTable('city_badges').set(content).where('id', '=', id).execute();
			return { id, versioned: false };
		}
		const superseded = await trx
			.updateTable('city_badges')
			.set({ superseded_at: nowIso() })
			.where('id', '=', id)
			.where('superseded_at', 'is', null)
			.executeTakeFirst();
		if (Number(superseded.numUpdatedRows) !== 1)
			throw new Refusal(
				'Someone has just published a newer version. Reload and edit that one.',
				409
			);
		const { id: newId } = await trx
			.insertInto('city_badges')
			.values({
				city_id: cityId,
				lineage_id: current.lineage_id,
				version: current.version + 1,
				...content,
				created_by: actorId,
				created_at: nowIso()
			})
			.returning('id')
			.executeTakeFirstOrThrow();
		return { id: newId, versioned: true };
	});
}

/** The city's badges as a school admin sees them, with the school's adopted copy if any. */
export async function cityBadgesForSchool(db: DB, schoolId: number) {
	const city = await schoolCityOf(db, schoolId);
	if (!city) return { city: null, badges: [] };
	const [badges, copies] = await Promise.all([
		listCityBadges(db, city.id),
		db
			.selectFrom('badges')
			.innerJoin('city_badges as cb', 'cb.id', 'badges.city_badge_id')
			.select([
				'badges.id as badgeId',
				'badges.active',
				'cb.lineage_id as lineageId',
				'cb.version as adoptedVersion'
			])
			.where('badges.school_id', '=', schoolId)
			.where('cb.city_id', '=', city.id)
			.orderBy('cb.version', 'desc')
			.orderBy('badges.id', 'desc')
			.execute()
	]);
	return {
		city,
		badges: badges.map(({ schools: _schools, ...b }) => {
			void _schools;
			const copy = copies.find((c) => c.lineageId === b.lineageId) ?? null;
			return { ...b, copy, newerVersion: copy !== null && copy.adoptedVersion < b.version };
		})
	};
}

/**
 * The school's copy of the city badge's current version. A school that adopted an older version
 * adopts the newer as a new school badge, and the old one stops being proposed (inactive): badges
 * already issued from it stay issued and valid.
 */
export async function adoptCityBadge(db: DB, admin: SessionUser, cityBadgeId: number) {
	const city = await schoolCityOf(db, admin.schoolId);
	const row = city
		? await db
				.selectFrom('city_badges')
				.selectAll()
				.where('id', '=', cityBadgeId)
				.where('city_id', '=', city.id)
				.executeTakeFirst()
		: undefined;
	if (!row || !city) throw new Refusal('That city badge does not exist.', 404);
	if (row.superseded_at)
		throw new Refusal('The city has published a newer version of this badge. Reload the page.');
	const earlier = await db
		.selectFrom('badges')
		.innerJoin('city_badges as cb', 'cb.id', 'badges.city_badge_id')
		.select(['badges.id', 'cb.version'])
		.where('badges.school_id', '=', admin.schoolId)
		.where('cb.lineage_id', '=', row.lineage_id)
		.orderBy('cb.version', 'desc')
		.execute();
	if (earlier.some((b) => b.version === row.version))
		throw new Refusal('Your school has adopted this version already.');
	let id: number;
	try {
		id = await createBadge(
			db,
			admin,
			{
				name: row.name,
				description: adoptedDescription(row.description, city.name, admin.schoolName),
				criteriaNarrative: row.criteria_narrative,
				layer: row.layer,
				rule: JSON.parse(row.rule_json) as AwardRule,
				alignmentItemIds: JSON.parse(row.alignments_json) as number[]
			},
			row.id
		);
	} catch (problem) {
		const again = await db
			.selectFrom('badges')
			.select('id')
			.where('school_id', '=', admin.schoolId)
			.where('city_badge_id', '=', row.id)
			.executeTakeFirst();
		if (again) throw new Refusal('Your school has adopted this version already.');
		throw problem;
	}
	if (earlier.length)
		await db
			.updateTable('badges')
			.set({ active: 0 })
			.where(
				'id',
				'in',
				earlier.map((b) => b.id)
			)
			.where('school_id', '=', admin.schoolId)
			.execute();
	return id;
}
