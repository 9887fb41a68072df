import { error, fail, redirect } from '@sveltejs/kit';
import { requireRole } from '$lib/server/auth/guards';
import { getDb } from '$lib/server/db/connection';
import {
	bankFilters,
	copyCriterion,
	getCriterion,
	updateCriterion
} from '$lib/server/criteria/criteria';
import { criterionFromForm, criterionSchema } from '$lib/schemas/criteria';
import { fieldErrors } from '$lib/schemas/forms';
import { actOn, idParam } from '$lib/server/http';
import type { Actions, PageServerLoad, RequestEvent } from './$types';

async function schoolsCriterion(event: RequestEvent) {
	const teacher = requireRole(event, 'teacher', 'admin');
	const criterion = await getCriterion(
		getDb(),
		teacher.schoolId,
		idParam(event.params.criterionId, 'criterion')
	);
	if (!criterion) error(404, 'That criterion does not exist, or is not in your school’s bank.');
	return { teacher, criterion };
}

export const load: PageServerLoad = async (event) => {
	const { criterion } = await schoolsCriterion(event);
	const filters = await bankFilters(getDb());
	return {
		criterion,
		skills: filters.skills,
		created: event.url.searchParams.has('created'),
		versioned: event.url.searchParams.has('versioned')
	};
};

export const actions: Actions = {
	edit: async (event) => {
		const { teacher, criterion } = await schoolsCriterion(event);
		const form = await event.request.formData();
		const raw = criterionFromForm(form) as {
			descriptors: string[];
			skillOverrides: { fusionItemId: number; weight: number }[];
		};
		const values = {
			title: String(form.get('title') ?? ''),
			description: String(form.get('description') ?? ''),
			descriptors: raw.descriptors,
			overrides: Object.fromEntries(raw.skillOverrides.map((o) => [o.fusionItemId, o.weight]))
		};
		const parsed = criterionSchema.safeParse({
			...raw,
			subCategoryId: criterion.capriItemId,
			scaleId: criterion.scaleId
		});
		if (!parsed.success) return fail(400, { values, ...fieldErrors(parsed.error) });
		return actOn(
			async () => {
				const result = await updateCriterion(
					getDb(),
					teacher.schoolId,
					teacher.id,
					criterion.id,
					parsed.data
				);
				if (result.versioned) redirect(303, `/teacher/criteria/${result.criterionId}?versioned=1`);
				return { ok: true, message: 'Changes saved.' };
			},
			() => ({ values, errors: {} as Record<string, string> })
		);
	},
	copy: async (event) => {
		const { teacher, criterion } = await schoolsCriterion(event);
		return actOn(async () => {
			const copyId = await copyCriterion(getDb(), teacher.schoolId, teacher.id, criterion.id);
			redirect(303, `/teacher/criteria/${copyId}?created=1`);
		});
	}
};
