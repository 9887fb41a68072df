import { fail } from '@sveltejs/kit';
import { requireRole } from '$lib/server/auth/guards';
import { getDb } from '$lib/server/db/connection';
import {
	capriTree,
	crosswalkFor,
	fusionSkills,
	resetSchoolCrosswalk,
	saveSchoolCrosswalk
} from '$lib/server/frameworks/frameworks';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const admin = requireRole(event, 'admin');
	const db = getDb();
	const [capri, skills, crosswalk, edited] = await Promise.all([
		capriTree(db),
		fusionSkills(db),
		crosswalkFor(db, admin.schoolId),
		db
			.selectFrom('crosswalk_weights')
			.select('id')
			.where('school_id', '=', admin.schoolId)
			.limit(1)
			.executeTakeFirst()
	]);
	return {
		capri,
		skills,
		weights: crosswalk.map((r) => ({
			sub: r.sourceItemId,
			skill: r.targetItemId,
			weight: r.weight
		})),
		usingDefault: !edited
	};
};

export const actions: Actions = {
	save: async (event) => {
		const admin = requireRole(event, 'admin');
		const db = getDb();
		const form = await event.request.formData();
		const [capri, skills] = await Promise.all([capriTree(db), fusionSkills(db)]);
		const rows: { sourceItemId: number; targetItemId: number; weight: number }[] = [];
		const problems: string[] = [];
		for (const sub of capri.flatMap((c) => c.subCategories)) {
			let total = 0;
			for (const skill of skills) {
				const raw = String(form.get(`w_${sub.id}_${skill.id}`) ?? '0').trim() || '0';
				const weight = Number(raw);
				if (!Number.isFinite(weight) || weight < 0 || weight > 100) {
					problems.push(`${sub.code} → ${skill.code}: “${raw}” is not a weight from 0 to 100.`);
					continue;
				}
				total += weight;
				if (weight > 0) rows.push({ sourceItemId: sub.id, targetItemId: skill.id, weight });
			}
			if (total === 0)
				problems.push(`${sub.code} ${sub.title} must count towards at least one Fusion Skill.`);
		}
		if (problems.length) return fail(400, { message: 'Nothing was saved:', problems });
		await saveSchoolCrosswalk(db, admin.schoolId, admin.id, rows);
		return { ok: true, message: 'Crosswalk saved.' };
	},
	reset: async (event) => {
		const admin = requireRole(event, 'admin');
		await resetSchoolCrosswalk(getDb(), admin.schoolId, admin.id);
		return { ok: true, message: 'Back to the shipped default.' };
	}
};
