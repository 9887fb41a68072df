import type { DB } from '../db/connection';
import { CAPRI, FUSION_SKILLS } from '../../domain/frameworks';
import { effectiveCrosswalk, type CrosswalkWeight } from '../../domain/crosswalk';
import {
	buildCasePackage,
	casePackageSchema,
	parentsFromAssociations,
	type CasePackage
} from '../../domain/case';
import { recordAudit } from '../audit';
import { nowIso } from '../clock';
import { chunks } from '../db/chunks';
import { Refusal } from '../errors';

export interface FrameworkItem {
	id: number;
	identifier: string;
	code: string;
	title: string;
	description: string;
	colour: string | null;
	parentId: number | null;
	position: number;
}

/** Frameworks a school can see: the shared ones and its own imports. */
export async function listFrameworks(db: DB, schoolId: number) {
	return db
		.selectFrom('frameworks')
		.select((eb) => [
			'frameworks.id',
			'frameworks.identifier',
			'frameworks.kind',
			'frameworks.title',
			'frameworks.description',
			'frameworks.school_id as schoolId',
			eb
				.selectFrom('framework_items')
				.select((e) => e.fn.countAll<number>().as('n'))
				.whereRef('framework_items.framework_id', '=', 'frameworks.id')
				.as('itemCount')
		])
		.where((eb) =>
			eb.or([eb('frameworks.school_id', 'is', null), eb('frameworks.school_id', '=', schoolId)])
		)
		.orderBy('frameworks.id')
		.execute();
}

export async function frameworkItems(
	db: DB,
	frameworkIdentifier: string
): Promise<FrameworkItem[]> {
	return db
		.selectFrom('framework_items')
		.innerJoin('frameworks', 'frameworks.id', 'framework_items.framework_id')
		.select([
			'framework_items.id',
			'framework_items.identifier',
			'framework_items.code',
			'framework_items.title',
			'framework_items.description',
			'framework_items.colour',
			'framework_items.parent_id as parentId',
			'framework_items.position'
		])
		.where('frameworks.identifier', '=', frameworkIdentifier)
		.orderBy('framework_items.parent_id')
		.orderBy('framework_items.position')
		.execute();
}

export const fusionSkills = (db: DB) => frameworkItems(db, FUSION_SKILLS.identifier);

/** CAPRI categories with their sub-categories, in order. */
export async function capriTree(db: DB) {
	const items = await frameworkItems(db, CAPRI.identifier);
	const categories = items.filter((i) => i.parentId === null);
	return categories.map((category) => ({
		...category,
		subCategories: items.filter((i) => i.parentId === category.id)
	}));
}

export async function crosswalkFor(db: DB, schoolId: number): Promise<CrosswalkWeight[]> {
	const rows = await db
		.selectFrom('crosswalk_weights')
		.select([
			'school_id as schoolId',
			'source_item_id as sourceItemId',
			'target_item_id as targetItemId',
			'weight'
		])
		.where((eb) => eb.or([eb('school_id', 'is', null), eb('school_id', '=', schoolId)]))
		.execute();
	return effectiveCrosswalk(
		rows.filter((r) => r.schoolId === null),
		rows.filter((r) => r.schoolId === schoolId)
	);
}

/** The ids of a framework's items, as a subquery: the scope of one framework's crosswalk rows. */
const itemsOfFramework = (db: DB, frameworkIdentifier: string) =>
	db
		.selectFrom('framework_items')
		.innerJoin('frameworks', 'frameworks.id', 'framework_items.framework_id')
		.select('framework_items.id')
		.where('frameworks.identifier', '=', frameworkIdentifier);

/**
 * Replaces a school's crosswalk rows whose sources are the items of one framework (CAPRI's
 * sub-categories, or Skills Builder's or the OECD Learning Compass's items), leaving the rows of
 * the other frameworks alone. Rows with weight 0 are dropped; every source must be an item of that
 * framework and every target a Fusion Skill, or nothing is saved.
 */
export async function saveSchoolCrosswalk(
	db: DB,
	schoolId: number,
	actorId: number,
	rows: { sourceItemId: number; targetItemId: number; weight: number }[],
	frameworkIdentifier: string = CAPRI.identifier
) {
	await db.transaction().execute(async (trx) => {
		const [sources, skills] = await Promise.all([
			itemsOfFramework(trx, frameworkIdentifier).execute(),
			itemsOfFramework(trx, FUSION_SKILLS.identifier).execute()
		]);
		const sourceIds = new Set(sources.map((r) => r.id));
		const skillIds = new Set(skills.map((r) => r.id));
		if (rows.some((r) => !sourceIds.has(r.sourceItemId) || !skillIds.has(r.targetItemId)))
			throw new Refusal(
				'A crosswalk row names an item that is not in this framework or a skill that is not a Fusion Skill. Nothing was saved.'
			);
		const before = await trx
			.selectFrom('crosswalk_weights')
			.select(['source_item_id', 'target_item_id', 'weight'])
			.where('school_id', '=', schoolId)
			.where('source_item_id', 'in', itemsOfFramework(trx, frameworkIdentifier))
			.execute();
		await trx
			.deleteFrom('crosswalk_weights')
			.where('school_id', '=', schoolId)
			.where('source_item_id', 'in', itemsOfFramework(trx, frameworkIdentifier))
			.execute();
		const kept = rows.filter((r) => r.weight > 0);
		const edited = [...new Set(rows.map((r) => r.sourceItemId))];
		// A source the admin set entirely to zero has no school row, so the shipped default applies
		// to it again; the admin page refuses such a row, saying so, rather than fall back quietly.
		if (kept.length) {
			await trx
				.insertInto('crosswalk_weights')
				.values(
					kept.map((r) => ({
						school_id: schoolId,
						source_item_id: r.sourceItemId,
						target_item_id: r.targetItemId,
						weight: r.weight
					}))
				)
				.execute();
		}
		await recordAudit(trx, {
			schoolId,
			actorId,
			action: 'crosswalk.save',
			entityType: 'crosswalk',
			entityId: String(schoolId),
			before,
			after: { framework: frameworkIdentifier, sources: edited.length, rows: kept.length }
		});
	});
}

/** Back to the shipped default for one framework's rows; the other frameworks' stay as they are. */
export async function resetSchoolCrosswalk(
	db: DB,
	schoolId: number,
	actorId: number,
	frameworkIdentifier: string = CAPRI.identifier
) {
	await db.transaction().execute(async (trx) => {
		const before = await trx
			.selectFrom('crosswalk_weights')
			.select(['source_item_id', 'target_item_id', 'weight'])
			.where('school_id', '=', schoolId)
			.where('source_item_id', 'in', itemsOfFramework(trx, frameworkIdentifier))
			.execute();
		await trx
			.deleteFrom('crosswalk_weights')
			.where('school_id', '=', schoolId)
			.where('source_item_id', 'in', itemsOfFramework(trx, frameworkIdentifier))
			.execute();
		await recordAudit(trx, {
			schoolId,
			actorId,
			action: 'crosswalk.reset',
			entityType: 'crosswalk',
			entityId: String(schoolId),
			before,
			after: { framework: frameworkIdentifier }
		});
	});
}

/** Whether the school has its own rows for one framework's crosswalk (else the default applies). */
export async function schoolEditedCrosswalk(
	db: DB,
	schoolId: number,
	frameworkIdentifier: string
): Promise<boolean> {
	const row = await db
		.selectFrom('crosswalk_weights')
		.select('id')
		.where('school_id', '=', schoolId)
		.where('source_item_id', 'in', itemsOfFramework(db, frameworkIdentifier))
		.limit(1)
		.executeTakeFirst();
	return row !== undefined;
}

/**
 * The framework as a CASE CFPackage; CAPRI's package carries the school's crosswalk as
 * associations. A school sees the shared frameworks and its own; without a school (the public
 * link) only the shared ones. Another school's framework is as absent as one that does not exist.
 */
export async function exportCasePackage(
	db: DB,
	identifier: string,
	baseUrl: string,
	schoolId: number | null
): Promise<CasePackage | null> {
	const doc = await db
		.selectFrom('frameworks')
		.select([
			'id',
			'identifier',
			'title',
			'description',
			'creator',
			'version',
			'kind',
			'last_change_at as lastChangeAt'
		])
		.where('identifier', '=', identifier)
		.where((eb) =>
			schoolId === null
				? eb('school_id', 'is', null)
				: eb.or([eb('school_id', 'is', null), eb('school_id', '=', schoolId)])
		)
		.executeTakeFirst();
	if (!doc) return null;
	const items = await db
		.selectFrom('framework_items as item')
		.leftJoin('framework_items as parent', 'parent.id', 'item.parent_id')
		.select([
			'item.id',
			'item.identifier',
			'item.code',
			'item.title',
			'item.description',
			'item.colour',
			'item.position',
			'item.last_change_at as lastChangeAt',
			'parent.identifier as parentIdentifier'
		])
		.where('item.framework_id', '=', doc.id)
		.execute();
	const itemIds = new Set(items.map((i) => i.id));
	const crosswalk =
		schoolId === null ? await defaultCrosswalkRows(db) : await crosswalkFor(db, schoolId);
	const ownRows = crosswalk.filter((r) => itemIds.has(r.sourceItemId));
	const names = ownRows.length
		? await db
				.selectFrom('framework_items')
				.select(['id', 'identifier', 'title'])
				.where('id', 'in', [...new Set(ownRows.flatMap((r) => [r.sourceItemId, r.targetItemId]))])
				.execute()
		: [];
	const byId = new Map(names.map((n) => [n.id, n]));
	return buildCasePackage(
		baseUrl,
		doc,
		items,
		ownRows.map((r) => ({
			sourceIdentifier: byId.get(r.sourceItemId)!.identifier,
			sourceTitle: byId.get(r.sourceItemId)!.title,
			targetIdentifier: byId.get(r.targetItemId)!.identifier,
			targetTitle: byId.get(r.targetItemId)!.title,
			weight: r.weight
		}))
	);
}

async function defaultCrosswalkRows(db: DB): Promise<CrosswalkWeight[]> {
	return db
		.selectFrom('crosswalk_weights')
		.select(['source_item_id as sourceItemId', 'target_item_id as targetItemId', 'weight'])
		.where('school_id', 'is', null)
		.execute();
}

const SHARED_IS_READ_ONLY = (title: string, code: string) =>
	`${title} is shared by every school on this server, so a school cannot add to it (the package adds ${code}). Nothing was imported. To use your own items, import them as a framework with its own identifier; the server's operator changes shared frameworks with npm run frameworks.`;

export interface CaseImportResult {
	frameworkCreated: boolean;
	itemsCreated: number;
	itemsAlreadyPresent: number;
	crosswalkRows: number;
	crosswalkSkipped: number;
}

/**
 * Loads a CASE package. A framework new to this installation is created with the package's
 * identifiers, owned by the importing school (or shared when `schoolId` is null: only the
 * command line, `npm run frameworks`, imports as shared). An existing framework's items are never
 * rewritten by an import: another school may rely on their wording. A school may not add items to
 * a shared framework (every school would see them), only take a package's crosswalk as its own.
 */
export async function importCasePackage(
	db: DB,
	schoolId: number | null,
	actorId: number | null,
	json: unknown
): Promise<CaseImportResult> {
	const parsed = casePackageSchema.safeParse(json);
	if (!parsed.success) {
		const issue = parsed.error.issues[0]!;
		throw new Refusal(
			`Not a CASE framework package: ${issue.path.join('.') || 'document'} ${issue.message}.`
		);
	}
	const pkg = parsed.data;
	const documentChangedAt = pkg.CFDocument.lastChangeDateTime ?? nowIso();
	const parents = parentsFromAssociations(pkg);
	const result: CaseImportResult = {
		frameworkCreated: false,
		itemsCreated: 0,
		itemsAlreadyPresent: 0,
		crosswalkRows: 0,
		crosswalkSkipped: 0
	};
	await db.transaction().execute(async (trx) => {
		let framework = await trx
			.selectFrom('frameworks')
			.select(['id', 'school_id', 'title'])
			.where('identifier', '=', pkg.CFDocument.identifier)
			.executeTakeFirst();
		if (framework && framework.school_id !== null && framework.school_id !== schoolId) {
			throw new Refusal('A framework with this identifier belongs to another school.');
		}
		if (!framework) {
			const codes = new Set(pkg.CFItems.map((i) => i.humanCodingScheme));
			const kind =
				pkg.CFItems.length === 12 && [...codes].every((c) => /^FS-\d\d$/.test(c))
					? 'fusion'
					: codes.has('C') && codes.has('A') && codes.has('P')
						? 'capri'
						: 'other';
			framework = await trx
				.insertInto('frameworks')
				.values({
					school_id: schoolId,
					identifier: pkg.CFDocument.identifier,
					kind,
					title: pkg.CFDocument.title,
					description: pkg.CFDocument.description,
					creator: pkg.CFDocument.creator,
					version: pkg.CFDocument.version,
					last_change_at: documentChangedAt
				})
				.returning(['id', 'school_id', 'title'])
				.executeTakeFirstOrThrow();
			result.frameworkCreated = true;
		}
		// Parents first, so each child can point at its parent's row.
		const pending = [...pkg.CFItems];
		const idByIdentifier = new Map<string, number>();
		// Every item the package names, as an item or a parent, that is already here: one read.
		const itemsPresent = new Map<string, { id: number; framework_id: number }>();
		const named = new Set([...pkg.CFItems.map((i) => i.identifier), ...parents.values()]);
		for (const batch of chunks([...named])) {
			const rows = await trx
				.selectFrom('framework_items')
				.select(['identifier', 'id', 'framework_id'])
				.where('identifier', 'in', batch)
				.execute();
			for (const row of rows) itemsPresent.set(row.identifier, row);
		}
		for (let guard = 0; pending.length && guard < 50; guard++) {
			for (const item of [...pending]) {
				const parentIdentifier = parents.get(item.identifier) ?? null;
				const existingParent = parentIdentifier
					? (idByIdentifier.get(parentIdentifier) ?? itemsPresent.get(parentIdentifier)?.id)
					: null;
				if (parentIdentifier && !existingParent) continue;
				pending.splice(pending.indexOf(item), 1);
				const existing = itemsPresent.get(item.identifier);
				if (existing) {
					if (existing.framework_id !== framework.id)
						throw new Refusal(
							`Item ${item.humanCodingScheme} already belongs to another framework.`
						);
					idByIdentifier.set(item.identifier, existing.id);
					result.itemsAlreadyPresent++;
					continue;
				}
				if (framework.school_id === null && schoolId !== null)
					throw new Refusal(SHARED_IS_READ_ONLY(framework.title, item.humanCodingScheme));
				const { id } = await trx
					.insertInto('framework_items')
					.values({
						framework_id: framework.id,
						identifier: item.identifier,
						code: item.humanCodingScheme,
						title: item.fullStatement,
						description: item.notes,
						parent_id: existingParent ?? null,
						colour: item.extensions?.colour ?? null,
						position: item.listEnumeration ?? 0,
						last_change_at: item.lastChangeDateTime ?? documentChangedAt
					})
					.returning('id')
					.executeTakeFirstOrThrow();
				idByIdentifier.set(item.identifier, id);
				itemsPresent.set(item.identifier, { id, framework_id: framework.id });
				result.itemsCreated++;
			}
		}
		if (pending.length)
			throw new Refusal(`${pending.length} items name a parent that is not in the package.`);

		const related = pkg.CFAssociations.filter(
			(a) => a.associationType === 'isRelatedTo' && a.extensions?.crosswalkWeight
		);
		if (related.length && schoolId !== null) {
			const ends = await trx
				.selectFrom('framework_items')
				.select(['id', 'identifier'])
				.where(
					'identifier',
					'in',
					related.flatMap((a) => [a.originNodeURI.identifier, a.destinationNodeURI.identifier])
				)
				.execute();
			const idOf = new Map(ends.map((e) => [e.identifier, e.id]));
			const rows = related.flatMap((a) => {
				const source = idOf.get(a.originNodeURI.identifier);
				const target = idOf.get(a.destinationNodeURI.identifier);
				if (!source || !target) {
					result.crosswalkSkipped++;
					return [];
				}
				return [
					{
						school_id: schoolId,
						source_item_id: source,
						target_item_id: target,
						weight: a.extensions!.crosswalkWeight!
					}
				];
			});
			const sources = [...new Set(rows.map((r) => r.source_item_id))];
			if (sources.length) {
				await trx
					.deleteFrom('crosswalk_weights')
					.where('school_id', '=', schoolId)
					.where('source_item_id', 'in', sources)
					.execute();
				await trx.insertInto('crosswalk_weights').values(rows).execute();
			}
			result.crosswalkRows = rows.length;
		}
		if (schoolId !== null) {
			await recordAudit(trx, {
				schoolId,
				actorId,
				action: 'framework.import',
				entityType: 'framework',
				entityId: pkg.CFDocument.identifier,
				after: result
			});
		}
	});
	return result;
}
