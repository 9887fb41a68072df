// The legacy build is the one pdf.js supports in Node (the modern one expects browser APIs).
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import type { TextItem } from 'pdfjs-dist/types/src/display/api';

export type Box = {
	page: number;
	text: string;
	left: number;
	right: number;
	bottom: number;
	top: number;
};

/**
 * Every piece of text in the PDF with the box it is drawn in (PDF units, y up), read back by pdf.js
 * the way a viewer reads it: the baseline from the item's transform, its advance width, and its
 * height (the font size), so two boxes that share area are two texts printed over each other.
 */
export async function textBoxes(pdf: Buffer): Promise<Box[]> {
	const document = await getDocument({
		data: new Uint8Array(pdf),
		useSystemFonts: false,
		isEvalSupported: false
	}).promise;
	const boxes: Box[] = [];
	for (let page = 1; page <= document.numPages; page++) {
		const content = await (await document.getPage(page)).getTextContent();
		for (const item of content.items as TextItem[]) {
			if (!('str' in item) || item.str.trim() === '') continue;
			const [, , , , x, y] = item.transform as number[];
			boxes.push({
				page,
				text: item.str,
				left: x!,
				right: x! + item.width,
				bottom: y!,
				top: y! + item.height
			});
		}
	}
	await document.destroy();
	return boxes;
}

/** Pairs of boxes on the same page that share more than a hair's breadth (kerning, rounding). */
export function overlaps(boxes: Box[], tolerance = 0.5): [Box, Box][] {
	const found: [Box, Box][] = [];
	for (let i = 0; i < boxes.length; i++)
		for (let j = i + 1; j < boxes.length; j++) {
			const a = boxes[i]!;
			const b = boxes[j]!;
			if (a.page !== b.page) continue;
			const across = Math.min(a.right, b.right) - Math.max(a.left, b.left);
			const down = Math.min(a.top, b.top) - Math.max(a.bottom, b.bottom);
			if (across > tolerance && down > tolerance) found.push([a, b]);
		}
	return found;
}
