import { z } from 'zod';
import { familyNameSchema, givenNameSchema, idSchema, usernameSchema } from './people';
import { checkbox } from './tasks';
import { PEER_ALLOCATIONS, SELF_MARKER_VISIBILITIES } from '../domain/states';
import { BADGE_LAYERS } from '../domain/frameworks';

/** `npm run setup -- --city …`: a city and its first city admin. */
export const newCitySchema = z.object({
	cityName: z
		.string()
		.trim()
		.min(2, 'Name the city (at least 2 characters).')
		.max(120, 'Keep the city’s name under 120 characters.'),
	username: usernameSchema,
	givenName: givenNameSchema,
	familyName: familyNameSchema
});
export type NewCityInput = z.infer<typeof newCitySchema>;

/** The settings a city task template carries; dates are the teacher's, set on the task. */
export const templateSettingsSchema = z.object({
	selfRequiredBeforeRelease: checkbox,
	selfMarkerVisibility: z.enum(SELF_MARKER_VISIBILITIES, {
		error: 'Choose when the teacher sees the learner’s own marker.'
	}),
	peerEnabled: checkbox,
	peerReviewersPerLearner: z.coerce
		.number({ error: 'Reviewers per learner must be a number.' })
		.int()
		.min(1, 'At least one reviewer.')
		.max(6, 'At most six reviewers.')
		.default(2),
	peerAllocation: z.enum(PEER_ALLOCATIONS, { error: 'Choose how reviewers are allocated.' }),
	peerAnonymous: checkbox,
	groupTask: checkbox
});
export type TemplateSettings = z.infer<typeof templateSettingsSchema>;

export const templateSchema = z.object({
	title: z
		.string()
		.trim()
		.min(3, 'Give the template a title of at least 3 characters.')
		.max(120, 'Keep the title under 120 characters.'),
	brief: z.string().max(20_000, 'Keep the brief under 20,000 characters.').default(''),
	scaleId: idSchema,
	settings: templateSettingsSchema,
	criteria: z
		.array(z.object({ cityCriterionId: idSchema, weight: z.number().min(0.1).max(10) }))
		.min(1, 'Choose at least one of the city’s criteria.')
		.max(20, 'A task can have at most 20 criteria.')
});
export type TemplateInput = z.infer<typeof templateSchema>;

/** The template form: settings fields, and a weight field `criterion_<id>` per chosen criterion. */
export function templateFromForm(form: FormData): unknown {
	const field = (name: string) => {
		const value = form.get(name);
		return typeof value === 'string' ? value : undefined;
	};
	return {
		title: field('title'),
		brief: field('brief') ?? '',
		scaleId: field('scaleId'),
		settings: {
			selfRequiredBeforeRelease: field('selfRequiredBeforeRelease'),
			selfMarkerVisibility: field('selfMarkerVisibility'),
			peerEnabled: field('peerEnabled'),
			peerReviewersPerLearner: field('peerReviewersPerLearner') || undefined,
			peerAllocation: field('peerAllocation') ?? 'random',
			peerAnonymous: field('peerAnonymous'),
			groupTask: field('groupTask')
		},
		criteria: [...form.keys()]
			.filter((k) => /^criterion_\d+$/.test(k))
			.map((k) => ({ cityCriterionId: Number(k.slice(10)), weight: Number(form.get(k) || 0) }))
			.filter((c) => c.weight !== 0)
	};
}

export const cityBadgeSchema = z.object({
	name: z.string().trim().min(1, 'Name the badge.').max(120, 'Keep the name under 120 characters.'),
	description: z.string().trim().min(1, 'Describe the badge.').max(2000),
	criteriaNarrative: z.string().trim().min(1, 'Say what earns the badge.').max(4000),
	layer: z.enum(BADGE_LAYERS, { error: 'Choose a Cities of Learning layer.' }),
	ruleTarget: z.string().regex(/^(skill:\d+|capri:[CAPRI])$/, 'Choose what the award rule counts.'),
	minBand: z.coerce.number().int().min(0).max(4),
	minTasks: z.coerce.number().int().min(1, 'At least one task.').max(20),
	alignmentItemIds: z
		.array(idSchema)
		.min(1, 'Align the badge to at least one Fusion Skill or CAPRI category.')
		.max(30)
});
export type CityBadgeInput = z.infer<typeof cityBadgeSchema>;

/** A teacher making a task from a template: which class. */
export const useTemplateSchema = z.object({ templateId: idSchema, classId: idSchema });
export const cityItemRef = z.object({ id: idSchema });
