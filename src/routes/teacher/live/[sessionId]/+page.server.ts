import { requireRole } from '$lib/server/auth/guards';
import { getDb } from '$lib/server/db/connection';
import { liveSessionForTeacher, setLiveState } from '$lib/server/live/live';
import { actOn, idParam, orHttpError } from '$lib/server/http';
import { sliderFormValueSchema } from '$lib/schemas/assessment';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const teacher = requireRole(event, 'teacher', 'admin');
	const live = await orHttpError(() =>
		liveSessionForTeacher(getDb(), teacher, idParam(event.params.sessionId, 'session'))
	);
	// The projector: no app header, and the address learners type (this server's own).
	return { ...live, chromeless: true, joinAddress: `${event.url.host}/join` };
};

/** The teacher's slider, when placed: empty means not placed, which Reveal refuses. */
function placedValue(form: FormData) {
	const value = form.get('value');
	return value === null || value === '' ? undefined : sliderFormValueSchema.parse(value);
}

export const actions: Actions = {
	// Reveal carries the slider's value too, so it never depends on the autosave having landed.
	reveal: async (event) => {
		const teacher = requireRole(event, 'teacher', 'admin');
		const sessionId = idParam(event.params.sessionId, 'session');
		const form = await event.request.formData();
		return actOn(async () => {
			await setLiveState(getDb(), teacher, sessionId, {
				teacherValue: placedValue(form),
				state: 'revealed'
			});
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
