import type { DB } from '../db/connection';
import { CAPRI, NEUTRAL_COLOUR } from '../../domain/frameworks';
import { frameworkView } from '../../domain/mapped-frameworks';
import { crosswalkWeightSchema, type CrosswalkFrameworkSlug } from '../../schemas/frameworks';
import {
	capriTree,
	crosswalkFor,
	frameworkItems,
	fusionSkills,
	schoolEditedCrosswalk
} from './frameworks';

/** The framework whose crosswalk onto the Fusion Skills a slug names. */
export const crosswalkFramework = (slug: CrosswalkFrameworkSlug) =>
	slug === 'capri' ? CAPRI : frameworkView(slug).framework;

/**
 * The admin's crosswalk page, for one framework whose items count towards the Fusion Skills:
 * CAPRI's sub-categories (grouped by category, with their colours), or the top-level items of
 * Skills Builder or the OECD Learning Compass (Skills Builder's steps are structure and map to
 * nothing).
 */
export async function crosswalkEditor(db: DB, schoolId: number, slug: CrosswalkFrameworkSlug) {
	const framework = crosswalkFramework(slug);
	const [groups, skills, crosswalk, edited] = await Promise.all([
		slug === 'capri'
			? capriTree(db).then((tree) =>
					tree.map((category) => ({
						colour: category.colour ?? NEUTRAL_COLOUR,
						sources: category.subCategories.map(({ id, code, title }) => ({ id, code, title }))
					}))
				)
			: frameworkItems(db, framework.identifier).then((items) => [
					{
						colour: null,
						sources: items
							.filter((i) => i.parentId === null)
							.map(({ id, code, title }) => ({ id, code, title }))
					}
				]),
		fusionSkills(db),
		crosswalkFor(db, schoolId),
		schoolEditedCrosswalk(db, schoolId, framework.identifier)
	]);
	const sourceIds = new Set(groups.flatMap((g) => g.sources.map((s) => s.id)));
	return {
		slug,
		identifier: framework.identifier,
		title: framework.title,
		creator: framework.creator,
		groups,
		skills,
		weights: crosswalk
			.filter((r) => sourceIds.has(r.sourceItemId))
			.map((r) => ({ source: r.sourceItemId, skill: r.targetItemId, weight: r.weight })),
		usingDefault: !edited
	};
}

export type CrosswalkEditor = Awaited<ReturnType<typeof crosswalkEditor>>;

/**
 * The form's weights (`w_{source}_{skill}`), each checked by zod: the rows to save, or every
 * problem in words. A source with no positive weight is a problem: it would map to nothing.
 */
export function readCrosswalkForm(
	form: FormData,
	editor: Pick<CrosswalkEditor, 'groups' | 'skills'>
):
	| { rows: { sourceItemId: number; targetItemId: number; weight: number }[] }
	| { problems: string[] } {
	const rows: { sourceItemId: number; targetItemId: number; weight: number }[] = [];
	const problems: string[] = [];
	for (const source of editor.groups.flatMap((g) => g.sources)) {
		let total = 0;
		for (const skill of editor.skills) {
			const raw = form.get(`w_${source.id}_${skill.id}`);
			const parsed = crosswalkWeightSchema.safeParse(raw);
			if (!parsed.success) {
				problems.push(
					`${source.code} → ${skill.code}: “${String(raw).trim()}” is not a weight from 0 to 100.`
				);
				continue;
			}
			total += parsed.data;
			if (parsed.data > 0)
				rows.push({ sourceItemId: source.id, targetItemId: skill.id, weight: parsed.data });
		}
		if (total === 0)
			problems.push(`${source.code} ${source.title} must count towards at least one Fusion Skill.`);
	}
	return problems.length ? { problems } : { rows };
}
