import type { DB } from '../db/connection';
import type { FrameworkViewSlug } from '../../domain/mapped-frameworks';
import { csvRecords, UTF8_BOM } from './csv';
import {
	LEARNER_CSV_HEADER,
	SUMMARY_CSV_HEADER,
	schoolFusionSummary,
	schoolReportRowPages,
	summaryRowsForCsv,
	type SchoolReportFilter
} from './school-report';
import type { LearnerSkillRow } from './school-aggregates';

export type SchoolCsvKind = 'learners' | 'wide' | 'summary';

/**
 * The school report as a CSV stream: the header, then a page of learners at a time (read from the
 * aggregates, keyset-paged), so the server holds one page, not the school, and hands the event loop
 * back between pages: saves on the same server are answered while a big report is written. Reads
 * byte for byte as `toCsv` of the whole report.
 */
export function schoolCsvStream(
	db: DB,
	schoolId: number,
	filter: SchoolReportFilter,
	framework: FrameworkViewSlug,
	kind: SchoolCsvKind,
	options: { bom?: boolean; pageSize?: number } = {}
): ReadableStream<Uint8Array> {
	const encoder = new TextEncoder();
	const prefix = options.bom ? UTF8_BOM : '';
	let pages: AsyncGenerator<{
		skills: { code: string; title: string }[];
		framework: boolean;
		learners: LearnerSkillRow[][];
	}> | null = null;
	let headerSent = false;
	return new ReadableStream<Uint8Array>({
		async pull(controller) {
			// Let waiting requests (autosaves) in before the next page's work.
			await new Promise((resolve) => setImmediate(resolve));
			if (kind === 'summary') {
				const summary = await schoolFusionSummary(db, schoolId, filter, framework);
				controller.enqueue(
					encoder.encode(prefix + csvRecords([SUMMARY_CSV_HEADER, ...summaryRowsForCsv(summary)]))
				);
				controller.close();
				return;
			}
			pages ??= schoolReportRowPages(db, schoolId, filter, framework, options.pageSize);
			const next = await pages.next();
			if (next.done) {
				if (!headerSent) {
					// No learners at all: the header still says what the columns would be.
					const skills = (await schoolFusionSummary(db, schoolId, filter, framework)).skills;
					controller.enqueue(
						encoder.encode(
							prefix + csvRecords([headerOf(kind, skills, framework !== 'fusion-skills')])
						)
					);
				}
				controller.close();
				return;
			}
			const { skills, framework: mapped, learners } = next.value;
			let text = '';
			if (!headerSent) {
				text = prefix + csvRecords([headerOf(kind, skills, mapped)]);
				headerSent = true;
			}
			text += csvRecords(
				kind === 'wide'
					? learners.map((own) => wideRow(own, skills))
					: learners.flatMap((own) => own.map((r) => longRow(r, mapped)))
			);
			controller.enqueue(encoder.encode(text));
		},
		async cancel() {
			await pages?.return(undefined);
		}
	});
}

function headerOf(kind: SchoolCsvKind, skills: { code: string; title: string }[], mapped: boolean) {
	if (kind === 'wide')
		return [
			'learner_id',
			'username',
			'name',
			'year_group',
			'classes',
			...skills.map((s) => `${s.code} ${s.title}`)
		];
	return mapped ? [...LEARNER_CSV_HEADER, 'working'] : LEARNER_CSV_HEADER;
}

function longRow(r: LearnerSkillRow, mapped: boolean): unknown[] {
	return [
		r.learnerId,
		r.username,
		r.name,
		r.yearGroup,
		r.classes,
		r.skillCode,
		r.skill,
		r.level ?? '',
		r.words,
		r.evidenceCount,
		r.taskCount,
		...(mapped ? [r.working ?? ''] : [])
	];
}

function wideRow(own: LearnerSkillRow[], skills: { code: string }[]): unknown[] {
	const first = own[0]!;
	const levels = new Map(own.map((r) => [r.skillCode, r.level]));
	return [
		first.learnerId,
		first.username,
		first.name,
		first.yearGroup,
		first.classes,
		...skills.map((s) => levels.get(s.code) ?? '')
	];
}
