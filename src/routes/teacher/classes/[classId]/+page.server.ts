import { requireClassAccess, requireRole } from '$lib/server/auth/guards';
import { getDb } from '$lib/server/db/connection';
import { classMembers } from '$lib/server/classes/classes';
import { listClassTasks } from '$lib/server/tasks/tasks';
import { idParam } from '$lib/server/http';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const teacher = requireRole(event, 'teacher', 'admin');
	const db = getDb();
	const schoolClass = await requireClassAccess(
		db,
		teacher,
		idParam(event.params.classId, 'class'),
		'teach'
	);
	const [members, tasks] = await Promise.all([
		classMembers(db, schoolClass.id),
		listClassTasks(db, schoolClass.id)
	]);
	return {
		schoolClass: {
			id: schoolClass.id,
			name: schoolClass.name,
			yearGroup: schoolClass.year_group,
			subject: schoolClass.subject
		},
		members,
		tasks
	};
};
