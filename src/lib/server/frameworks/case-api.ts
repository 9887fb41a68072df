import { json } from '@sveltejs/kit';
import type { DB } from '../db/connection';
import {
	associationIdentifier,
	caseSourcedId,
	caseAssociationAlone,
	caseDocumentAlone,
	caseItemAlone,
	childOfAssociation,
	crosswalkAssociation,
	keptAssociation
} from '../../domain/case';
import {
	caseDocumentColumns,
	caseItemColumns,
	exportCasePackage,
	frameworkVisibleTo,
	keptAssociationRow
} from './frameworks';

/**
 * The CASE 1.1 REST read service (1EdTech's service binding: `/ims/case/v1p1/…`): documents,
 * packages, items and associations of every framework the caller may see (`frameworkVisibleTo`).
 * An answer never depends on who asks beyond that: a shared framework carries the default
 * crosswalk, a school's own its owner's. `isPublic` says whether the answer may be cached by
 * anyone (a shared or published framework) or belongs to the caller's school alone.
 */
export interface CaseAnswer<T> {
	body: T;
	isPublic: boolean;
}

type DocumentRow = Awaited<ReturnType<typeof documentQuery>>[number];

function documentQuery(db: DB, viewerSchoolId: number | null) {
	return db
		.selectFrom('frameworks')
		.select(caseDocumentColumns)
		.where(frameworkVisibleTo(viewerSchoolId))
		.orderBy('frameworks.id')
		.execute();
}

const isPublic = (doc: Pick<DocumentRow, 'schoolId' | 'publishedAt'>) =>
	doc.schoolId === null || doc.publishedAt !== null;

export async function listCaseDocuments(db: DB, baseUrl: string, viewerSchoolId: number | null) {
	const docs = await documentQuery(db, viewerSchoolId);
	return {
		body: { CFDocuments: docs.map((doc) => caseDocumentAlone(baseUrl, doc)) },
		isPublic: docs.every(isPublic)
	};
}

async function visibleDocument(db: DB, viewerSchoolId: number | null, identifier: string) {
	return db
		.selectFrom('frameworks')
		.select(caseDocumentColumns)
		.where('frameworks.identifier', '=', identifier)
		.where(frameworkVisibleTo(viewerSchoolId))
		.executeTakeFirst();
}

export async function caseDocumentById(
	db: DB,
	baseUrl: string,
	viewerSchoolId: number | null,
	identifier: string
): Promise<CaseAnswer<ReturnType<typeof caseDocumentAlone>> | null> {
	const doc = await visibleDocument(db, viewerSchoolId, identifier);
	return doc ? { body: caseDocumentAlone(baseUrl, doc), isPublic: isPublic(doc) } : null;
}

export async function casePackageById(
	db: DB,
	baseUrl: string,
	viewerSchoolId: number | null,
	identifier: string
) {
	const doc = await visibleDocument(db, viewerSchoolId, identifier);
	if (!doc) return null;
	const body = await exportCasePackage(db, identifier, baseUrl, viewerSchoolId, 'owner');
	return body ? { body, isPublic: isPublic(doc) } : null;
}

function itemQuery(db: DB, viewerSchoolId: number | null) {
	return db
		.selectFrom('framework_items as item')
		.innerJoin('frameworks', 'frameworks.id', 'item.framework_id')
		.leftJoin('framework_items as parent', 'parent.id', 'item.parent_id')
		.select(caseItemColumns)
		.select([
			'parent.title as parentTitle',
			'parent.uri as parentUri',
			'frameworks.identifier as documentIdentifier'
		])
		.where(frameworkVisibleTo(viewerSchoolId));
}

export async function caseItemById(
	db: DB,
	baseUrl: string,
	viewerSchoolId: number | null,
	identifier: string
) {
	const item = await itemQuery(db, viewerSchoolId)
		.where('item.identifier', '=', identifier)
		.executeTakeFirst();
	if (!item) return null;
	const doc = (await visibleDocument(db, viewerSchoolId, item.documentIdentifier))!;
	return { body: caseItemAlone(baseUrl, doc, item), isPublic: isPublic(doc) };
}

/**
 * One association, wherever it lives: an imported package's tree (the publisher's identifier,
 * stored on the item) or its other associations (kept verbatim), our own tree (identifiers derived
 * from what they link, so computed here), or a crosswalk weight.
 */
export async function caseAssociationById(
	db: DB,
	baseUrl: string,
	viewerSchoolId: number | null,
	identifier: string
) {
	const documentOf = async (documentIdentifier: string) =>
		(await visibleDocument(db, viewerSchoolId, documentIdentifier))!;
	const childOf = async (item: Awaited<ReturnType<ReturnType<typeof itemQuery>['execute']>>[0]) => {
		const doc = await documentOf(item.documentIdentifier);
		const parent = item.parentIdentifier
			? {
					...item,
					identifier: item.parentIdentifier,
					title: item.parentTitle!,
					uri: item.parentUri
				}
			: undefined;
		return {
			body: caseAssociationAlone(baseUrl, doc, childOfAssociation(baseUrl, doc, item, parent)),
			isPublic: isPublic(doc)
		};
	};

	const stored = await itemQuery(db, viewerSchoolId)
		.where('item.parent_association_identifier', '=', identifier)
		.executeTakeFirst();
	if (stored) return childOf(stored);

	const kept = await db
		.selectFrom('framework_associations')
		.innerJoin('frameworks', 'frameworks.id', 'framework_associations.framework_id')
		.selectAll('framework_associations')
		.select('frameworks.identifier as documentIdentifier')
		.where('framework_associations.identifier', '=', identifier)
		.where(frameworkVisibleTo(viewerSchoolId))
		.executeTakeFirst();
	if (kept) {
		const doc = await documentOf(kept.documentIdentifier);
		return {
			body: caseAssociationAlone(baseUrl, doc, keptAssociation(baseUrl, keptAssociationRow(kept))),
			isPublic: isPublic(doc)
		};
	}

	// Our own tree: the identifier is a hash of what it links, so look among the items whose
	// association identifier is not stored (the shipped frameworks: dozens of rows).
	const derived = await itemQuery(db, viewerSchoolId)
		.where('item.parent_association_identifier', 'is', null)
		.execute();
	const ours = derived.find(
		(item) =>
			associationIdentifier(
				'isChildOf',
				item.identifier,
				item.parentIdentifier ?? item.documentIdentifier
			) === identifier
	);
	if (ours) return childOf(ours);

	// A crosswalk weight, as the framework of its source carries it: the default crosswalk for a
	// shared framework, the owner's for a school's own; and for a signed-in member, their school's
	// own weights on a shared framework (the admin's download carries them), which are not public.
	const weights = await db
		.selectFrom('crosswalk_weights as weight')
		.innerJoin('framework_items as source', 'source.id', 'weight.source_item_id')
		.innerJoin('framework_items as target', 'target.id', 'weight.target_item_id')
		.innerJoin('frameworks', 'frameworks.id', 'source.framework_id')
		.select([
			'weight.school_id as schoolId',
			'weight.weight',
			'source.identifier as sourceIdentifier',
			'source.title as sourceTitle',
			'source.uri as sourceUri',
			'target.identifier as targetIdentifier',
			'target.title as targetTitle',
			'target.uri as targetUri',
			'frameworks.identifier as documentIdentifier'
		])
		.where((eb) =>
			eb.or([
				eb.and([eb('weight.school_id', 'is', null), eb('frameworks.school_id', 'is', null)]),
				eb('weight.school_id', '=', eb.ref('frameworks.school_id')),
				...(viewerSchoolId === null ? [] : [eb('weight.school_id', '=', viewerSchoolId)])
			])
		)
		.where(frameworkVisibleTo(viewerSchoolId))
		.execute();
	const matching = weights.filter(
		(w) =>
			associationIdentifier('isRelatedTo', w.sourceIdentifier, w.targetIdentifier) === identifier
	);
	const weight =
		matching.find((w) => w.schoolId !== null && w.schoolId === viewerSchoolId) ?? matching[0];
	if (!weight) return null;
	const doc = await documentOf(weight.documentIdentifier);
	const ends = new Map([
		[weight.sourceIdentifier, { uri: weight.sourceUri }],
		[weight.targetIdentifier, { uri: weight.targetUri }]
	]);
	return {
		body: caseAssociationAlone(baseUrl, doc, crosswalkAssociation(baseUrl, doc, weight, ends)),
		isPublic: isPublic(doc) && (weight.schoolId === null || weight.schoolId !== viewerSchoolId)
	};
}

/**
 * The HTTP answer: public objects may be cached and read from any origin (frameworks hold no
 * personal data); a private framework's answer is for the caller's school alone. An unknown or
 * hidden object is CASE's imsx_StatusInfo 404 (`unknownobject`), the same for both.
 */
/** A sourcedId is a UUID; anything else is an object that does not exist (checked before a query). */
export async function answerCase(
	sourcedId: string,
	lookup: (sourcedId: string) => Promise<CaseAnswer<unknown> | null>
): Promise<Response> {
	const parsed = caseSourcedId.safeParse(sourcedId);
	return caseResponse(parsed.success ? await lookup(parsed.data) : null, sourcedId);
}

export function caseResponse(answer: CaseAnswer<unknown> | null, sourcedId: string): Response {
	if (!answer)
		return json(
			{
				imsx_codeMajor: 'failure',
				imsx_severity: 'error',
				imsx_description: 'No published CASE object with that identifier.',
				imsx_CodeMinor: {
					imsx_codeMinorField: [
						{ imsx_codeMinorFieldName: sourcedId, imsx_codeMinorFieldValue: 'unknownobject' }
					]
				}
			},
			{ status: 404, headers: { 'cache-control': 'no-store' } }
		);
	return json(answer.body, {
		headers: answer.isPublic
			? { 'cache-control': 'public, max-age=300', 'access-control-allow-origin': '*' }
			: { 'cache-control': 'private, no-store', vary: 'cookie' }
	});
}
