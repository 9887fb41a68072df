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
 * itself says which document they belong to. Only a CFItem or CFDocument served alone carries one.
 */

export interface CaseItemRow {
	identifier: string;
	code: string;
	title: string;
	description: string;
	colour: string | null;
	position: number;
	parentIdentifier: string | null;
	lastChangeAt: string;
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

export const frameworkUri = (baseUrl: string, identifier: string) =>
	`${baseUrl}/frameworks/${identifier}`;
export const itemUri = (baseUrl: string, identifier: string) =>
	`${baseUrl}/frameworks/items/${identifier}`;

export function buildCasePackage(
	baseUrl: string,
	doc: CaseDocumentRow,
	items: CaseItemRow[],
	crosswalk: CaseCrosswalkRow[] = []
) {
	const docUri = frameworkUri(baseUrl, doc.identifier);
	const docRef = { title: doc.title, identifier: doc.identifier, uri: docUri };
	const byIdentifier = new Map(items.map((i) => [i.identifier, i]));
	const nodeRef = (identifier: string, title: string) => ({
		title,
		identifier,
		uri: itemUri(baseUrl, identifier)
	});
	const sorted = [...items].sort(
		(a, b) =>
			(a.parentIdentifier ?? '').localeCompare(b.parentIdentifier ?? '') || a.position - b.position
	);
	return {
		CFDocument: {
			identifier: doc.identifier,
			uri: docUri,
			creator: doc.creator,
			title: doc.title,
			lastChangeDateTime: doc.lastChangeAt,
			description: doc.description,
			version: doc.version,
			language: 'en',
			adoptionStatus: 'Adopted',
			subject: [doc.kind === 'fusion' ? 'Transferable skills' : 'Capabilities']
		},
		CFItems: sorted.map((item) => ({
			identifier: item.identifier,
			uri: itemUri(baseUrl, item.identifier),
			fullStatement: item.title,
			notes: item.description,
			humanCodingScheme: item.code,
			listEnumeration: String(item.position),
			CFItemType:
				doc.kind === 'fusion' ? 'Skill' : item.parentIdentifier ? 'Sub-category' : 'Category',
			language: 'en',
			lastChangeDateTime: item.lastChangeAt,
			...(item.colour ? { extensions: { colour: item.colour } } : {})
		})),
		CFAssociations: [
			...sorted.map((item) => {
				const parent = item.parentIdentifier ? byIdentifier.get(item.parentIdentifier) : undefined;
				const destination = parent ? nodeRef(parent.identifier, parent.title) : docRef;
				return {
					identifier: associationIdentifier('isChildOf', item.identifier, destination.identifier),
					uri: `${docUri}/associations/${associationIdentifier('isChildOf', item.identifier, destination.identifier)}`,
					associationType: 'isChildOf',
					sequenceNumber: item.position,
					originNodeURI: nodeRef(item.identifier, item.title),
					destinationNodeURI: destination,
					lastChangeDateTime: item.lastChangeAt
				};
			}),
			...crosswalk.map((row) => {
				const id = associationIdentifier('isRelatedTo', row.sourceIdentifier, row.targetIdentifier);
				return {
					identifier: id,
					uri: `${docUri}/associations/${id}`,
					associationType: 'isRelatedTo',
					originNodeURI: nodeRef(row.sourceIdentifier, row.sourceTitle),
					destinationNodeURI: nodeRef(row.targetIdentifier, row.targetTitle),
					lastChangeDateTime: doc.lastChangeAt,
					// The crosswalk's relative weight; CASE has no weight field of its own.
					extensions: { crosswalkWeight: row.weight }
				};
			})
		]
	};
}

export type CasePackage = ReturnType<typeof buildCasePackage>;

const uuid = z
	.string()
	.regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'must be a UUID');
const nodeRefSchema = z.object({
	identifier: uuid,
	title: z.string().max(500).optional(),
	uri: z.string().max(2000).optional()
});

export const casePackageSchema = z.object({
	CFDocument: z.object({
		identifier: uuid,
		title: z.string().trim().min(1).max(300),
		creator: z.string().max(300).default('Imported'),
		description: z.string().max(5000).default(''),
		version: z.string().max(50).default('1.0'),
		/** when absent, the importer stamps the time of import (the domain reads no clock) */
		lastChangeDateTime: z.string().max(40).optional()
	}),
	CFItems: z
		.array(
			z.object({
				identifier: uuid,
				fullStatement: z.string().trim().min(1).max(500),
				notes: z.string().max(5000).default(''),
				humanCodingScheme: z.string().trim().min(1).max(40),
				listEnumeration: z.coerce.number().int().min(0).max(10_000).optional(),
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
		.max(2000),
	CFAssociations: z
		.array(
			z.object({
				associationType: z.string().max(40),
				originNodeURI: nodeRefSchema,
				destinationNodeURI: nodeRefSchema,
				sequenceNumber: z.coerce.number().int().optional(),
				extensions: z
					.object({ crosswalkWeight: z.number().positive().max(1000).optional() })
					.partial()
					.optional()
			})
		)
		.max(20_000)
		.default([])
});
export type ParsedCasePackage = z.infer<typeof casePackageSchema>;

/** Parent of each item (an item that is a child of the document itself has none). */
export function parentsFromAssociations(pkg: ParsedCasePackage): Map<string, string | null> {
	const itemIds = new Set(pkg.CFItems.map((i) => i.identifier));
	const parents = new Map<string, string | null>();
	for (const a of pkg.CFAssociations) {
		if (a.associationType !== 'isChildOf') continue;
		const origin = a.originNodeURI.identifier;
		const destination = a.destinationNodeURI.identifier;
		if (itemIds.has(origin)) parents.set(origin, itemIds.has(destination) ? destination : null);
	}
	return parents;
}
