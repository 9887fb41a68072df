import { z } from 'zod';
import { idSchema } from './people';
import { PER_SCHOOL_MAX } from '../domain/city-moderation';

/** A criterion code as the banks write them ("C1.1", "R3.2"). */
const criterionCode = z
	.string()
	.trim()
	.regex(/^[A-Za-z0-9.\-_]{1,20}$/, 'Choose criteria from the list.');

/** A new round, as the city admin's form sends it (repeated fields read with getAll). */
export const newRoundSchema = z.object({
	title: z
		.string({ error: 'Give the round a title.' })
		.trim()
		.min(1, 'Give the round a title.')
		.max(120, 'A title must be at most 120 characters.'),
	schoolIds: z
		.array(idSchema)
		.min(2, 'Choose at least two schools: moderation compares schools.')
		.max(200),
	teacherIds: z.array(idSchema).min(1, 'Choose the teachers who will moderate.').max(500),
	codes: z.array(criterionCode).min(1, 'Choose at least one criterion to sample.').max(20),
	perSchool: z.coerce
		.number({ error: 'Say how many pieces to draw from each school.' })
		.int('Pieces per school must be a whole number.')
		.min(1, 'Draw at least one piece per school.')
		.max(PER_SCHOOL_MAX, `Draw at most ${PER_SCHOOL_MAX} pieces per school.`)
});
export type NewRound = z.infer<typeof newRoundSchema>;

export function newRoundFromForm(form: FormData) {
	const strings = (name: string) => form.getAll(name).filter((v) => typeof v === 'string');
	return newRoundSchema.safeParse({
		title: form.get('title') ?? undefined,
		schoolIds: strings('schoolId'),
		teacherIds: strings('teacherId'),
		codes: strings('code'),
		perSchool: form.get('perSchool') ?? undefined
	});
}

/** A moderator's marks: `value-<criterionId>` fields, each a slider position or empty (not placed). */
const sliderValue = z.union([
	z.literal('').transform(() => null),
	z
		.string()
		.regex(/^\d{1,3}(\.\d{1,4})?$/, 'A mark must be a slider position.')
		.transform(Number)
		.pipe(z.number().max(100, 'A mark must be between 0 and 100.'))
]);

export function sampleMarksFromForm(form: FormData) {
	const marks: { criterionId: number; value: number | null }[] = [];
	for (const [key, raw] of form.entries()) {
		const match = /^value-(.+)$/.exec(key);
		if (!match) continue;
		const criterionId = idSchema.safeParse(match[1]);
		const value = sliderValue.safeParse(typeof raw === 'string' ? raw.trim() : undefined);
		if (!criterionId.success)
			return { success: false as const, message: 'Mark only this piece’s criteria.' };
		if (!value.success)
			return {
				success: false as const,
				message: value.error.issues[0]?.message ?? 'A mark must be a slider position.'
			};
		marks.push({ criterionId: criterionId.data, value: value.data });
	}
	if (marks.length === 0)
		return { success: false as const, message: 'Place at least one criterion first.' };
	return { success: true as const, marks };
}
