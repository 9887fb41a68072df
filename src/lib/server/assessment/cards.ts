import type { DB } from '../db/connection';
import { descriptorsFor, taskCriteria } from '../tasks/task-criteria';
import { scaleBands } from '../scales/scales';
import { NEUTRAL_COLOUR } from '../../domain/frameworks';

/**
 * The task's criteria as assessment cards: wording, CAPRI colour and one descriptor per band (three
 * queries).
 */
export async function assessmentCards(db: DB, taskId: number, scaleId: number) {
	const [criteria, bands] = await Promise.all([taskCriteria(db, taskId), scaleBands(db, scaleId)]);
	const descriptors = await descriptorsFor(
		db,
		criteria.map((c) => c.criterionId)
	);
	return {
		bands: bands.map((b) => ({ label: b.label, minValue: b.minValue })),
		criteria: criteria.map((c) => ({
			criterionId: c.criterionId,
			lineageId: c.lineageId,
			code: c.code,
			title: c.title,
			description: c.description,
			weight: c.weight,
			colour: c.colour ?? NEUTRAL_COLOUR,
			categoryTitle: `${c.categoryCode} ${c.categoryTitle}`,
			descriptors: bands.map((_, i) => descriptors.get(c.criterionId)?.[i] ?? '')
		}))
	};
}

export type AssessmentCard = Awaited<ReturnType<typeof assessmentCards>>['criteria'][number];
