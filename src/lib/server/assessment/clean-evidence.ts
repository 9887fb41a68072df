import sharp from 'sharp';
import { unzipSync, zipSync, type Zippable } from 'fflate';
import { fileTypeFromBuffer } from 'file-type';
import {
	PDFArray,
	PDFDict,
	PDFDocument,
	PDFName,
	PDFRef,
	PDFStream,
	type PDFObject
} from 'pdf-lib';
import { Refusal } from '../errors';

/**
 * Evidence files are shown to anonymous peer reviewers, so what a phone or an office program wrote
 * into them about the child (GPS position, author's name, the device) is removed before the file is
 * stored. Images are re-encoded (only pixels survive), PDFs lose their Info dictionary and every XMP
 * stream, office documents their document properties and the pictures inside them are re-encoded
 * too. A file that cannot be cleaned is refused, never stored as it came.
 */
export async function cleanEvidenceFile(bytes: Uint8Array, mime: string): Promise<Uint8Array> {
	const cleaned = await cleanByType(bytes, mime);
	// What we hand back must still be the type we sniffed, or the served Content-Type would lie.
	if ((await fileTypeFromBuffer(cleaned))?.mime !== mime) throw new Refusal(CANNOT_CLEAN('file'));
	return cleaned;
}

/** Images wider or taller than this are scaled down (a phone photo is about 4000 px). */
export const MAX_IMAGE_EDGE = 4000;

const CANNOT_CLEAN = (what: string) =>
	`That ${what} could not be opened to remove its hidden details (such as where a photo was taken or who wrote it), so it was not uploaded. Try saving it again, or as a PNG or PDF, and upload that.`;

async function cleanByType(bytes: Uint8Array, mime: string): Promise<Uint8Array> {
	switch (mime) {
		case 'image/jpeg':
		case 'image/png':
		case 'image/webp':
		case 'image/gif':
			return cleanImage(bytes, mime);
		case 'application/pdf':
			return cleanPdf(bytes);
		case 'application/vnd.openxmlformats-officedocument.wordprocessingml.document':
		case 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet':
		case 'application/vnd.openxmlformats-officedocument.presentationml.presentation':
			return await cleanZip(bytes, OOXML_PARTS);
		case 'application/vnd.oasis.opendocument.text':
		case 'application/vnd.oasis.opendocument.spreadsheet':
		case 'application/vnd.oasis.opendocument.presentation':
			return await cleanZip(bytes, ODF_PARTS);
		default:
			throw new Refusal(CANNOT_CLEAN('file'));
	}
}

/** Image types sharp re-encodes: evidence itself, or pictures inside an office document. */
const CLEANABLE_IMAGES = new Set([
	'image/jpeg',
	'image/png',
	'image/webp',
	'image/gif',
	'image/tiff'
]);

async function cleanImage(bytes: Uint8Array, mime: string): Promise<Uint8Array> {
	const animated = mime === 'image/gif' || mime === 'image/webp';
	try {
		// sharp writes no metadata unless asked (no EXIF, XMP, IPTC, PNG text chunks or comments);
		// rotate() first applies the EXIF orientation to the pixels, so the photo stays upright.
		let image = sharp(bytes, { animated, limitInputPixels: 100_000_000 }).rotate().resize({
			width: MAX_IMAGE_EDGE,
			height: MAX_IMAGE_EDGE,
			fit: 'inside',
			withoutEnlargement: true
		});
		if (mime === 'image/jpeg') image = image.jpeg({ quality: 85 });
		else if (mime === 'image/png') image = image.png({ compressionLevel: 9 });
		else if (mime === 'image/webp') image = image.webp({ quality: 85 });
		else if (mime === 'image/tiff') image = image.tiff();
		else image = image.gif();
		return new Uint8Array(await image.toBuffer());
	} catch {
		throw new Refusal(CANNOT_CLEAN('image'));
	}
}

async function cleanPdf(bytes: Uint8Array): Promise<Uint8Array> {
	let doc: PDFDocument;
	try {
		doc = await PDFDocument.load(bytes, { updateMetadata: false });
	} catch (problem) {
		throw new Refusal(
			problem instanceof Error && /encrypt/i.test(problem.message)
				? 'That PDF is password-protected or encrypted, so its hidden details (such as who wrote it) cannot be removed. Save an unprotected copy and upload that.'
				: CANNOT_CLEAN('PDF')
		);
	}
	try {
		const { context } = doc;
		// The document information dictionary (Author, Title, Creator, Producer, dates…) goes.
		context.trailerInfo.Info = undefined;
		// XMP metadata streams can hang off the catalog, pages, images and fonts: all go.
		for (const [, object] of context.enumerateIndirectObjects()) {
			const dict =
				object instanceof PDFDict ? object : object instanceof PDFStream ? object.dict : null;
			dict?.delete(PDFName.of('Metadata'));
			dict?.delete(PDFName.of('PieceInfo')); // application-private data (may name the author)
		}
		// Objects nothing points at any more (the old Info, the XMP, earlier revisions of an edited
		// file) would still be written out: keep only what the catalog reaches.
		const reached = reachableFrom(context.trailerInfo.Root, (ref) => context.lookup(ref));
		for (const [ref] of context.enumerateIndirectObjects())
			if (!reached.has(ref.tag)) context.delete(ref);
		return await doc.save({ useObjectStreams: false, updateFieldAppearances: false });
	} catch {
		throw new Refusal(CANNOT_CLEAN('PDF'));
	}
}

function reachableFrom(
	root: PDFObject | undefined,
	lookup: (ref: PDFRef) => PDFObject | undefined
): Set<string> {
	const reached = new Set<string>();
	const pending: (PDFObject | undefined)[] = [root];
	while (pending.length) {
		const object = pending.pop();
		if (object instanceof PDFRef) {
			if (reached.has(object.tag)) continue;
			reached.add(object.tag);
			pending.push(lookup(object));
		} else if (object instanceof PDFDict) pending.push(...object.values());
		else if (object instanceof PDFStream) pending.push(...object.dict.values());
		else if (object instanceof PDFArray) pending.push(...object.asArray());
	}
	return reached;
}

/** Parts of a zipped office document that hold its properties, and their blank replacements. */
type Blanks = Record<string, string>;

const XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';
const OOXML_PARTS: Blanks = {
	'docProps/core.xml': `${XML}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"></cp:coreProperties>`,
	'docProps/app.xml': `${XML}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"></Properties>`,
	'docProps/custom.xml': `${XML}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"></Properties>`
};
const ODF_PARTS: Blanks = {
	'meta.xml': `${XML}<office:document-meta xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" office:version="1.2"><office:meta/></office:document-meta>`
};

/** Zip bombs: an office document's parts together may not unpack to more than this. */
const MAX_UNPACKED_BYTES = 200 * 1024 * 1024;
const MAX_ENTRIES = 5_000;

/** Comments and tracked changes carry their writer's name and initials: blanked, part by part. */
const blankAttributes = (names: string) => (xml: string) =>
	xml.replace(
		new RegExp(`\\b(${names})="[^"]*"`, 'g'),
		(_, attribute: string) => `${attribute}=""`
	);
const PEOPLE_IN_PARTS: [RegExp, (xml: string) => string][] = [
	[/^word\/.*\.xml$/, blankAttributes('w:author|w:initials')],
	[/^ppt\/(commentAuthors|authors)\.xml$/, blankAttributes('name|initials|userId')],
	[/^xl\/persons\/.*\.xml$/, blankAttributes('displayName|userId')],
	[/^xl\/comments\d*\.xml$/, (xml) => xml.replace(/<author>[^<]*<\/author>/g, '<author></author>')]
];

async function cleanZip(bytes: Uint8Array, blanks: Blanks): Promise<Uint8Array> {
	let entries: Record<string, Uint8Array>;
	try {
		let unpacked = 0;
		let count = 0;
		entries = unzipSync(bytes, {
			filter(file) {
				unpacked += file.originalSize;
				count++;
				if (unpacked > MAX_UNPACKED_BYTES || count > MAX_ENTRIES) throw new Error('too large');
				return true;
			}
		});
	} catch {
		throw new Refusal(CANNOT_CLEAN('document'));
	}
	const encoder = new TextEncoder();
	const decoder = new TextDecoder('utf-8', { fatal: true });
	const out: Zippable = {};
	for (const [name, data] of Object.entries(entries)) {
		const blankPeople = PEOPLE_IN_PARTS.find(([part]) => part.test(name))?.[1];
		if (name in blanks) out[name] = encoder.encode(blanks[name]);
		else if (blankPeople) {
			let text: string;
			try {
				text = decoder.decode(data);
			} catch {
				throw new Refusal(CANNOT_CLEAN('document'));
			}
			out[name] = encoder.encode(blankPeople(text));
		}
		// ODF needs its mimetype entry first and uncompressed (zipSync keeps the order).
		else if (name === 'mimetype') out[name] = [data, { level: 0 }];
		else out[name] = await cleanPicture(data);
	}
	return zipSync(out, { level: 6 });
}

/**
 * A picture inside an office document (word/media/image1.jpeg, ppt/media/…, ODF's Pictures/, the
 * thumbnail) is a phone photo as often as not, with its GPS position: re-encoded like an uploaded
 * image, in its own format so the document's content types stay true. Parts are recognised by their
 * bytes, not their names; anything else is kept as it is.
 */
async function cleanPicture(data: Uint8Array): Promise<Uint8Array> {
	const mime = (await fileTypeFromBuffer(data))?.mime;
	if (!mime || !CLEANABLE_IMAGES.has(mime)) return data;
	try {
		return await cleanImage(data, mime);
	} catch {
		throw new Refusal(CANNOT_CLEAN('document'));
	}
}
