import { z } from 'zod';
import { requireCityAdmin } from '$lib/server/auth/guards';
import { getDb } from '$lib/server/db/connection';
import { cityReportFromWorker } from '$lib/server/workers/report-pool';
import { idSchema } from '$lib/schemas/people';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const { user, cityId } = requireCityAdmin(event);
	const report = await cityReportFromWorker(getDb(), cityId);
	const asked = z
		.object({ skill: idSchema.optional().catch(undefined) })
		.parse(Object.fromEntries(event.url.searchParams)).skill;
	const skill = report.skills.find((s) => s.id === asked) ?? report.skills[0]!;
	return { report, skillId: skill.id, cityName: user.city!.name };
};
