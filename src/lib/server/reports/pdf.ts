import PDFDocument from 'pdfkit';
import { createRequire } from 'node:module';
import type { LearnerReport } from './learner-report';
import { formatDate, formatNumericDate } from '../../domain/dates';
import { NEUTRAL_COLOUR } from '../../domain/frameworks';

// DejaVu covers the names children actually have (Łukasz, Zoë, Nguyễn…); pdfkit's built-in
// Helvetica only covers Western European letters.
const require = createRequire(import.meta.url);
export const FONT = require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf');
export const FONT_BOLD = require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf');

const INK = '#1b1f24';
const MUTED = NEUTRAL_COLOUR;
const TEACHER = '#14213d';
const SELF = '#5b21b6';

/**
 * The learning report as a PDF, drawn on the server (no browser): text, tables and vector charts.
 * Called in a report worker (`workers/report-worker.ts`), never on the request thread.
 */
export function renderLearnerReportPdf(report: LearnerReport, schoolName: string): Promise<Buffer> {
	const doc = new PDFDocument({
		size: 'A4',
		margin: 48,
		// Kept until the end so every page can say whose report it is and "page n of N".
		bufferPages: true,
		info: { Title: `Learning report: ${report.profile.learner.name}`, Author: schoolName }
	});
	doc.registerFont('body', FONT);
	doc.registerFont('bold', FONT_BOLD);
	const chunks: Buffer[] = [];
	doc.on('data', (chunk: Buffer) => chunks.push(chunk));
	const done = new Promise<Buffer>((resolve, reject) => {
		doc.on('end', () => resolve(Buffer.concat(chunks)));
		doc.on('error', reject);
	});

	const p = report.profile;
	const left = doc.page.margins.left;
	const width = doc.page.width - doc.page.margins.left - doc.page.margins.right;
	const bottom = () => doc.page.height - doc.page.margins.bottom;
	/** The height `text` takes when set in this font and size and wrapped at `width`. */
	const heightOf = (text: string, font: string, size: number, textWidth = width) =>
		doc.font(font).fontSize(size).heightOfString(text, { width: textWidth });
	/**
	 * Starts a new page unless `height` more points fit above the bottom margin. Text placed at a
	 * fixed y does not move what follows when it wraps, and pdfkit's own page break splits a block
	 * wherever it falls, so every block is measured and placed with this first.
	 */
	const ensureRoom = (height: number): boolean => {
		if (doc.y + height <= bottom()) return false;
		doc.addPage();
		return true;
	};
	/** A heading kept on the same page as at least `keepWith` points of what it introduces. */
	const heading = (text: string, size = 15, keepWith = 40) => {
		doc.moveDown(0.6);
		ensureRoom(heightOf(text, 'bold', size) + keepWith);
		doc.font('bold').fontSize(size).fillColor(INK).text(text, left, doc.y, { width }).moveDown(0.3);
	};
	const para = (text: string, colour = INK, size = 10) =>
		doc.font('body').fontSize(size).fillColor(colour).text(text, left, doc.y, { width });
	type Line = { text: string; font?: 'body' | 'bold'; colour?: string; size?: number };
	/**
	 * Lines that belong together (a criterion with its grades and comments): kept on one page when
	 * they fit on one, else at least the first two together; pdfkit flows the rest onto the next.
	 * When the block starts a new page, `continued` heads it there (which task it belongs to).
	 */
	const block = (lines: Line[], continued?: Line) => {
		doc.moveDown(0.3);
		const heightOfLine = (l: Line) => heightOf(l.text, l.font ?? 'body', l.size ?? 10);
		const heights = lines.map(heightOfLine);
		const total = heights.reduce((a, b) => a + b, 0);
		const pageRoom = bottom() - doc.page.margins.top - (continued ? heightOfLine(continued) : 0);
		const together = total <= pageRoom ? total : heights.slice(0, 2).reduce((a, b) => a + b, 0);
		const draw = (l: Line) =>
			doc
				.font(l.font ?? 'body')
				.fontSize(l.size ?? 10)
				.fillColor(l.colour ?? INK)
				.text(l.text, left, doc.y, { width });
		if (ensureRoom(together) && continued) draw(continued);
		lines.forEach(draw);
	};

	doc.font('bold').fontSize(22).fillColor(INK).text('Learning report', left, doc.y, { width });
	doc.font('bold').fontSize(16).text(p.learner.name, left, doc.y, { width });
	para(
		`${schoolName} · ${p.learner.classes.join(', ')} · ${formatDate(report.generatedAt)}`,
		MUTED
	);

	heading('Fusion Skills', 15, 80);
	para('From released teacher grades (agreed grades where moderated).', MUTED, 9);
	// The key, its symbols in the colours they stand for.
	doc
		.fillColor(TEACHER)
		.text('■', left, doc.y, { width, continued: true })
		.fillColor(MUTED)
		.text(' bar: the teacher’s grade     ', { continued: true })
		.fillColor(SELF)
		.text('◆', { continued: true })
		.fillColor(MUTED)
		.text(' mark: the learner’s own view');
	doc.moveDown(0.8);

	// A table: skill | bar in one segment per band | the band in words. Rows are as tall as their
	// tallest cell (long skill names wrap to two or three lines); the band names head the bars and
	// are repeated when the table runs onto a new page.
	const labelWidth = 170;
	const wordsWidth = 84;
	const barX = left + labelWidth;
	const barWidth = width - labelWidth - wordsWidth - 10;
	const wordsX = barX + barWidth + 10;
	const segment = barWidth / p.levelLabels.length;
	// A row is at least as tall as its bar (y + 1 to y + 11) and the learner's mark (y − 2 to
	// y + 14: it reaches 2 pt into the gap above, which is why the gap is wider than that).
	const BAR_HEIGHT = 14;
	const ROW_GAP = 5;
	const scaleHeaderHeight = Math.max(
		...p.levelLabels.map((l) => heightOf(l, 'body', 7.5, segment - 2))
	);
	const scaleHeader = () => {
		const y = doc.y;
		p.levelLabels.forEach((label, i) =>
			doc
				.font('body')
				.fontSize(7.5)
				.fillColor(MUTED)
				.text(label, barX + i * segment + 1, y, { width: segment - 2, align: 'center' })
		);
		doc.x = left;
		doc.y = y + scaleHeaderHeight + ROW_GAP;
	};
	const rows = p.skills.map((skill) => {
		const label = `${skill.code} ${skill.title}`;
		const wordsFont = skill.level === null ? 'body' : 'bold';
		const height = Math.max(
			heightOf(label, 'body', 9.5, labelWidth - 8),
			heightOf(skill.words, wordsFont, 9, wordsWidth),
			BAR_HEIGHT
		);
		return { skill, label, wordsFont, height };
	});
	ensureRoom(scaleHeaderHeight + ROW_GAP + (rows[0]?.height ?? 0));
	scaleHeader();
	for (const { skill, label, wordsFont, height } of rows) {
		if (ensureRoom(height)) scaleHeader();
		const y = doc.y;
		doc
			.font('body')
			.fontSize(9.5)
			.fillColor(INK)
			.text(label, left, y, { width: labelWidth - 8 });
		doc
			.save()
			.rect(barX, y + 1, barWidth, 10)
			.fill('#e3e7ee')
			.restore();
		for (let i = 1; i < p.levelLabels.length; i++)
			doc
				.save()
				.moveTo(barX + segment * i, y + 1)
				.lineTo(barX + segment * i, y + 11)
				.lineWidth(0.5)
				.stroke('#ffffff')
				.restore();
		if (skill.level !== null)
			doc
				.save()
				.rect(barX, y + 1, barWidth * skill.level, 10)
				.fill(TEACHER)
				.restore();
		if (skill.selfLevel !== null) {
			const sx = barX + barWidth * skill.selfLevel;
			doc
				.save()
				.moveTo(sx, y - 2)
				.lineTo(sx + 4, y + 6)
				.lineTo(sx, y + 14)
				.lineTo(sx - 4, y + 6)
				.closePath()
				.fill(SELF)
				.restore();
		}
		doc
			.font(wordsFont)
			.fontSize(9)
			.fillColor(skill.level === null ? MUTED : INK)
			.text(skill.words, wordsX, y, { width: wordsWidth });
		// Below the tallest cell, whatever the cell that was drawn last.
		doc.x = left;
		doc.y = y + height + ROW_GAP;
	}

	heading('CAPRI categories');
	for (const c of p.capri)
		para(
			`${c.code} ${c.title}: ${c.words}${c.evidenceCount ? ` (${c.evidenceCount} ${c.evidenceCount === 1 ? 'result' : 'results'})` : ''}`
		);

	heading('Self-assessment accuracy');
	if (p.calibration.length === 0)
		para('No task yet has both a self-assessment and released teacher grades.', MUTED);
	for (const c of p.calibration) {
		para(
			`${c.taskTitle}: self − teacher ${signed(c.meanSignedGap)} bands; distance ${c.meanAbsoluteGap.toFixed(2)} bands (${c.compared} criteria)`
		);
	}
	if (p.calibration.length > 1)
		drawCalibrationChart(
			doc,
			p.calibration.map((c) => c.meanSignedGap),
			width,
			ensureRoom
		);
	for (const r of p.peerReviewing)
		para(
			`Peer reviewing on ${r.taskTitle}: ${r.meanAbsoluteGap.toFixed(2)} bands from the teacher (${r.verdict}).`
		);

	if (report.badges.length) {
		heading('Badges');
		for (const b of report.badges)
			para(`${b.name} (${b.layer}) — issued ${formatNumericDate(b.issuedAt)}`);
	}

	for (const task of report.tasks) {
		heading(task.title, 13, 70);
		para(`${task.className} · released ${formatNumericDate(task.releasedAt)}`, MUTED, 9);
		const continued: Line = { text: `${task.title} (continued)`, colour: MUTED, size: 9 };
		for (const c of task.criteria)
			block(
				[
					{ text: `${c.code} ${c.title}`, font: 'bold' },
					{
						text: `Self: ${c.self}   ·   Peers: ${c.peer}   ·   Teacher: ${c.teacher}${c.agreed ? ' (agreed)' : ''}`
					},
					...(c.reflection
						? [{ text: `Reflection: ${c.reflection}`, colour: MUTED, size: 9 }]
						: []),
					...c.teacherComments.map((comment) => ({
						text: `Teacher: ${comment}`,
						colour: MUTED,
						size: 9
					})),
					...c.peerComments.map((peer) => ({
						text: `${peer.label}: ${peer.comment}`,
						colour: MUTED,
						size: 9
					}))
				],
				continued
			);
		const closing: Line[] = [];
		if (task.overallComment)
			closing.push({ text: `Teacher’s overall comment: ${task.overallComment}`, size: 9.5 });
		if (task.overallReflection)
			closing.push({
				text: `Overall reflection: ${task.overallReflection}`,
				colour: MUTED,
				size: 9.5
			});
		if (closing.length) block(closing, continued);
	}

	// A footer on every page: printed reports get shuffled, and a page on its own must still say
	// whose it is. Inside the bottom margin, which is lifted meanwhile so pdfkit does not take the
	// footer for overflowing text and start another page.
	const pages = doc.bufferedPageRange();
	for (let i = pages.start; i < pages.start + pages.count; i++) {
		doc.switchToPage(i);
		const margin = doc.page.margins.bottom;
		doc.page.margins.bottom = 0;
		doc
			.font('body')
			.fontSize(8)
			.fillColor(MUTED)
			.text(
				`${p.learner.name} · Learning report · page ${i - pages.start + 1} of ${pages.count}`,
				left,
				doc.page.height - margin + 18,
				{ width, align: 'center', lineBreak: false }
			);
		doc.page.margins.bottom = margin;
	}
	doc.end();
	return done;
}

/** +0.13, −0.05 (a true minus sign, as in "self − teacher"), 0.00. */
function signed(value: number): string {
	const fixed = Math.abs(value).toFixed(2);
	if (fixed === '0.00') return fixed;
	return `${value > 0 ? '+' : '−'}${fixed}`;
}

/**
 * Self − teacher per task as a line between −2 and +2 bands, with a caption saying how to read it.
 * Kept whole on one page (`ensureRoom`), and leaves `doc.y` below itself.
 */
function drawCalibrationChart(
	doc: PDFKit.PDFDocument,
	gaps: number[],
	width: number,
	ensureRoom: (height: number) => boolean
) {
	const height = 90;
	const left = doc.page.margins.left;
	const caption =
		'Self − teacher in bands, for each task above in turn: above the dashed line the learner rated their work higher than the teacher did, below it lower.';
	const captionHeight = doc
		.font('body')
		.fontSize(8)
		.heightOfString(caption, { width: width - 32 });
	ensureRoom(8 + height + 6 + captionHeight + 4);
	const x0 = left + 32;
	const y0 = doc.y + 8;
	const w = width - 40;
	const yOf = (gap: number) =>
		y0 + height / 2 - (Math.max(-2, Math.min(2, gap)) / 2) * (height / 2);
	doc.save().rect(x0, y0, w, height).lineWidth(0.5).stroke('#d5d9e0');
	doc
		.moveTo(x0, yOf(0))
		.lineTo(x0 + w, yOf(0))
		.dash(3, { space: 3 })
		.stroke('#8a93a0')
		.undash();
	// The axis labels, right-aligned against the chart so "0" lines up with "+2" and "−2".
	const axis = { width: 22, align: 'right' as const };
	doc
		.font('body')
		.fontSize(7)
		.fillColor(MUTED)
		.text('+2', x0 - 26, y0 - 3, axis)
		.text('0', x0 - 26, yOf(0) - 4, axis)
		.text('−2', x0 - 26, y0 + height - 6, axis);
	const step = gaps.length > 1 ? w / (gaps.length - 1) : 0;
	gaps.forEach((gap, i) => {
		const x = x0 + i * step;
		if (i > 0)
			doc
				.moveTo(x0 + (i - 1) * step, yOf(gaps[i - 1]!))
				.lineTo(x, yOf(gap))
				.lineWidth(1.5)
				.stroke(SELF);
	});
	gaps.forEach((gap, i) => doc.circle(x0 + i * step, yOf(gap), 3).fill(SELF));
	doc.restore();
	doc
		.font('body')
		.fontSize(8)
		.fillColor(MUTED)
		.text(caption, x0, y0 + height + 6, { width: width - 32 });
	doc.x = left;
	doc.y += 4;
}
