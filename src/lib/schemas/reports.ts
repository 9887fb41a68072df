import { z } from 'zod';
import { canonicalYearGroup } from '../domain/names';

const blankToUndefined = (v: unknown) => (v === '' || v === null ? undefined : v);

/** Report filters from a query string; anything malformed is ignored rather than refused. */
export const reportFilterSchema = z.object({
	class: z
		.preprocess(blankToUndefined, z.coerce.number().int().positive().optional())
		.catch(undefined),
	// In the stored spelling, so a link saying "Year 7" finds the learners stored as "7".
	year: z
		.preprocess(
			blankToUndefined,
			z
				.string()
				.trim()
				.max(40)
				.transform((v) => canonicalYearGroup(v) ?? undefined)
				.optional()
		)
		.catch(undefined),
	term: z
		.preprocess(
			blankToUndefined,
			z
				.string()
				.regex(/^\d{4}-[123]$/)
				.optional()
		)
		.catch(undefined)
});

export function reportFilter(params: URLSearchParams) {
	const f = reportFilterSchema.parse(Object.fromEntries(params));
	return { classId: f.class, yearGroup: f.year, term: f.term };
}

/** Classes per page of the reports page's class table (a big school's hundreds, a page at a time). */
export const CLASS_PAGE_SIZE = 30;

/** The class table's page (`?classes=2`); anything malformed is the first page. */
export function classPageOf(params: URLSearchParams) {
	const page = z.coerce
		.number()
		.int()
		.min(1)
		.max(10_000)
		.catch(1)
		.parse(params.get('classes') ?? 1);
	return { page, size: CLASS_PAGE_SIZE };
}

/** Which CSV layout: long (learner × skill), wide (a row per learner) or the class/year summary. */
export const csvKindSchema = z.enum(['learners', 'wide', 'summary']);
