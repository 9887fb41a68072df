import { redirect } from '@sveltejs/kit';
import { hasRole, requireRole } from '$lib/server/auth/guards';
import { getDb } from '$lib/server/db/connection';
import {
	adoptCityCriterion,
	cityBankForSchool,
	takeNewerCityVersion
} from '$lib/server/city/criteria';
import { taskFromTemplate, templatesForSchool } from '$lib/server/city/templates';
import { listSchoolClasses, listTeacherClasses } from '$lib/server/classes/classes';
import { actOn } from '$lib/server/http';
import { cityItemRef, useTemplateSchema } from '$lib/schemas/city';
import { formFields } from '$lib/schemas/forms';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const user = requireRole(event, 'teacher', 'admin');
	const db = getDb();
	const [bank, templates, classes] = await Promise.all([
		cityBankForSchool(db, user.schoolId),
		templatesForSchool(db, user.schoolId),
		hasRole(user, 'admin') ? listSchoolClasses(db, user.schoolId) : listTeacherClasses(db, user.id)
	]);
	return {
		city: bank.city,
		criteria: bank.criteria,
		templates,
		classes: classes.map((c) => ({ id: c.id, name: c.name }))
	};
};

export const actions: Actions = {
	adopt: async (event) => {
		const user = requireRole(event, 'teacher', 'admin');
		const form = formFields(await event.request.formData());
		return actOn(async () => {
			const { id } = cityItemRef.parse(form);
			await adoptCityCriterion(getDb(), user, id);
			return { ok: true, message: 'Added to your school’s criteria bank.' };
		});
	},
	takeNewer: async (event) => {
		const user = requireRole(event, 'teacher', 'admin');
		const form = formFields(await event.request.formData());
		return actOn(async () => {
			const { id } = cityItemRef.parse(form);
			const result = await takeNewerCityVersion(getDb(), user, id);
			return {
				ok: true,
				message: result.versioned
					? 'Your copy now has the city’s wording. Work already assessed keeps the old version.'
					: 'Your copy now has the city’s wording.'
			};
		});
	},
	useTemplate: async (event) => {
		const user = requireRole(event, 'teacher', 'admin');
		const form = formFields(await event.request.formData());
		return actOn(async () => {
			const { templateId, classId } = useTemplateSchema.parse(form);
			const taskId = await taskFromTemplate(getDb(), user, classId, templateId);
			redirect(303, `/teacher/tasks/${taskId}`);
		});
	}
};
