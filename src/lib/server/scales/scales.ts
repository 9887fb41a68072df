import type { DB } from '../db/connection';
import { validateBands, type Band } from '../../domain/scales';
import { recordAudit } from '../audit';
import { nowIso } from '../clock';
import { Refusal } from '../errors';

export interface Scale {
	id: number;
	name: string;
	description: string;
	shared: boolean;
	bands: Band[];
}

/** One scale's bands in order. */
export async function scaleBands(db: DB, scaleId: number): Promise<Band[]> {
	return (await scaleBandsOf(db, [scaleId])).get(scaleId) ?? [];
}

/** The bands of several scales in one query, keyed by scale. */
export async function scaleBandsOf(db: DB, scaleIds: number[]): Promise<Map<number, Band[]>> {
	const rows = scaleIds.length
		? await db
				.selectFrom('grade_bands')
				.select(['scale_id as scaleId', 'position', 'label', 'min_value as minValue', 'descriptor'])
				.where('scale_id', 'in', [...new Set(scaleIds)])
				.orderBy('scale_id')
				.orderBy('position')
				.execute()
		: [];
	const byScale = new Map<number, Band[]>();
	for (const { scaleId, ...band } of rows)
		byScale.set(scaleId, [...(byScale.get(scaleId) ?? []), band]);
	return byScale;
}

/** The shipped scales and the school's own, each with its bands in order (two queries). */
export async function listScales(db: DB, schoolId: number): Promise<Scale[]> {
	const scales = await db
		.selectFrom('grade_scales')
		.select(['id', 'name', 'description', 'school_id as schoolId'])
		.where((eb) => eb.or([eb('school_id', 'is', null), eb('school_id', '=', schoolId)]))
		.orderBy('id')
		.execute();
	const bands = scales.length
		? await db
				.selectFrom('grade_bands')
				.select(['scale_id as scaleId', 'position', 'label', 'min_value as minValue', 'descriptor'])
				.where(
					'scale_id',
					'in',
					scales.map((s) => s.id)
				)
				.orderBy('position')
				.execute()
		: [];
	return scales.map((s) => ({
		id: s.id,
		name: s.name,
		description: s.description,
		shared: s.schoolId === null,
		bands: bands.filter((b) => b.scaleId === s.id).map(({ scaleId: _, ...b }) => b)
	}));
}

export async function createScale(
	db: DB,
	schoolId: number,
	actorId: number,
	input: {
		name: string;
		description: string;
		bands: { label: string; minValue: number; descriptor: string }[];
	}
): Promise<number> {
	const problems = validateBands(input.bands);
	if (problems.length) throw new Refusal(problems.join(' '));
	const clash = await db
		.selectFrom('grade_scales')
		.select('id')
		.where('name', '=', input.name)
		.where((eb) => eb.or([eb('school_id', 'is', null), eb('school_id', '=', schoolId)]))
		.executeTakeFirst();
	if (clash) throw new Refusal(`There is already a scale called “${input.name}”.`);
	return db.transaction().execute(async (trx) => {
		const { id } = await trx
			.insertInto('grade_scales')
			.values({
				school_id: schoolId,
				name: input.name,
				description: input.description,
				created_at: nowIso()
			})
			.returning('id')
			.executeTakeFirstOrThrow();
		await trx
			.insertInto('grade_bands')
			.values(
				input.bands.map((b, position) => ({
					scale_id: id,
					position,
					label: b.label.trim(),
					min_value: b.minValue,
					descriptor: b.descriptor.trim()
				}))
			)
			.execute();
		await recordAudit(trx, {
			schoolId,
			actorId,
			action: 'scale.create',
			entityType: 'scale',
			entityId: String(id),
			after: input
		});
		return id;
	});
}
