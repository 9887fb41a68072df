import PDFDocument from 'pdfkit';
import { createRequire } from 'node:module';
import type { LearnerReport } from './learner-report';
import { formatDate, formatNumericDate } from '../../domain/dates';
import { NEUTRAL_COLOUR } from '../../domain/frameworks';

// DejaVu covers the names children actually have (Łukasz, Zoë, Nguyễn…); pdfkit's built-in
// Helvetica only covers Western European letters.
const require = createRequire(import.meta.url);
const FONT = require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf');
const FONT_BOLD = require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf');

const INK = '#1b1f24';
const MUTED = NEUTRAL_COLOUR;
const TEACHER = '#14213d';
const SELF = '#5b21b6';

/**
 * The learning report as a PDF, drawn on the server (no browser): text, tables and vector charts.
 */
export function renderLearnerReportPdf(report: LearnerReport, schoolName: string): Promise<Buffer> {
	const doc = new PDFDocument({
		size: 'A4',
		margin: 48,
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
	const width = doc.page.width - 96;
	const heading = (text: string, size = 15) => {
		if (doc.y > doc.page.height - 120) doc.addPage();
		doc.moveDown(0.6).font('bold').fontSize(size).fillColor(INK).text(text).moveDown(0.3);
	};
	const para = (text: string, colour = INK, size = 10) =>
		doc.font('body').fontSize(size).fillColor(colour).text(text, { width });

	doc.font('bold').fontSize(22).fillColor(INK).text('Learning report');
	doc.font('bold').fontSize(16).text(p.learner.name);
	para(
		`${schoolName} · ${p.learner.classes.join(', ')} · ${formatDate(report.generatedAt)}`,
		MUTED
	);

	heading('Fusion Skills');
	para(
		'From released teacher grades (agreed grades where moderated). ▲ bar: teacher; ◆ mark: the learner’s own view.',
		MUTED,
		9
	);
	doc.moveDown(0.4);
	const labelWidth = 170;
	const barWidth = width - labelWidth - 110;
	for (const skill of p.skills) {
		if (doc.y > doc.page.height - 70) doc.addPage();
		const y = doc.y;
		doc
			.font('body')
			.fontSize(9.5)
			.fillColor(INK)
			.text(`${skill.code} ${skill.title}`, 48, y, { width: labelWidth - 8 });
		const x = 48 + labelWidth;
		doc
			.save()
			.rect(x, y + 1, barWidth, 10)
			.fill('#e3e7ee')
			.restore();
		for (let i = 1; i < 5; i++)
			doc
				.save()
				.moveTo(x + (barWidth * i) / 5, y + 1)
				.lineTo(x + (barWidth * i) / 5, y + 11)
				.lineWidth(0.5)
				.stroke('#ffffff')
				.restore();
		if (skill.level !== null)
			doc
				.save()
				.rect(x, y + 1, barWidth * skill.level, 10)
				.fill(TEACHER)
				.restore();
		if (skill.selfLevel !== null) {
			const sx = x + barWidth * skill.selfLevel;
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
			.font(skill.level === null ? 'body' : 'bold')
			.fontSize(9)
			.fillColor(skill.level === null ? MUTED : INK)
			.text(skill.words, x + barWidth + 10, y, { width: 100 });
		doc.x = 48;
		doc.y = y + 18;
	}
	doc
		.font('body')
		.fontSize(8)
		.fillColor(MUTED)
		.text(p.levelLabels.join('  ·  '), 48 + labelWidth, doc.y, {
			width: barWidth,
			align: 'center'
		});
	doc.x = 48;

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
			`${c.taskTitle}: self − teacher ${c.meanSignedGap > 0 ? '+' : ''}${c.meanSignedGap.toFixed(2)} bands; distance ${c.meanAbsoluteGap.toFixed(2)} bands (${c.compared} criteria)`
		);
	}
	if (p.calibration.length > 1)
		drawCalibrationChart(
			doc,
			p.calibration.map((c) => c.meanSignedGap),
			width
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
		heading(task.title, 13);
		para(`${task.className} · released ${formatNumericDate(task.releasedAt)}`, MUTED, 9);
		for (const c of task.criteria) {
			if (doc.y > doc.page.height - 90) doc.addPage();
			doc.moveDown(0.3).font('bold').fontSize(10).fillColor(INK).text(`${c.code} ${c.title}`);
			para(
				`Self: ${c.self}   ·   Peers: ${c.peer}   ·   Teacher: ${c.teacher}${c.agreed ? ' (agreed)' : ''}`
			);
			if (c.reflection) para(`Reflection: ${c.reflection}`, MUTED, 9);
			for (const comment of c.teacherComments) para(`Teacher: ${comment}`, MUTED, 9);
			for (const peer of c.peerComments) para(`${peer.label}: ${peer.comment}`, MUTED, 9);
		}
		if (task.overallComment) para(`Teacher’s overall comment: ${task.overallComment}`, INK, 9.5);
		if (task.overallReflection) para(`Overall reflection: ${task.overallReflection}`, MUTED, 9.5);
	}
	doc.end();
	return done;
}

function drawCalibrationChart(doc: PDFKit.PDFDocument, gaps: number[], width: number) {
	const height = 90;
	if (doc.y > doc.page.height - height - 60) doc.addPage();
	const x0 = 80;
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
	doc
		.font('body')
		.fontSize(7)
		.fillColor(MUTED)
		.text('+2', x0 - 20, y0 - 3)
		.text('0', x0 - 14, yOf(0) - 4)
		.text('−2', x0 - 20, y0 + height - 6);
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
	doc.x = 48;
	doc.y = y0 + height + 10;
}
