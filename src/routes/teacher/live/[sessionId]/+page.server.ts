import { requireRole } from '$lib/server/auth/guards';
import { getDb } from '$lib/server/db/connection';
import { liveSessionForTeacher, setLiveState } from '$lib/server/live/live';
import { actOn, idParam, orHttpError } from '$lib/server/http';
import { sliderFormValueSchema } from '$lib/schemas/assessment';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const teacher = requireRole(event, 'teacher', 'admin');
	return orHttpError(() =>
		liveSessionForTeacher(getDb(), teacher, idParam(event.params.sessionId, 'session'))
	);
};

export const actions: Actions = {
	place: async (event) => {
		const teacher = requireRole(event, 'teacher', 'admin');
		const sessionId = idParam(event.params.sessionId, 'session');
		const form = await event.request.formData();
		return actOn(async () => {
			await setLiveState(getDb(), teacher, sessionId, {
				teacherValue: sliderFormValueSchema.parse(form.get('value'))
			});
			return {
				ok: true,
				message: 'Your placement is saved, hidden from the class until you reveal it.'
			};
		});
	},
	reveal: async (event) => {
		const teacher = requireRole(event, 'teacher', 'admin');
		const sessionId = idParam(event.params.sessionId, 'session');
		return actOn(async () => {
			await setLiveState(getDb(), teacher, sessionId, { state: 'revealed' });
			return { ok: true, message: 'Revealed.' };
		});
	},
	close: async (event) => {
		const teacher = requireRole(event, 'teacher', 'admin');
		const sessionId = idParam(event.params.sessionId, 'session');
		return actOn(async () => {
			await setLiveState(getDb(), teacher, sessionId, { state: 'closed' });
			return { ok: true, message: 'Session closed. The placements are kept as calibration data.' };
		});
	}
};
