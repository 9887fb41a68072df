import { z } from 'zod';
import { FRAMEWORK_VIEWS, type FrameworkViewSlug } from '../domain/mapped-frameworks';

const slugs = FRAMEWORK_VIEWS.map((v) => v.slug) as [FrameworkViewSlug, ...FrameworkViewSlug[]];

/**
 * The framework a profile, class overview or school report is shown in (`?framework=`). Unknown
 * values fall back to the Fusion Skills rather than refuse: a link with an old name still opens.
 */
export const frameworkViewSchema = z.enum(slugs).catch('fusion-skills');

export function frameworkViewOf(params: URLSearchParams): FrameworkViewSlug {
	return frameworkViewSchema.parse(params.get('framework') ?? undefined);
}

/** Whose crosswalk onto the Fusion Skills the admin edits (`/admin/frameworks/crosswalk?framework=`). */
export const crosswalkFrameworkSchema = z
	.enum(['capri', 'skills-builder', 'oecd-learning-compass'])
	.catch('capri');
export type CrosswalkFrameworkSlug = z.infer<typeof crosswalkFrameworkSchema>;

/** One weight box of the crosswalk form: blank is 0; otherwise a number from 0 to 100. */
export const crosswalkWeightSchema = z.preprocess(
	(v) => (typeof v === 'string' ? v.trim() || '0' : (v ?? '0')),
	z.coerce
		.number({ error: 'is not a number' })
		.refine(Number.isFinite, 'is not a number')
		.pipe(z.number().min(0, 'is below 0').max(100, 'is above 100'))
);
