import { requireRole } from '$lib/server/auth/guards';
import { getDb } from '$lib/server/db/connection';
import { teacherHome } from '$lib/server/home/teacher-home';
import { samplesToModerate } from '$lib/server/city-moderation/marking';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const teacher = requireRole(event, 'teacher', 'admin');
	const [home, crossSchool] = await Promise.all([
		teacherHome(getDb(), teacher),
		samplesToModerate(getDb(), teacher)
	]);
	const samples = crossSchool.filter((r) => !r.closed).flatMap((r) => r.samples);
	return {
		...home,
		givenName: teacher.givenName,
		crossSchoolToMark: samples.filter((s) => !s.marked).length
	};
};
