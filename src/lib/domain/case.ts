import { z } from 'zod';
import { sha256 } from '@oslojs/crypto/sha2';
import { encodeHexLowerCase } from '@oslojs/encoding';

/**
 * 1EdTech CASE 1.1 JSON for a framework (CFPackage: CFDocument, CFItems, CFAssociations), so a
 * framework and its crosswalk can move between schools and align badges. Pure: the caller
 * provides rows and the public base URL.
 *
 * Inside a package the document, items and associations carry no `CFPackageURI` or
 * `CFDocumentURI`: the package schema forbids them (`additionalProperties: false`), as the package
 * itself says which document they belong to. Only an object served alone (the CASE 1.1 REST
 * endpoints: `caseDocumentAlone`, `caseItemAlone`, `caseAssociationAlone`) carries one.
 *
 * An imported framework keeps its publisher's URIs and association identifiers (the rows carry
 * them); ours are built here (`documentUri`, `itemUri`, `associationUri`). Reading a package
 * (`casePackageSchema`, `placeItems`) accepts what real CASE 1.0 and 1.1 exports contain.
 */

export interface CaseItemRow {
	identifier: string;
	code: string;
	/** the package gave no (or a repeated) humanCodingScheme: `code` is a stand-in, not exported */
	codeGenerated?: number | boolean;
	title: string;
	description: string;
	colour: string | null;
	position: number;
	/** CASE's text list position as a package gave it ("a."); ours is the position */
	listEnumeration?: string | null;
	parentIdentifier: string | null;
	lastChangeAt: string;
	/** the publisher's URI of an imported item (null: ours) */
	uri?: string | null;
	/** the publisher's isChildOf association of an imported item (null: ours) */
	parentAssociationIdentifier?: string | null;
	parentAssociationUri?: string | null;
}

export interface CaseCrosswalkRow {
	sourceIdentifier: string;
	sourceTitle: string;
	targetIdentifier: string;
	targetTitle: string;
	weight: number;
}

export interface CaseDocumentRow {
	identifier: string;
	title: string;
	description: string;
	creator: string;
	version: string;
	kind: string;
	lastChangeAt: string;
	/** the publisher's CFDocument and CFPackage URIs of an imported framework (null: ours) */
	uri?: string | null;
	packageUri?: string | null;
}

export interface CaseNodeRef {
	title: string;
	identifier: string;
	uri: string;
}

/** An imported package's association other than its tree and crosswalk, kept as it came. */
export interface CaseAssociationRow {
	identifier: string;
	uri: string | null;
	associationType: string;
	origin: { identifier: string; title: string; uri: string | null };
	destination: { identifier: string; title: string; uri: string | null };
	sequenceNumber: number | null;
	lastChangeAt: string;
}

/** A stable UUID-shaped identifier for an association, from what it connects. */
export function associationIdentifier(type: string, origin: string, destination: string): string {
	const hex = encodeHexLowerCase(
		sha256(new TextEncoder().encode(`${type}|${origin}|${destination}`))
	).slice(0, 32);
	// Format as an RFC 4122 "name-based" UUID (version nibble 5, variant 10xx).
	const v =
		hex.slice(0, 12) +
		'5' +
		hex.slice(13, 16) +
		((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16) +
		hex.slice(17);
	return `${v.slice(0, 8)}-${v.slice(8, 12)}-${v.slice(12, 16)}-${v.slice(16, 20)}-${v.slice(20, 32)}`;
}

/**
 * Where each CASE object of ours resolves. Documents, packages and associations are served by the
 * CASE 1.1 REST endpoints; items keep `/frameworks/items/{id}`, the address issued badges already
 * align to (the same CFItem JSON as `/ims/case/v1p1/CFItems/{id}`), so an alignment's targetUrl
 * and the package's item uri stay one and the same string.
 */
export const CASE_API_PATH = '/ims/case/v1p1';
export const documentUri = (baseUrl: string, identifier: string) =>
	`${baseUrl}${CASE_API_PATH}/CFDocuments/${identifier}`;
export const packageUri = (baseUrl: string, identifier: string) =>
	`${baseUrl}${CASE_API_PATH}/CFPackages/${identifier}`;
export const itemUri = (baseUrl: string, identifier: string) =>
	`${baseUrl}/frameworks/items/${identifier}`;
export const associationUri = (baseUrl: string, identifier: string) =>
	`${baseUrl}${CASE_API_PATH}/CFAssociations/${identifier}`;

/** The document as a node an association points at. */
export function documentRef(baseUrl: string, doc: CaseDocumentRow): CaseNodeRef {
	return {
		title: doc.title,
		identifier: doc.identifier,
		uri: doc.uri ?? documentUri(baseUrl, doc.identifier)
	};
}

export function itemRef(
	baseUrl: string,
	item: Pick<CaseItemRow, 'identifier' | 'title' | 'uri'>
): CaseNodeRef {
	return {
		title: item.title,
		identifier: item.identifier,
		uri: item.uri ?? itemUri(baseUrl, item.identifier)
	};
}

/** The CFDocument as it sits inside a package (no CFPackageURI: the package schema forbids it). */
export function caseDocument(baseUrl: string, doc: CaseDocumentRow) {
	return {
		identifier: doc.identifier,
		uri: documentRef(baseUrl, doc).uri,
		creator: doc.creator,
		title: doc.title,
		lastChangeDateTime: doc.lastChangeAt,
		description: doc.description,
		version: doc.version,
		language: 'en',
		adoptionStatus: 'Adopted',
		...(doc.kind === 'other'
			? {}
			: { subject: [doc.kind === 'fusion' ? 'Transferable skills' : 'Capabilities'] })
	};
}

/** The CFDocument served alone (REST `CFDocuments`): it names its package. */
export function caseDocumentAlone(baseUrl: string, doc: CaseDocumentRow) {
	return {
		...caseDocument(baseUrl, doc),
		CFPackageURI: {
			title: doc.title,
			identifier: doc.identifier,
			uri: doc.packageUri ?? packageUri(baseUrl, doc.identifier)
		}
	};
}

/** A CFItem as it sits inside a package. */
export function caseItem(baseUrl: string, kind: string, item: CaseItemRow) {
	return {
		identifier: item.identifier,
		uri: itemRef(baseUrl, item).uri,
		fullStatement: item.title,
		notes: item.description,
		...(item.codeGenerated ? {} : { humanCodingScheme: item.code }),
		listEnumeration: item.listEnumeration ?? String(item.position),
		...(kind === 'fusion'
			? { CFItemType: 'Skill' }
			: kind === 'capri'
				? { CFItemType: item.parentIdentifier ? 'Sub-category' : 'Category' }
				: {}),
		language: 'en',
		lastChangeDateTime: item.lastChangeAt,
		...(item.colour ? { extensions: { colour: item.colour } } : {})
	};
}

/** A CFItem served alone: it names its document. */
export function caseItemAlone(baseUrl: string, doc: CaseDocumentRow, item: CaseItemRow) {
	return { ...caseItem(baseUrl, doc.kind, item), CFDocumentURI: documentRef(baseUrl, doc) };
}

/** The isChildOf association that places an item under its parent (or the document). */
export function childOfAssociation(
	baseUrl: string,
	doc: CaseDocumentRow,
	item: CaseItemRow,
	parent: CaseItemRow | undefined
) {
	const destination = parent ? itemRef(baseUrl, parent) : documentRef(baseUrl, doc);
	const identifier =
		item.parentAssociationIdentifier ??
		associationIdentifier('isChildOf', item.identifier, destination.identifier);
	return {
		identifier,
		uri: item.parentAssociationUri ?? associationUri(baseUrl, identifier),
		associationType: 'isChildOf',
		sequenceNumber: item.position,
		originNodeURI: itemRef(baseUrl, item),
		destinationNodeURI: destination,
		lastChangeDateTime: item.lastChangeAt
	};
}

/**
 * A crosswalk weight as a CASE association: isRelatedTo from the source item to the target item,
 * the weight in `extensions.crosswalkWeight` (CASE has no weight of its own; CFAssociation's
 * extension object is open, so the schema accepts it and other consumers ignore it). See
 * docs/CROSSWALK.md.
 */
export function crosswalkAssociation(
	baseUrl: string,
	doc: CaseDocumentRow,
	row: CaseCrosswalkRow,
	ends: Map<string, { uri?: string | null }> = new Map()
) {
	const identifier = associationIdentifier(
		'isRelatedTo',
		row.sourceIdentifier,
		row.targetIdentifier
	);
	const ref = (id: string, title: string) =>
		itemRef(baseUrl, { identifier: id, title, uri: ends.get(id)?.uri });
	return {
		identifier,
		uri: associationUri(baseUrl, identifier),
		associationType: 'isRelatedTo',
		originNodeURI: ref(row.sourceIdentifier, row.sourceTitle),
		destinationNodeURI: ref(row.targetIdentifier, row.targetTitle),
		lastChangeDateTime: doc.lastChangeAt,
		extensions: { crosswalkWeight: row.weight }
	};
}

/** An imported association kept verbatim (URIs the publisher gave, else ours). */
export function keptAssociation(baseUrl: string, row: CaseAssociationRow) {
	const ref = (end: CaseAssociationRow['origin']) => ({
		title: end.title,
		identifier: end.identifier,
		uri: end.uri ?? itemUri(baseUrl, end.identifier)
	});
	return {
		identifier: row.identifier,
		uri: row.uri ?? associationUri(baseUrl, row.identifier),
		associationType: row.associationType,
		...(row.sequenceNumber === null ? {} : { sequenceNumber: row.sequenceNumber }),
		originNodeURI: ref(row.origin),
		destinationNodeURI: ref(row.destination),
		lastChangeDateTime: row.lastChangeAt
	};
}

/** A CFAssociation served alone: it names its document. */
export function caseAssociationAlone<T extends object>(
	baseUrl: string,
	doc: CaseDocumentRow,
	association: T
) {
	return { ...association, CFDocumentURI: documentRef(baseUrl, doc) };
}

export function buildCasePackage(
	baseUrl: string,
	doc: CaseDocumentRow,
	items: CaseItemRow[],
	crosswalk: CaseCrosswalkRow[] = [],
	kept: CaseAssociationRow[] = [],
	/** the crosswalk's ends in other frameworks, for their (publisher's) URIs */
	crosswalkEnds: Map<string, { uri?: string | null }> = new Map()
) {
	const byIdentifier = new Map(items.map((i) => [i.identifier, i]));
	const ends = new Map<string, { uri?: string | null }>([...crosswalkEnds, ...byIdentifier]);
	const sorted = [...items].sort(
		(a, b) =>
			(a.parentIdentifier ?? '').localeCompare(b.parentIdentifier ?? '') || a.position - b.position
	);
	return {
		CFDocument: caseDocument(baseUrl, doc),
		CFItems: sorted.map((item) => caseItem(baseUrl, doc.kind, item)),
		CFAssociations: [
			...sorted.map((item) =>
				childOfAssociation(
					baseUrl,
					doc,
					item,
					item.parentIdentifier ? byIdentifier.get(item.parentIdentifier) : undefined
				)
			),
			...crosswalk.map((row) => crosswalkAssociation(baseUrl, doc, row, ends)),
			...kept.map((row) => keptAssociation(baseUrl, row))
		]
	};
}

export type CasePackage = ReturnType<typeof buildCasePackage>;

const uuid = z
	.string()
	.regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'must be a UUID');
/** A CASE sourcedId (the REST endpoints' path parameter). */
export const caseSourcedId = uuid.transform((id) => id.toLowerCase());
const uri = z.string().trim().max(2000);
const nodeRefSchema = z.object({
	identifier: uuid,
	title: z.string().max(10_000).optional(),
	uri: uri.optional()
});
/** CASE 1.0 exports (OpenSALT's) give some links as a bare URI string, CASE 1.1 as a LinkURI. */
const linkOrUri = z
	.union([uri, z.object({ uri }).passthrough()])
	.transform((link) => (typeof link === 'string' ? link : link.uri));

/** The most items one package may bring: state frameworks run to thousands. */
export const MAX_CASE_ITEMS = 20_000;

/**
 * What the importer reads of a CASE 1.0 or 1.1 package. It is lenient where real packages differ
 * (text list enumerations, no humanCodingScheme, long statements, sequence numbers as text) and
 * strict where a wrong value would corrupt the framework (identifiers).
 */
export const casePackageSchema = z.object({
	CFDocument: z.object({
		identifier: uuid,
		uri: uri.optional(),
		CFPackageURI: linkOrUri.optional(),
		title: z.string().trim().min(1).max(1000),
		creator: z.string().max(1000).default('Imported'),
		description: z.string().max(20_000).default(''),
		version: z.string().max(50).default('1.0'),
		/** when absent, the importer stamps the time of import (the domain reads no clock) */
		lastChangeDateTime: z.string().max(40).optional()
	}),
	CFItems: z
		.array(
			z.object({
				identifier: uuid,
				uri: uri.optional(),
				fullStatement: z.string().trim().min(1).max(20_000),
				notes: z.string().max(20_000).default(''),
				humanCodingScheme: z.string().trim().max(200).optional(),
				listEnumeration: z
					.union([z.string(), z.number()])
					.transform((v) => String(v).trim().slice(0, 40))
					.optional(),
				lastChangeDateTime: z.string().max(40).optional(),
				extensions: z
					.object({
						colour: z
							.string()
							.regex(/^#[0-9a-f]{6}$/i)
							.optional()
					})
					.partial()
					.optional()
			})
		)
		.min(1)
		.max(MAX_CASE_ITEMS),
	CFAssociations: z
		.array(
			z.object({
				identifier: uuid.optional(),
				uri: uri.optional(),
				associationType: z.string().max(40),
				originNodeURI: nodeRefSchema,
				destinationNodeURI: nodeRefSchema,
				sequenceNumber: z.coerce.number().int().optional().catch(undefined),
				lastChangeDateTime: z.string().max(40).optional(),
				extensions: z
					.object({ crosswalkWeight: z.number().positive().max(1000).optional() })
					.partial()
					.optional()
			})
		)
		.max(10 * MAX_CASE_ITEMS)
		.default([])
});
export type ParsedCasePackage = z.infer<typeof casePackageSchema>;
type ParsedAssociation = ParsedCasePackage['CFAssociations'][number];

/**
 * A CASE dateTime as ISO 8601 UTC. CASE requires a full date-time; OpenSALT's older exports leave
 * out the offset ("2017-05-25T18:05:33"), which we read as UTC. Anything unreadable is `fallback`.
 */
export function caseDateTime(value: string | undefined, fallback: string): string {
	if (!value) return fallback;
	const withZone = /(?:[zZ]|[+-]\d\d:?\d\d)$/.test(value) ? value : `${value}Z`;
	const time = Date.parse(withZone);
	return Number.isNaN(time) ? fallback : new Date(time).toISOString();
}

export interface PlacedItem {
	parentIdentifier: string | null;
	/** 1-based among its siblings */
	position: number;
	/** the association that placed it, when the package gave one */
	association: ParsedAssociation | null;
}

const listOrder = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

/**
 * Where each item sits: its parent (an item of the package, or none for a child of the document)
 * and its place among its siblings. CASE says to order by the isChildOf association's
 * `sequenceNumber` in preference to the item's `listEnumeration`; then (as OpenSALT does) by the
 * humanCodingScheme, in natural order; items with none of these keep the package's order. An item's first isChildOf to an item of the package (or to the document) places
 * it; any other isChildOf is an ordinary association (see `associationsToKeep`).
 */
export function placeItems(pkg: ParsedCasePackage): Map<string, PlacedItem> {
	const index = new Map(pkg.CFItems.map((item, i) => [item.identifier, i]));
	const placing = new Map<string, ParsedAssociation>();
	for (const a of pkg.CFAssociations) {
		if (a.associationType !== 'isChildOf') continue;
		const origin = a.originNodeURI.identifier;
		const destination = a.destinationNodeURI.identifier;
		if (!index.has(origin) || placing.has(origin) || origin === destination) continue;
		if (index.has(destination) || destination === pkg.CFDocument.identifier) placing.set(origin, a);
	}
	const siblings = new Map<string | null, string[]>();
	for (const item of pkg.CFItems) {
		const destination = placing.get(item.identifier)?.destinationNodeURI.identifier;
		const parent = destination && index.has(destination) ? destination : null;
		siblings.set(parent, [...(siblings.get(parent) ?? []), item.identifier]);
	}
	const byId = new Map(pkg.CFItems.map((i) => [i.identifier, i]));
	/** a text key: given ones first, in natural order ("2." before "10."), then the rest */
	const byText = (a: string | undefined, b: string | undefined) =>
		a && b ? listOrder.compare(a, b) : a ? -1 : b ? 1 : 0;
	const placed = new Map<string, PlacedItem>();
	for (const [parent, children] of siblings) {
		const sequence = (id: string) => placing.get(id)?.sequenceNumber ?? Infinity;
		children.sort(
			(a, b) =>
				sequence(a) - sequence(b) ||
				byText(byId.get(a)!.listEnumeration, byId.get(b)!.listEnumeration) ||
				byText(byId.get(a)!.humanCodingScheme, byId.get(b)!.humanCodingScheme) ||
				index.get(a)! - index.get(b)!
		);
		children.forEach((id, i) =>
			placed.set(id, {
				parentIdentifier: parent,
				position: i + 1,
				association: placing.get(id) ?? null
			})
		);
	}
	return placed;
}

/**
 * The associations an import keeps as they came: everything but the isChildOf that placed an item
 * and the crosswalk (isRelatedTo with a weight, stored as the school's crosswalk).
 */
export function associationsToKeep(
	pkg: ParsedCasePackage,
	placed: Map<string, PlacedItem>
): (ParsedAssociation & { identifier: string })[] {
	const placing = new Set([...placed.values()].map((p) => p.association));
	return pkg.CFAssociations.filter(
		(a): a is ParsedAssociation & { identifier: string } =>
			Boolean(a.identifier) &&
			!placing.has(a) &&
			!(a.associationType === 'isRelatedTo' && a.extensions?.crosswalkWeight)
	);
}
