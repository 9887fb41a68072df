import { z } from 'zod';
import { fileTypeFromBuffer } from 'file-type';
import { requireRole } from '$lib/server/auth/guards';
import { getDb } from '$lib/server/db/connection';
import { LAYERS, createBadge, listBadges } from '$lib/server/badges/badges';
import { Refusal } from '$lib/server/errors';
import { issuerContactEmail, setSchoolContactEmail } from '$lib/server/badges/emails';
import { capriTree, fusionSkills } from '$lib/server/frameworks/frameworks';
import { LEVEL_LABELS } from '$lib/domain/scales';
import { actOn } from '$lib/server/http';
import { idSchema } from '$lib/schemas/people';
import { formFields } from '$lib/schemas/forms';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const admin = requireRole(event, 'admin');
	const db = getDb();
	const [badges, skills, capri, school] = await Promise.all([
		listBadges(db, admin.schoolId),
		fusionSkills(db),
		capriTree(db),
		db
			.selectFrom('schools')
			.select('badge_contact_email')
			.where('id', '=', admin.schoolId)
			.executeTakeFirstOrThrow()
	]);
	return {
		contactEmail: {
			school: school.badge_contact_email,
			// What OB 2.0 issuer profiles name now: the school's, else the installation's, else none.
			used: issuerContactEmail(school)
		},
		badges,
		skills: skills.map((s) => ({ id: s.id, code: s.code, title: s.title })),
		capri: capri.map((c) => ({ id: c.id, code: c.code, title: c.title })),
		levelLabels: LEVEL_LABELS,
		layers: LAYERS
	};
};

const badgeSchema = z.object({
	name: z.string().trim().min(1, 'Name the badge.').max(120, 'Keep the name under 120 characters.'),
	description: z.string().trim().min(1, 'Describe the badge.').max(2000),
	criteriaNarrative: z.string().trim().min(1, 'Say what earns the badge.').max(4000),
	layer: z.enum(LAYERS, { error: 'Choose a Cities of Learning layer.' }),
	ruleTarget: z.string().regex(/^(skill:\d+|capri:[CAPRI])$/, 'Choose what the award rule counts.'),
	minBand: z.coerce.number().int().min(0).max(4),
	minTasks: z.coerce.number().int().min(1, 'At least one task.').max(20),
	alignmentItemIds: z
		.array(idSchema)
		.min(1, 'Align the badge to at least one Fusion Skill or CAPRI category.')
});

const contactEmailSchema = z.object({
	email: z
		.string()
		.trim()
		.max(200, 'Keep the address under 200 characters.')
		.pipe(
			z.union([z.literal(''), z.email('Type an e-mail address such as badges@school.example.')])
		)
		.transform((v) => v || null)
});

export const actions: Actions = {
	contactEmail: async (event) => {
		const admin = requireRole(event, 'admin');
		const fields = formFields(await event.request.formData());
		return actOn(async () => {
			const { email } = contactEmailSchema.parse(fields);
			await setSchoolContactEmail(getDb(), admin, email);
			return {
				ok: true,
				message: email
					? `Saved: Open Badges 2.0 issuer profiles now name ${email}.`
					: 'Saved: the school has no contact address of its own now.'
			};
		});
	},
	create: async (event) => {
		const admin = requireRole(event, 'admin');
		const form = await event.request.formData();
		return actOn(async () => {
			const input = badgeSchema.parse({
				...formFields(form),
				alignmentItemIds: form.getAll('alignmentItemIds')
			});
			const [kind, target] = input.ruleTarget.split(':') as ['skill' | 'capri', string];
			let image: { mime: 'image/png'; data: Buffer } | undefined;
			const file = form.get('image');
			if (file instanceof File && file.size > 0) {
				if (file.size > 1024 * 1024) throw new Refusal('Keep the badge image under 1 MB.');
				const data = Buffer.from(await file.arrayBuffer());
				if ((await fileTypeFromBuffer(data))?.mime !== 'image/png')
					throw new Refusal(
						'Upload the badge image as a PNG (or leave it empty for a generated one).'
					);
				image = { mime: 'image/png', data };
			}
			await createBadge(getDb(), admin, {
				name: input.name,
				description: input.description,
				criteriaNarrative: input.criteriaNarrative,
				layer: input.layer,
				rule: {
					kind,
					target: kind === 'skill' ? Number(target) : target,
					minBand: input.minBand,
					minTasks: input.minTasks
				},
				alignmentItemIds: input.alignmentItemIds,
				image
			});
			return {
				ok: true,
				message: `Badge “${input.name}” created. Teachers now see learners who meet its rule.`
			};
		});
	}
};
