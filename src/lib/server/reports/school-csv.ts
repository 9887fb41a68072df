import { setImmediate as nextTurn } from 'node:timers/promises';
import type { DB } from '../db/connection';
import type { FrameworkViewSlug } from '../../domain/mapped-frameworks';
import { CRLF, CsvChunk, csvFields, csvRecords, UTF8_BOM } from './csv';
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
 * The school report as a CSV stream: the header, then a page of learners at a time (their rows read
 * from the learner × skill totals, or worked out from the page's results for a class or another
 * framework: `schoolReportRowPages`), so the server holds one page, not the school, and hands the
 * event loop back between pages: saves on the same server are answered while a big report is
 * written. Reads byte for byte as `toCsv` of the whole report.
 */
export function schoolCsvStream(
	db: DB,
	schoolId: number,
	filter: SchoolReportFilter,
	framework: FrameworkViewSlug,
	kind: SchoolCsvKind,
	options: {
		bom?: boolean;
		pageSize?: number;
		/** awaited before each page's work; by default the next turn of the event loop */
		beforePage?: () => Promise<unknown>;
	} = {}
): ReadableStream<Uint8Array> {
	const beforePage = options.beforePage ?? nextTurn;
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
			await beforePage();
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
			const chunk = new CsvChunk();
			if (!headerSent) {
				chunk.write(prefix + csvRecords([headerOf(kind, skills, mapped)]));
				headerSent = true;
			}
			if (kind === 'wide')
				for (const own of learners) chunk.write(csvRecords([wideRow(own, skills)]));
			else writeLongRecords(chunk, learners, mapped);
			controller.enqueue(chunk.bytes());
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

/**
 * A learner's rows, one per skill: the learner's cells (the same on each row) are written once and
 * each skill's code and title once per page; at 120,000 rows that was most of the writing.
 */
function writeLongRecords(chunk: CsvChunk, learners: LearnerSkillRow[][], mapped: boolean) {
	const skillCells = new Map<string, string>();
	for (const own of learners) {
		const first = own[0];
		if (!first) continue;
		const learner = csvFields([
			first.learnerId,
			first.username,
			first.name,
			first.yearGroup,
			first.classes
		]);
		for (const r of own) {
			let skill = skillCells.get(r.skillCode);
			if (skill === undefined)
				skillCells.set(r.skillCode, (skill = csvFields([r.skillCode, r.skill])));
			const cells = [
				r.level ?? '',
				r.words,
				r.evidenceCount,
				r.taskCount,
				...(mapped ? [r.working ?? ''] : [])
			];
			chunk.write(`${learner},${skill},${csvFields(cells)}${CRLF}`);
		}
	}
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
