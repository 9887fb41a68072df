import { requireRole } from '$lib/server/auth/guards';
import type { RequestHandler } from './$types';

const TEMPLATE = `username,given_name,family_name,role,class
j.smith,Jordan,Smith,teacher,9B Design & Technology
a.khan,Aisha,Khan,student,9B Design & Technology
b.jones,Ben,Jones,student,9B Design & Technology
`;

export const GET: RequestHandler = (event) => {
	requireRole(event, 'admin');
	return new Response(TEMPLATE, {
		headers: {
			'content-type': 'text/csv; charset=utf-8',
			'content-disposition': 'attachment; filename="roster-template.csv"'
		}
	});
};
