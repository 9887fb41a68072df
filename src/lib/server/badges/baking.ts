import { crc32 } from 'node:zlib';

/**
 * Baking: the credential travels inside the badge image. PNG: one uncompressed iTXt chunk with
 * keyword "openbadgecredential" (OB 3.0) or "openbadges" (OB 2.0), placed before IEND.
 * SVG: an <openbadges:credential> element in the 1EdTech namespace, its text the JSON.
 */
const PNG_SIGNATURE = Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]);

export function bakePng(
	png: Buffer,
	keyword: 'openbadgecredential' | 'openbadges',
	text: string
): Buffer {
	if (!png.subarray(0, 8).equals(PNG_SIGNATURE)) throw new Error('Not a PNG image.');
	// iTXt: keyword, NUL, compression flag 0, method 0, empty language tag NUL, empty translated
	// keyword NUL, text.
	const data = Buffer.concat([
		Buffer.from(keyword, 'latin1'),
		Buffer.from([0, 0, 0, 0, 0]),
		Buffer.from(text, 'utf8')
	]);
	const type = Buffer.from('iTXt', 'latin1');
	const length = Buffer.alloc(4);
	length.writeUInt32BE(data.length);
	const crc = Buffer.alloc(4);
	crc.writeUInt32BE(crc32(Buffer.concat([type, data])) >>> 0);
	const chunk = Buffer.concat([length, type, data, crc]);
	const iend = png.lastIndexOf(Buffer.from('IEND', 'latin1')) - 4;
	if (iend < 8) throw new Error('The PNG has no end chunk.');
	return Buffer.concat([png.subarray(0, iend), chunk, png.subarray(iend)]);
}

/** The text of a baked PNG's chunk with this keyword, if any. */
export function readBakedPng(png: Buffer, keyword: string): string | null {
	let offset = 8;
	while (offset + 8 <= png.length) {
		const length = png.readUInt32BE(offset);
		const type = png.toString('latin1', offset + 4, offset + 8);
		if (type === 'iTXt') {
			const data = png.subarray(offset + 8, offset + 8 + length);
			const nul = data.indexOf(0);
			if (data.toString('latin1', 0, nul) === keyword) {
				let i = nul + 3; // NUL, compression flag, method
				i = data.indexOf(0, i) + 1; // language tag
				i = data.indexOf(0, i) + 1; // translated keyword
				return data.toString('utf8', i);
			}
		}
		offset += 12 + length;
	}
	return null;
}

const escapeXml = (s: string) =>
	s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function bakeSvg(svg: string, json: string, version: '3.0' | '2.0' = '3.0'): string {
	const ns = version === '3.0' ? 'https://purl.imsglobal.org/ob/v3p0' : 'http://openbadges.org';
	const element =
		version === '3.0'
			? `<openbadges:credential>${escapeXml(json)}</openbadges:credential>`
			: `<openbadges:assertion verify="">${escapeXml(json)}</openbadges:assertion>`;
	return svg.replace(
		/<svg\b([^>]*)>/,
		(_m, attrs: string) =>
			`<svg${attrs.includes('xmlns:openbadges') ? attrs : `${attrs} xmlns:openbadges="${ns}"`}>${element}`
	);
}
