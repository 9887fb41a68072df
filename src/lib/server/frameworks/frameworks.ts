import type { ExpressionBuilder, Selectable, Transaction } from 'kysely';
import type { DB } from '../db/connection';
import type { Database, FrameworkAssociationsTable } from '../db/schema';
import { CAPRI, FUSION_SKILLS } from '../../domain/frameworks';
import { effectiveCrosswalk, type CrosswalkWeight } from '../../domain/crosswalk';
import {
	associationsToKeep,
	buildCasePackage,
	caseDateTime,
	casePackageSchema,
	placeItems,
	type CaseAssociationRow,
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

/**
 * Who may read a framework through the CASE endpoints and public links: the shared frameworks
 * (no school) and any school's published one are public; a school's unpublished framework is seen
 * only by its own members (`viewerSchoolId`), and is as absent to anyone else as one that does not
 * exist.
 */
export function frameworkVisibleTo(viewerSchoolId: number | null) {
	return (eb: ExpressionBuilder<Database, 'frameworks'>) =>
		eb.or([
			eb('frameworks.school_id', 'is', null),
			eb('frameworks.published_at', 'is not', null),
			...(viewerSchoolId === null ? [] : [eb('frameworks.school_id', '=', viewerSchoolId)])
		]);
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
			'frameworks.published_at as publishedAt',
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
	return (await crosswalksFor(db, [schoolId])).get(schoolId)!;
}

/**
 * Each school's crosswalk: its own rows where it edited a source, else the shipped default. In one
 * order (source, target), so an item's shares are summed alike wherever they are worked out (the
 * report and its totals agree to the last digit).
 */
export async function crosswalksFor(
	db: DB,
	schoolIds: readonly number[]
): Promise<Map<number, CrosswalkWeight[]>> {
	const rows = await db
		.selectFrom('crosswalk_weights')
		.select([
			'school_id as schoolId',
			'source_item_id as sourceItemId',
			'target_item_id as targetItemId',
			'weight'
		])
		.where((eb) =>
			eb.or([
				eb('school_id', 'is', null),
				...(schoolIds.length ? [eb('school_id', 'in', [...schoolIds])] : [])
			])
		)
		.orderBy('source_item_id')
		.orderBy('target_item_id')
		.execute();
	const defaults = rows.filter((r) => r.schoolId === null);
	return new Map(
		[...new Set(schoolIds)].map((schoolId) => [
			schoolId,
			effectiveCrosswalk(
				defaults,
				rows.filter((r) => r.schoolId === schoolId)
			)
		])
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
		const before = await takeSchoolCrosswalk(trx, schoolId, frameworkIdentifier);
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
		await refreshTotalsForCrosswalk(trx, schoolId, frameworkIdentifier === CAPRI.identifier);
	});
}

/**
 * After a change to a school's crosswalk. CAPRI's rows give each criterion its Fusion Skill shares
 * (`fusionShares`): a change moves the totals of every learner with released work in the school.
 * The other frameworks' rows change only how their items read the Fusion Skills: those items'
 * class and year group totals are counted again (after the learners' own totals, when both move).
 */
async function refreshTotalsForCrosswalk(
	trx: Transaction<Database>,
	schoolId: number,
	fusionShares: boolean,
	mappedItems = !fusionShares
) {
	// Imported when needed: the aggregates read the crosswalk through this module.
	const { refreshAggregatesForSchool, recountSchoolItemTotals } =
		await import('../profiles/aggregates');
	if (fusionShares) await refreshAggregatesForSchool(trx, schoolId);
	if (mappedItems) await recountSchoolItemTotals(trx, schoolId);
}

/** Removes the school's own rows of one framework's crosswalk, returning them for the audit. */
async function takeSchoolCrosswalk(
	trx: Transaction<Database>,
	schoolId: number,
	frameworkIdentifier: string
) {
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
	return before;
}

/** Back to the shipped default for one framework's rows; the other frameworks' stay as they are. */
export async function resetSchoolCrosswalk(
	db: DB,
	schoolId: number,
	actorId: number,
	frameworkIdentifier: string = CAPRI.identifier
) {
	await db.transaction().execute(async (trx) => {
		const before = await takeSchoolCrosswalk(trx, schoolId, frameworkIdentifier);
		await recordAudit(trx, {
			schoolId,
			actorId,
			action: 'crosswalk.reset',
			entityType: 'crosswalk',
			entityId: String(schoolId),
			before,
			after: { framework: frameworkIdentifier }
		});
		await refreshTotalsForCrosswalk(trx, schoolId, frameworkIdentifier === CAPRI.identifier);
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

/** The framework row as the CASE builders read it. */
export const caseDocumentColumns = [
	'frameworks.id',
	'frameworks.school_id as schoolId',
	'frameworks.published_at as publishedAt',
	'frameworks.identifier',
	'frameworks.title',
	'frameworks.description',
	'frameworks.creator',
	'frameworks.version',
	'frameworks.kind',
	'frameworks.last_change_at as lastChangeAt',
	'frameworks.uri',
	'frameworks.package_uri as packageUri'
] as const;

/** An item row as the CASE builders read it (`item` aliases framework_items, `parent` its parent). */
export const caseItemColumns = [
	'item.id',
	'item.identifier',
	'item.code',
	'item.code_generated as codeGenerated',
	'item.title',
	'item.description',
	'item.colour',
	'item.position',
	'item.list_enumeration as listEnumeration',
	'item.last_change_at as lastChangeAt',
	'item.uri',
	'item.parent_association_identifier as parentAssociationIdentifier',
	'item.parent_association_uri as parentAssociationUri',
	'parent.identifier as parentIdentifier'
] as const;

/** An imported package's kept associations, as the CASE builders read them. */
export async function keptAssociations(db: DB, frameworkId: number): Promise<CaseAssociationRow[]> {
	const rows = await db
		.selectFrom('framework_associations')
		.selectAll()
		.where('framework_id', '=', frameworkId)
		.orderBy('id')
		.execute();
	return rows.map(keptAssociationRow);
}

export function keptAssociationRow(
	row: Selectable<FrameworkAssociationsTable>
): CaseAssociationRow {
	return {
		identifier: row.identifier,
		uri: row.uri,
		associationType: row.association_type,
		origin: { identifier: row.origin_identifier, title: row.origin_title, uri: row.origin_uri },
		destination: {
			identifier: row.destination_identifier,
			title: row.destination_title,
			uri: row.destination_uri
		},
		sequenceNumber: row.sequence_number,
		lastChangeAt: row.last_change_at
	};
}

/**
 * The framework as a CASE CFPackage, with the crosswalk from its items as associations. Who sees
 * it: `frameworkVisibleTo(viewerSchoolId)`. Whose crosswalk: a school's own framework carries its
 * owner's; a shared one carries the viewer's school's effective crosswalk for the admin download
 * (`crosswalkOf: 'viewer'`), and the default for the public view (no viewer, or
 * `crosswalkOf: 'owner'`, which the CASE endpoints use so an answer never depends on who asks).
 */
export async function exportCasePackage(
	db: DB,
	identifier: string,
	baseUrl: string,
	viewerSchoolId: number | null,
	crosswalkOf: 'viewer' | 'owner' = 'viewer'
): Promise<CasePackage | null> {
	const doc = await db
		.selectFrom('frameworks')
		.select(caseDocumentColumns)
		.where('frameworks.identifier', '=', identifier)
		.where(frameworkVisibleTo(viewerSchoolId))
		.executeTakeFirst();
	if (!doc) return null;
	const items = await db
		.selectFrom('framework_items as item')
		.leftJoin('framework_items as parent', 'parent.id', 'item.parent_id')
		.select(caseItemColumns)
		.where('item.framework_id', '=', doc.id)
		.execute();
	const itemIds = new Set(items.map((i) => i.id));
	const crosswalkSchool = doc.schoolId ?? (crosswalkOf === 'viewer' ? viewerSchoolId : null);
	const crosswalk =
		crosswalkSchool === null
			? await defaultCrosswalkRows(db)
			: await crosswalkFor(db, crosswalkSchool);
	const ownRows = crosswalk.filter((r) => itemIds.has(r.sourceItemId));
	const ends = new Map<number, { identifier: string; title: string; uri: string | null }>();
	for (const batch of chunks([
		...new Set(ownRows.flatMap((r) => [r.sourceItemId, r.targetItemId]))
	]))
		for (const row of await db
			.selectFrom('framework_items')
			.select(['id', 'identifier', 'title', 'uri'])
			.where('id', 'in', batch)
			.execute())
			ends.set(row.id, row);
	return buildCasePackage(
		baseUrl,
		doc,
		items,
		ownRows.map((r) => ({
			sourceIdentifier: ends.get(r.sourceItemId)!.identifier,
			sourceTitle: ends.get(r.sourceItemId)!.title,
			targetIdentifier: ends.get(r.targetItemId)!.identifier,
			targetTitle: ends.get(r.targetItemId)!.title,
			weight: r.weight
		})),
		await keptAssociations(db, doc.id),
		new Map([...ends.values()].map((e) => [e.identifier, e]))
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
	/** associations other than the tree and the crosswalk, kept as they came */
	associationsKept: number;
	crosswalkRows: number;
	crosswalkSkipped: number;
}

/** Rows of up to 14 columns: 14 × 500 values stay far below SQLite's 32,766 per statement. */
const ITEM_CHUNK = 500;

/**
 * Loads a CASE package (1.1, or 1.0 as OpenSALT exports it). A framework new to this installation
 * is created with the package's identifiers and URIs, owned by the importing school and private
 * until its admin publishes it (or shared when `schoolId` is null: only the command line,
 * `npm run frameworks`, imports as shared). An existing framework's items are never rewritten by
 * an import: another school may rely on their wording. A school may not add items to a shared
 * framework (every school would see them), only take a package's crosswalk as its own.
 *
 * Items are inserted level by level, a chunk of rows per statement, so a state framework of
 * thousands of items loads in about a second.
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
	const importedAt = nowIso();
	const documentChangedAt = caseDateTime(pkg.CFDocument.lastChangeDateTime, importedAt);
	const placed = placeItems(pkg);
	const kept = associationsToKeep(pkg, placed);
	const result: CaseImportResult = {
		frameworkCreated: false,
		itemsCreated: 0,
		itemsAlreadyPresent: 0,
		associationsKept: 0,
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
				pkg.CFItems.length === 12 && [...codes].every((c) => c && /^FS-\d\d$/.test(c))
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
					last_change_at: documentChangedAt,
					uri: pkg.CFDocument.uri ?? null,
					package_uri: pkg.CFDocument.CFPackageURI ?? null
				})
				.returning(['id', 'school_id', 'title'])
				.executeTakeFirstOrThrow();
			result.frameworkCreated = true;
		}
		const frameworkId = framework.id;

		// Every item the package names, as an item or a parent, that is already here: one read per chunk.
		const itemsPresent = new Map<string, { id: number; framework_id: number }>();
		for (const batch of chunks(pkg.CFItems.map((i) => i.identifier))) {
			const rows = await trx
				.selectFrom('framework_items')
				.select(['identifier', 'id', 'framework_id'])
				.where('identifier', 'in', batch)
				.execute();
			for (const row of rows) itemsPresent.set(row.identifier, row);
		}
		const foreign = pkg.CFItems.find(
			(i) =>
				itemsPresent.has(i.identifier) &&
				itemsPresent.get(i.identifier)!.framework_id !== frameworkId
		);
		if (foreign)
			throw new Refusal(
				`Item ${foreign.humanCodingScheme ?? foreign.identifier} already belongs to another framework.`
			);
		const fresh = pkg.CFItems.filter((i) => !itemsPresent.has(i.identifier));
		result.itemsAlreadyPresent = pkg.CFItems.length - fresh.length;
		if (fresh.length && framework.school_id === null && schoolId !== null)
			throw new Refusal(
				SHARED_IS_READ_ONLY(
					framework.title,
					fresh[0]!.humanCodingScheme || fresh[0]!.fullStatement.slice(0, 60)
				)
			);

		// `(framework_id, code)` is unique: an item without a humanCodingScheme (optional in CASE),
		// or repeating one, gets a stand-in from its identifier, marked so it is never exported.
		const codesUsed = new Set(
			(
				await trx
					.selectFrom('framework_items')
					.select('code')
					.where('framework_id', '=', frameworkId)
					.execute()
			).map((r) => r.code)
		);
		const codeOf = new Map<string, { code: string; generated: 0 | 1 }>();
		for (const item of fresh) {
			const given = item.humanCodingScheme;
			const code = given && !codesUsed.has(given) ? given : null;
			codeOf.set(
				item.identifier,
				code ? { code, generated: 0 } : { code: `~${item.identifier}`, generated: 1 }
			);
			codesUsed.add(code ?? `~${item.identifier}`);
		}

		// Parents before children: each level is inserted once its parents have row ids.
		const idOf = new Map([...itemsPresent].map(([identifier, row]) => [identifier, row.id]));
		let pending = fresh;
		while (pending.length) {
			const ready = pending.filter((i) => {
				const parent = placed.get(i.identifier)!.parentIdentifier;
				return parent === null || idOf.has(parent);
			});
			if (!ready.length)
				throw new Refusal(
					`${pending.length} items are placed under each other in a loop (isChildOf), so they have no place in the framework. Nothing was imported.`
				);
			for (const batch of chunks(ready, ITEM_CHUNK)) {
				const inserted = await trx
					.insertInto('framework_items')
					.values(
						batch.map((item) => {
							const place = placed.get(item.identifier)!;
							return {
								framework_id: frameworkId,
								identifier: item.identifier,
								code: codeOf.get(item.identifier)!.code,
								code_generated: codeOf.get(item.identifier)!.generated,
								title: item.fullStatement,
								description: item.notes,
								parent_id: place.parentIdentifier ? idOf.get(place.parentIdentifier)! : null,
								colour: item.extensions?.colour ?? null,
								position: place.position,
								list_enumeration: item.listEnumeration || null,
								last_change_at: caseDateTime(item.lastChangeDateTime, documentChangedAt),
								uri: item.uri ?? null,
								parent_association_identifier: place.association?.identifier ?? null,
								parent_association_uri: place.association?.uri ?? null
							};
						})
					)
					.returning(['id', 'identifier'])
					.execute();
				for (const row of inserted) idOf.set(row.identifier, row.id);
			}
			result.itemsCreated += ready.length;
			const done = new Set(ready);
			pending = pending.filter((i) => !done.has(i));
		}

		// The package's other associations, kept as they came (an identifier already here, from an
		// earlier import of the same package, is left as it is).
		if (fresh.length || result.frameworkCreated) {
			for (const batch of chunks(kept)) {
				const rows = await trx
					.insertInto('framework_associations')
					.values(
						batch.map((a) => ({
							framework_id: frameworkId,
							identifier: a.identifier,
							uri: a.uri ?? null,
							association_type: a.associationType,
							origin_identifier: a.originNodeURI.identifier,
							origin_title: a.originNodeURI.title ?? '',
							origin_uri: a.originNodeURI.uri ?? null,
							destination_identifier: a.destinationNodeURI.identifier,
							destination_title: a.destinationNodeURI.title ?? '',
							destination_uri: a.destinationNodeURI.uri ?? null,
							sequence_number: a.sequenceNumber ?? null,
							last_change_at: caseDateTime(a.lastChangeDateTime, documentChangedAt)
						}))
					)
					.onConflict((oc) => oc.column('identifier').doNothing())
					.returning('id')
					.execute();
				result.associationsKept += rows.length;
			}
		}

		const related = pkg.CFAssociations.filter(
			(a) => a.associationType === 'isRelatedTo' && a.extensions?.crosswalkWeight
		);
		if (related.length && schoolId !== null) {
			// Ends resolve only among items this school may see (shared frameworks and its own), and a
			// crosswalk always points at a Fusion Skill: another school's private item is as absent
			// as one that does not exist, and its title never reaches this school's public export.
			const endIds = new Map<string, { id: number; fusion: boolean }>();
			for (const batch of chunks([
				...new Set(
					related.flatMap((a) => [a.originNodeURI.identifier, a.destinationNodeURI.identifier])
				)
			]))
				for (const row of await trx
					.selectFrom('framework_items')
					.innerJoin('frameworks', 'frameworks.id', 'framework_items.framework_id')
					.select([
						'framework_items.id',
						'framework_items.identifier',
						'frameworks.identifier as framework'
					])
					.where('framework_items.identifier', 'in', batch)
					.where((eb) =>
						eb.or([
							eb('frameworks.school_id', 'is', null),
							eb('frameworks.school_id', '=', schoolId)
						])
					)
					.execute())
					endIds.set(row.identifier, {
						id: row.id,
						fusion: row.framework === FUSION_SKILLS.identifier
					});
			const rows = related.flatMap((a) => {
				const source = endIds.get(a.originNodeURI.identifier)?.id;
				const end = endIds.get(a.destinationNodeURI.identifier);
				const target = end?.fusion ? end.id : undefined;
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
			for (const batch of chunks(sources))
				await trx
					.deleteFrom('crosswalk_weights')
					.where('school_id', '=', schoolId)
					.where('source_item_id', 'in', batch)
					.execute();
			for (const batch of chunks(rows))
				await trx.insertInto('crosswalk_weights').values(batch).execute();
			result.crosswalkRows = rows.length;
			// An imported crosswalk may name CAPRI's sub-categories and other frameworks' items alike.
			if (schoolId !== null && rows.length)
				await refreshTotalsForCrosswalk(trx, schoolId, true, true);
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

/**
 * Publishes (or withdraws) a school's own framework: published, the CASE endpoints and its public
 * link serve it to anyone; withdrawn, only the school's members. Shared frameworks are always
 * public; another school's framework is as absent as one that does not exist.
 */
export async function setFrameworkPublished(
	db: DB,
	schoolId: number,
	actorId: number,
	identifier: string,
	published: boolean
): Promise<void> {
	await db.transaction().execute(async (trx) => {
		const framework = await trx
			.selectFrom('frameworks')
			.select(['id', 'school_id', 'title', 'published_at'])
			.where('identifier', '=', identifier)
			.where((eb) => eb.or([eb('school_id', 'is', null), eb('school_id', '=', schoolId)]))
			.executeTakeFirst();
		if (!framework) throw new Refusal('No framework of your school has that identifier.', 404);
		if (framework.school_id === null)
			throw new Refusal(
				`${framework.title} is shared by every school on this server and is always public.`
			);
		const publishedAt = published ? (framework.published_at ?? nowIso()) : null;
		await trx
			.updateTable('frameworks')
			.set({ published_at: publishedAt })
			.where('id', '=', framework.id)
			.execute();
		await recordAudit(trx, {
			schoolId,
			actorId,
			action: published ? 'framework.publish' : 'framework.unpublish',
			entityType: 'framework',
			entityId: identifier,
			before: { publishedAt: framework.published_at },
			after: { publishedAt }
		});
	});
}
