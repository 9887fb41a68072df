import { z } from 'zod';
import { MARKING_FILTERS, MARKING_SORTS } from '../domain/marking-list';

/** A slider position: the stored number behind the band a person chose. */
export const sliderValueSchema = z
	.number({ error: 'The slider value must be a number.' })
	.finite('The slider value must be a number.')
	.min(0, 'The slider value must be from 0 to 100.')
	.max(100, 'The slider value must be from 0 to 100.');

/**
 * A slider value posted from a form: plain decimal text only, so an empty field is not read as 0.
 */
export const sliderFormValueSchema = z
	.string({ error: 'Place the slider first.' })
	.regex(/^\d{1,3}(\.\d{1,4})?$/, 'Place the slider first.')
	.transform(Number)
	.pipe(sliderValueSchema);

const commentSchema = z
	.string({ error: 'A comment must be text.' })
	.max(4000, 'Keep a comment under 4,000 characters.');
const criterionRef = z.number({ error: 'Say which criterion.' }).int().positive();
/**
 * The revision the change was based on (0: nothing saved yet). The browser always sends it, and a
 * save whose base is no longer the stored revision is refused (409) with the current version. Left
 * out only by the server's own generators and the bench, whose saves are unconditional.
 */
const baseRevision = z
	.number({ error: 'The base revision must be a whole number.' })
	.int('The base revision must be a whole number.')
	.min(0, 'The base revision must be a whole number.')
	.optional();

/** One autosaved change to a criterion: the slider, the comment/reflection, or both. */
const criterionChange = z
	.object({
		kind: z.literal('criterion'),
		criterionId: criterionRef,
		value: sliderValueSchema.nullable().optional(),
		comment: commentSchema.optional(),
		baseRevision
	})
	.strict()
	.refine((c) => c.value !== undefined || c.comment !== undefined, 'Nothing to save.');

export const selfSaveSchema = z.discriminatedUnion('kind', [
	criterionChange,
	z
		.object({
			kind: z.literal('reflection'),
			text: z
				.string({ error: 'A reflection must be text.' })
				.max(8000, 'Keep the reflection under 8,000 characters.'),
			baseRevision
		})
		.strict()
]);
export type SelfSave = z.infer<typeof selfSaveSchema>;

const reason = z.string().trim().max(500, 'Keep the reason under 500 characters.').optional();

export const teacherSaveSchema = z.discriminatedUnion('kind', [
	z
		.object({
			kind: z.literal('criterion'),
			criterionId: criterionRef,
			value: sliderValueSchema.nullable().optional(),
			comment: commentSchema.optional(),
			reason,
			baseRevision
		})
		.strict()
		.refine((c) => c.value !== undefined || c.comment !== undefined, 'Nothing to save.'),
	z
		.object({
			kind: z.literal('overall'),
			text: z
				.string({ error: 'A comment must be text.' })
				.max(8000, 'Keep the comment under 8,000 characters.'),
			reason,
			baseRevision
		})
		.strict()
]);
export type TeacherSave = z.infer<typeof teacherSaveSchema>;

/** A learner's placement on a live exemplar. */
export const livePlacementSchema = z.object({ value: sliderValueSchema }).strict();
export type LivePlacement = z.infer<typeof livePlacementSchema>;

export const evidenceSchema = z.discriminatedUnion('kind', [
	z.object({
		kind: z.literal('text'),
		title: z
			.string()
			.trim()
			.min(1, 'Give the note a title.')
			.max(200, 'Keep the title under 200 characters.'),
		body: z
			.string()
			.trim()
			.min(1, 'Write the note.')
			.max(10000, 'Keep the note under 10,000 characters.')
	}),
	z.object({
		kind: z.literal('link'),
		title: z
			.string()
			.trim()
			.min(1, 'Give the link a title.')
			.max(200, 'Keep the title under 200 characters.'),
		url: z.string().trim().max(2000, 'That link is too long.')
	}),
	z.object({
		kind: z.literal('file'),
		title: z.string().trim().max(200, 'Keep the title under 200 characters.').default('')
	})
]);

export const commentBankSchema = z.object({
	text: z
		.string()
		.trim()
		.min(1, 'Write the comment to save.')
		.max(1000, 'Keep saved comments under 1,000 characters.'),
	criterionLineageId: z
		.string()
		.trim()
		.max(64)
		.optional()
		.transform((v) => v || null)
});

/**
 * The marking list's filter and order, read from the URL (`?show=ready&sort=name`) so they work
 * without JavaScript, survive a reload and travel to the learner's marking screen and back. A value
 * that is missing, repeated oddly or unknown falls back to the default instead of failing the page.
 */
export const markingListQuerySchema = z.object({
	show: z.enum(MARKING_FILTERS).catch('all'),
	sort: z.enum(MARKING_SORTS).catch('state')
});
export type MarkingListQuery = z.infer<typeof markingListQuerySchema>;

export function markingListQuery(params: URLSearchParams): MarkingListQuery {
	return markingListQuerySchema.parse({
		show: params.get('show') ?? undefined,
		sort: params.get('sort') ?? undefined
	});
}

/** The query string that carries a marking list's filter and order ('' for the defaults). */
export function markingListSearch(query: MarkingListQuery): string {
	const params = new URLSearchParams();
	if (query.show !== 'all') params.set('show', query.show);
	if (query.sort !== 'state') params.set('sort', query.sort);
	const text = params.toString();
	return text ? `?${text}` : '';
}
