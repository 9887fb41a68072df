import PDFDocument from 'pdfkit';
import { createRequire } from 'node:module';
import { FONT, FONT_BOLD } from '../reports/pdf';
import { NEUTRAL_COLOUR } from '../../domain/frameworks';
import type { HandoutEntry } from './handouts';

const require = createRequire(import.meta.url);
// Usernames and passwords in a monospaced face, so l, 1 and I read apart on a printed slip.
const FONT_MONO = require.resolve('dejavu-fonts-ttf/ttf/DejaVuSansMono-Bold.ttf');

const INK = '#1b1f24';
const MUTED = NEUTRAL_COLOUR;
/** Eight slips to an A4 page, two across and four down, each with a dashed line to cut along. */
const COLUMNS = 2;
const ROWS = 4;
const PAGE_MARGIN = 24;
const PADDING = 16;
/** Below this the variable lines (a long name, many classes) stop shrinking and are cut short. */
const SMALLEST_SCALE = 0.6;
const MOST_CLASSES_NAMED = 3;

type Line = {
	text: string;
	font: 'body' | 'bold' | 'mono';
	size: number;
	colour: string;
	gap: number;
};

/**
 * The sign-in slips of a roster import: one per new account, in the order given (by class, then
 * name), each saying who it is for, their class, username, one-time password, where to sign in,
 * and that they will choose their own password then. Every line is measured before it is placed,
 * and a slip whose lines would not fit shrinks them (then cuts a long class list short), so no
 * text runs into the next line or the next slip.
 */
export function renderSignInSlipsPdf(
	entries: HandoutEntry[],
	schoolName: string,
	signInUrl: string
): Promise<Buffer> {
	const doc = new PDFDocument({
		size: 'A4',
		// Slips are placed at fixed positions: no margin for pdfkit to break pages at by itself.
		margin: 0,
		autoFirstPage: false,
		info: { Title: 'Sign-in slips', Author: schoolName }
	});
	doc.registerFont('body', FONT);
	doc.registerFont('bold', FONT_BOLD);
	doc.registerFont('mono', FONT_MONO);
	const chunks: Buffer[] = [];
	doc.on('data', (chunk: Buffer) => chunks.push(chunk));
	const done = new Promise<Buffer>((resolve, reject) => {
		doc.on('end', () => resolve(Buffer.concat(chunks)));
		doc.on('error', reject);
	});

	const perPage = COLUMNS * ROWS;
	entries.forEach((entry, index) => {
		if (index % perPage === 0) {
			doc.addPage({ size: 'A4', margin: 0 });
			drawCutLines(doc);
		}
		const place = index % perPage;
		const slipWidth = (doc.page.width - 2 * PAGE_MARGIN) / COLUMNS;
		const slipHeight = (doc.page.height - 2 * PAGE_MARGIN) / ROWS;
		drawSlip(doc, entry, schoolName, signInUrl, {
			x: PAGE_MARGIN + (place % COLUMNS) * slipWidth + PADDING,
			y: PAGE_MARGIN + Math.floor(place / COLUMNS) * slipHeight + PADDING,
			width: slipWidth - 2 * PADDING,
			height: slipHeight - 2 * PADDING
		});
	});
	if (entries.length === 0) doc.addPage({ size: 'A4', margin: 0 });
	doc.end();
	return done;
}

function drawCutLines(doc: PDFKit.PDFDocument) {
	const width = doc.page.width - 2 * PAGE_MARGIN;
	const height = doc.page.height - 2 * PAGE_MARGIN;
	doc.save().lineWidth(0.5).strokeColor(MUTED).dash(4, { space: 3 });
	for (let column = 0; column <= COLUMNS; column++) {
		const x = PAGE_MARGIN + (column * width) / COLUMNS;
		doc
			.moveTo(x, PAGE_MARGIN)
			.lineTo(x, PAGE_MARGIN + height)
			.stroke();
	}
	for (let row = 0; row <= ROWS; row++) {
		const y = PAGE_MARGIN + (row * height) / ROWS;
		doc
			.moveTo(PAGE_MARGIN, y)
			.lineTo(PAGE_MARGIN + width, y)
			.stroke();
	}
	doc.undash().restore();
}

function slipLines(
	entry: HandoutEntry,
	schoolName: string,
	signInUrl: string,
	classesNamed: number
) {
	const classes = entry.classes.slice(0, classesNamed);
	const more = entry.classes.length - classes.length;
	const classText =
		entry.classes.length === 0
			? 'No class yet'
			: `${entry.classes.length === 1 ? 'Class' : 'Classes'}: ${classes.join(', ')}${more > 0 ? ` and ${more} more` : ''}`;
	const line = (text: string, font: Line['font'], size: number, colour = INK, gap = 0): Line => ({
		text,
		font,
		size,
		colour,
		gap
	});
	return [
		line(`${schoolName} · Fusion Skills`, 'body', 8.5, MUTED),
		line(entry.name, 'bold', 15, INK, 4),
		line(entry.role === 'student' ? classText : `${classText} · ${entry.role}`, 'body', 10),
		line('Username', 'body', 8, MUTED, 8),
		line(entry.username, 'mono', 13),
		line('One-time password', 'body', 8, MUTED, 4),
		line(entry.password, 'mono', 13),
		line('Sign in at', 'body', 8, MUTED, 4),
		line(signInUrl, 'mono', 9.5),
		line('You’ll choose your own password when you first sign in.', 'body', 8.5, INK, 6)
	];
}

function drawSlip(
	doc: PDFKit.PDFDocument,
	entry: HandoutEntry,
	schoolName: string,
	signInUrl: string,
	box: { x: number; y: number; width: number; height: number }
) {
	const heightOf = (l: Line, scale: number) =>
		l.gap * scale +
		doc
			.font(l.font)
			.fontSize(l.size * scale)
			.heightOfString(l.text, { width: box.width, lineGap: 0 });
	const total = (lines: Line[], scale: number) =>
		lines.reduce((sum, l) => sum + heightOf(l, scale), 0);
	let lines = slipLines(entry, schoolName, signInUrl, MOST_CLASSES_NAMED);
	let scale = 1;
	while (total(lines, scale) > box.height && scale > SMALLEST_SCALE) scale -= 0.05;
	for (let named = MOST_CLASSES_NAMED - 1; total(lines, scale) > box.height && named >= 0; named--)
		lines = slipLines(entry, schoolName, signInUrl, named);
	let y = box.y;
	for (const l of lines) {
		y += l.gap * scale;
		const height = heightOf({ ...l, gap: 0 }, scale);
		// Whatever still does not fit (a name of 200 letters) stops at the slip's edge, never beyond.
		const room = box.y + box.height - y;
		if (room < l.size * scale * 1.2) break;
		doc
			.font(l.font)
			.fontSize(l.size * scale)
			.fillColor(l.colour)
			.text(l.text, box.x, y, {
				width: box.width,
				lineGap: 0,
				height: Math.min(height, room),
				ellipsis: height > room
			});
		y += Math.min(height, room);
	}
}
