import { z } from 'zod';
import { idSchema } from './people';

export const criterionSchema = z.object({
	subCategoryId: idSchema,
	scaleId: idSchema,
	title: z
		.string()
		.trim()
		.min(3, 'Give the criterion a title of at least 3 characters.')
		.max(120, 'Keep the title under 120 characters.'),
	description: z
		.string()
		.trim()
		.min(10, 'Describe what the criterion looks for (at least 10 characters).')
		.max(4000, 'Keep the description under 4,000 characters.'),
	descriptors: z
		.array(
			z
				.string()
				.trim()
				.min(3, 'Describe every band (at least 3 characters each).')
				.max(1000, 'Keep each band description under 1,000 characters.')
		)
		.min(2)
		.max(10),
	skillOverrides: z
		.array(z.object({ fusionItemId: idSchema, weight: z.number().positive().max(100) }))
		.max(12)
		.default([])
});
export type CriterionInput = z.infer<typeof criterionSchema>;

/**
 * Reads the criterion form: descriptor_0…n and skill_<id> weight fields (blank or 0 = not mapped).
 */
export function criterionFromForm(form: FormData): unknown {
	const descriptors: string[] = [];
	for (let i = 0; form.has(`descriptor_${i}`); i++)
		descriptors.push(String(form.get(`descriptor_${i}`)));
	const skillOverrides = [...form.keys()]
		.filter((k) => /^skill_\d+$/.test(k))
		.map((k) => ({ fusionItemId: Number(k.slice(6)), weight: Number(form.get(k) || 0) }))
		.filter((o) => o.weight !== 0);
	return {
		subCategoryId: form.get('subCategoryId'),
		scaleId: form.get('scaleId'),
		title: form.get('title'),
		description: form.get('description'),
		descriptors,
		skillOverrides
	};
}
