import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { uploadsDirectory } from '../../src/lib/server/assessment/evidence';
import type { DB } from '../../src/lib/server/db/connection';
import { freshDatabase, sessionUser } from './helpers';
import { cityModerationFixture } from './city-moderation-fixture';
import {
	addressNamesSomeone,
	anonymisedText,
	drawSample,
	schoolsWithoutOutsideModerator,
	withoutNames,
	SMALLEST_SHOWN
} from '../../src/lib/domain/city-moderation';
import { markerAgreement } from '../../src/lib/domain/moderation';
import { scaleBands } from '../../src/lib/server/scales/scales';
import { teacherResult } from '../../src/lib/domain/results';
import {
	closeRound,
	createRound,
	roundChoices,
	roundReport,
	roundsOfSchool
} from '../../src/lib/server/city-moderation/rounds';
import {
	sampleEvidenceFile,
	sampleToMark,
	samplesToModerate,
	saveSampleMarks
} from '../../src/lib/server/city-moderation/marking';
import { newRoundSchema, sampleMarksFromForm } from '../../src/lib/schemas/city-moderation';

describe('the draw', () => {
	const candidates = [
		...Array.from({ length: 12 }, (_, i) => ({ submissionId: 100 + i, schoolId: 1 })),
		...Array.from({ length: 3 }, (_, i) => ({ submissionId: 200 + i, schoolId: 2 })),
		...Array.from({ length: 9 }, (_, i) => ({ submissionId: 300 + i, schoolId: 3 }))
	];
	const moderators = [
		{ teacherId: 11, schoolId: 1, memberOf: [1] },
		{ teacherId: 12, schoolId: 1, memberOf: [1] },
		{ teacherId: 21, schoolId: 2, memberOf: [2] },
		{ teacherId: 31, schoolId: 3, memberOf: [3] }
	];
	const draw = (seed: number) =>
		drawSample({ seed, perSchool: 5, schoolIds: [3, 1, 2], candidates, moderators });

	it('is the same from the same seed, and another seed draws another sample', () => {
		expect(draw(42)).toEqual(draw(42));
		expect(draw(43)).not.toEqual(draw(42));
		// Candidates in another order change nothing: the draw sorts them itself.
		expect(
			drawSample({
				seed: 42,
				perSchool: 5,
				schoolIds: [1, 2, 3],
				candidates: [...candidates].reverse(),
				moderators
			})
		).toEqual(draw(42));
	});

	it('takes perSchool pieces from each school (all of a smaller one), never to a moderator of the same school, evenly shared, under unique codes', () => {
		const pieces = draw(7);
		const bySchool = (s: number) => pieces.filter((p) => p.schoolId === s).length;
		expect([bySchool(1), bySchool(2), bySchool(3)]).toEqual([5, 3, 5]);
		expect(new Set(pieces.map((p) => p.submissionId)).size).toBe(pieces.length);
		for (const p of pieces) {
			expect(moderators.find((m) => m.teacherId === p.moderatorId)!.schoolId).not.toBe(p.schoolId);
			expect(p.code).toMatch(/^[BCDFGHJKMNPQRSTVWXYZ2-9]{4}$/);
		}
		expect(new Set(pieces.map((p) => p.code)).size).toBe(pieces.length);
		const loads = moderators.map((m) => pieces.filter((p) => p.moderatorId === m.teacherId).length);
		expect(loads.reduce((a, b) => a + b)).toBe(13);
		expect(Math.max(...loads) - Math.min(...loads)).toBeLessThanOrEqual(2);
		// The sample is shuffled across schools: its order does not group them.
		expect(pieces.map((p) => p.schoolId)).not.toEqual([...pieces.map((p) => p.schoolId)].sort());
	});

	it('names the schools that have no moderator from elsewhere', () => {
		const only = (schoolId: number, memberOf: number[]) => [{ teacherId: 1, schoolId, memberOf }];
		expect(schoolsWithoutOutsideModerator([1, 2], only(1, [1]))).toEqual([1]);
		expect(schoolsWithoutOutsideModerator([1, 2], only(3, [3]))).toEqual([]);
		// A teacher of schools 1 and 3 is outside school 2 only.
		expect(schoolsWithoutOutsideModerator([1, 2, 3], only(1, [1, 3]))).toEqual([1, 3]);
	});

	it('never gives a piece to a moderator who belongs to its school in any role', () => {
		const both = [
			{ teacherId: 11, schoolId: 1, memberOf: [1, 2] },
			{ teacherId: 31, schoolId: 3, memberOf: [3] }
		];
		for (const seed of [1, 2, 3, 4, 5]) {
			const pieces = drawSample({
				seed,
				perSchool: 5,
				schoolIds: [1, 2, 3],
				candidates,
				moderators: both
			});
			for (const p of pieces.filter((p) => p.schoolId !== 3)) expect(p.moderatorId).toBe(31);
			for (const p of pieces.filter((p) => p.schoolId === 3)) expect(p.moderatorId).toBe(11);
		}
	});
});

describe('names taken out of what a learner wrote', () => {
	it('removes whole names in any case, leaving other words', () => {
		expect(
			withoutNames('I am Ava Stone (ava.s) of Hill School; Avalanche was our theme. STONE!', [
				'Ava Stone',
				'Ava',
				'Stone',
				'ava.s',
				'Hill School'
			])
		).toBe(
			'I am [name removed] ([name removed]) of [name removed]; Avalanche was our theme. [name removed]!'
		);
	});
});

describe('what another school’s moderator reads', () => {
	const who = {
		givenName: 'Ava',
		familyName: 'Stone',
		username: 'ava.s',
		schoolName: 'Hill School',
		className: '8B'
	};
	it('takes out names, dotted initials, e-mail and web addresses, phone numbers and handles', () => {
		expect(
			anonymisedText(
				'Signed A.S. (A. S.) as ava.stone@hill.sch.uk; see www.avas-blog.example/p?1 or https://x.example/a. Call 07700 900123 or +44 (0)20 7946 0958, @ava_makes. Stone walls, as planned, in 2024 and 2025.',
				who
			)
		).toBe(
			'Signed [name removed] ([name removed]) as [e-mail address removed]; see [web address removed] or [web address removed]. Call [phone number removed] or [phone number removed], [handle removed]. [name removed] walls, as planned, in 2024 and 2025.'
		);
	});
	it('withholds a link whose address names the learner or the school, not others', () => {
		expect(addressNamesSomeone('https://ava-stone.example/portfolio', who)).toBe(true);
		expect(addressNamesSomeone('https://www.HillSchool.org.uk/news/42', who)).toBe(true);
		expect(addressNamesSomeone('https://example.org/recycling-ideas', who)).toBe(false);
		// Names of two letters or fewer (the class "8B") are not looked for.
		expect(addressNamesSomeone('https://example.org/8b', who)).toBe(false);
	});
});

describe('cross-school moderation', () => {
	let db: DB;
	let f: Awaited<ReturnType<typeof cityModerationFixture>>;
	const PASSWORD = 'pw-xmod-1';

	beforeAll(async () => {
		db = await freshDatabase();
		f = await cityModerationFixture(db, { prefix: 'u', password: PASSWORD, learners: 6 });
	}, 60_000);
	afterAll(async () => db.destroy());

	const cityAdmin = () => sessionUser(db, 'u-city-admin');
	const round = (over: Partial<Parameters<typeof newRoundSchema.parse>[0]> = {}) =>
		newRoundSchema.parse({
			title: 'Autumn moderation',
			schoolIds: [f.a.schoolId, f.b.schoolId],
			teacherIds: [f.teacherIds.a[1], f.teacherIds.b[1]],
			codes: ['C1.1'],
			perSchool: 5,
			...over
		});

	it('offers the city’s schools, teachers and the codes of released work, nothing of another city', async () => {
		const choices = await roundChoices(db, f.cityId);
		expect(choices.schools.map((s) => s.id).sort()).toEqual([f.a.schoolId, f.b.schoolId].sort());
		expect(choices.schools.map((s) => s.releasedPieces)).toEqual([6, 6]);
		expect(
			choices.teachers.every((t) => [...f.teacherIds.a, ...f.teacherIds.b].includes(t.id))
		).toBe(true);
		expect(choices.codes.map((c) => c.code)).toEqual(['C1.1', 'R3.2']);
	});

	it('refuses one school, another city’s school or teacher, and a school with no outside moderator', async () => {
		const admin = await cityAdmin();
		await expect(
			createRound(db, admin, f.cityId, round({ schoolIds: [f.a.schoolId, f.far.schoolId] }))
		).rejects.toMatchObject({ status: 404 });
		await expect(
			createRound(
				db,
				admin,
				f.cityId,
				round({ teacherIds: [f.teacherIds.far[0]!, f.teacherIds.a[1]!] })
			)
		).rejects.toMatchObject({ status: 404 });
		await expect(
			createRound(db, admin, f.cityId, round({ teacherIds: [f.teacherIds.a[1]!] }))
		).rejects.toThrow(/moderator from another school/);
		expect(() => round({ schoolIds: [f.a.schoolId] })).toThrow(/at least two schools/);
		// The far city's admin cannot draw from this city's schools.
		const far = await sessionUser(db, 'u-far-city-admin');
		await expect(createRound(db, far, f.farCityId, round())).rejects.toMatchObject({ status: 404 });
	});

	it('draws reproducibly from the stored seed, each piece to a teacher of the other school', async () => {
		const admin = await cityAdmin();
		const first = await createRound(db, admin, f.cityId, round(), 12345);
		const second = await createRound(db, admin, f.cityId, round(), 12345);
		const samples = (roundId: number) =>
			db
				.selectFrom('city_moderation_samples')
				.select(['code', 'submission_id', 'school_id', 'moderator_id'])
				.where('round_id', '=', roundId)
				.orderBy('id')
				.execute();
		const drawn = await samples(first);
		expect(drawn).toEqual(await samples(second));
		expect(drawn).toHaveLength(10);
		const seed = await db
			.selectFrom('city_moderation_rounds')
			.select('seed')
			.where('id', '=', first)
			.executeTakeFirstOrThrow();
		expect(seed.seed).toBe(12345);
		for (const s of drawn)
			expect(s.moderator_id).toBe(
				s.school_id === f.a.schoolId ? f.teacherIds.b[1] : f.teacherIds.a[1]
			);
		// Each school's audit log says its work was sampled (how many pieces, never which).
		const audit = await db
			.selectFrom('audit_log')
			.select(['school_id', 'after_json'])
			.where('action', '=', 'city_moderation.draw')
			.where('entity_id', '=', String(first))
			.orderBy('school_id')
			.execute();
		expect(audit.map((a) => JSON.parse(a.after_json!).pieces)).toEqual([5, 5]);
	});

	it('gives a teacher of both schools neither school’s work, and withdraws a piece from a moderator who joins its school', async () => {
		const admin = await cityAdmin();
		const teacherOfBoth = f.teacherIds.b[0]!;
		const joined = async (userId: number, schoolId: number) =>
			(
				await db
					.insertInto('memberships')
					.values({
						user_id: userId,
						school_id: schoolId,
						role: 'teacher',
						year_group: null,
						created_at: new Date().toISOString()
					})
					.returning('id')
					.executeTakeFirstOrThrow()
			).id;
		const extra = [await joined(teacherOfBoth, f.a.schoolId)];
		try {
			// With only the teacher of both beside one of A, B's work has no moderator from elsewhere.
			await expect(
				createRound(db, admin, f.cityId, round({ teacherIds: [teacherOfBoth, f.teacherIds.a[1]!] }))
			).rejects.toThrow(/moderator from another school/);
			const roundId = await createRound(
				db,
				admin,
				f.cityId,
				round({ teacherIds: [teacherOfBoth, f.teacherIds.a[1]!, f.teacherIds.b[1]!] }),
				777
			);
			const drawn = await db
				.selectFrom('city_moderation_samples')
				.select(['id', 'school_id', 'moderator_id'])
				.where('round_id', '=', roundId)
				.execute();
			expect(drawn).toHaveLength(10);
			expect(drawn.some((s) => s.moderator_id === teacherOfBoth)).toBe(false);

			// A's moderator joins school B after the draw: B's pieces are no longer theirs to see.
			const moderatorA = await sessionUser(db, 'u-a-teacher2');
			const fromB = drawn.find((s) => s.school_id === f.b.schoolId)!;
			expect(fromB.moderator_id).toBe(moderatorA.id);
			await sampleToMark(db, moderatorA, fromB.id);
			extra.push(await joined(moderatorA.id, f.b.schoolId));
			await expect(sampleToMark(db, moderatorA, fromB.id)).rejects.toMatchObject({ status: 404 });
			await expect(saveSampleMarks(db, moderatorA, fromB.id, [])).rejects.toMatchObject({
				status: 404
			});
			expect(
				(await samplesToModerate(db, moderatorA)).flatMap((r) => r.samples).map((s) => s.id)
			).not.toContain(fromB.id);
		} finally {
			await db.deleteFrom('memberships').where('id', 'in', extra).execute();
		}
	});

	it('shows a moderator only their own samples, blind: no name, school, class, grade or self-assessment', async () => {
		const admin = await cityAdmin();
		const roundId = await createRound(db, admin, f.cityId, round({ codes: ['C1.1', 'R3.2'] }), 99);
		const moderatorB = await sessionUser(db, 'u-b-teacher2');
		const list = await samplesToModerate(db, moderatorB);
		const mine = list.find((r) => r.id === roundId)!;
		expect(mine.samples).toHaveLength(5);
		const view = await sampleToMark(db, moderatorB, mine.samples[0]!.id);
		expect(view.criteria.map((c) => c.code)).toEqual(['C1.1', 'R3.2']);
		expect(view.criteria.every((c) => c.value === null)).toBe(true);
		const text = JSON.stringify(view);
		const sample = await db
			.selectFrom('city_moderation_samples')
			.innerJoin('submissions', 'submissions.id', 'city_moderation_samples.submission_id')
			.innerJoin('users', 'users.id', 'submissions.learner_id')
			.select([
				'users.username',
				'users.given_name',
				'users.family_name',
				'submissions.id as submissionId'
			])
			.where('city_moderation_samples.id', '=', mine.samples[0]!.id)
			.executeTakeFirstOrThrow();
		expect(sample.username.startsWith('u-a-')).toBe(true);
		for (const secret of [
			sample.username,
			sample.given_name,
			sample.family_name,
			'u School A',
			'self-comment',
			'teacher-comment',
			'11.5',
			'12.5',
			'pitch'.toUpperCase()
		])
			expect(text).not.toContain(secret);
		expect(text).toContain('[name removed]');
		expect(text).toContain('We pitched a recycling scheme.');
		// The teacher grades of that piece do not appear as values either.
		const grades = await db
			.selectFrom('assessments')
			.select('value')
			.where('submission_id', '=', sample.submissionId)
			.where('role', '=', 'teacher')
			.execute();
		for (const g of grades) expect(text).not.toMatch(new RegExp(`"value":${g.value}\\b`));

		// Not allocated to them, from their own school, another city's teacher, a learner, the city admin.
		const moderatorA = await sessionUser(db, 'u-a-teacher2');
		await expect(sampleToMark(db, moderatorA, mine.samples[0]!.id)).rejects.toMatchObject({
			status: 404
		});
		await db
			.updateTable('city_moderation_samples')
			.set({ moderator_id: moderatorA.id })
			.where('id', '=', mine.samples[1]!.id)
			.execute();
		await expect(sampleToMark(db, moderatorA, mine.samples[1]!.id)).rejects.toMatchObject({
			status: 404
		});
		expect(
			(await samplesToModerate(db, moderatorA)).flatMap((r) => r.samples).map((s) => s.id)
		).not.toContain(mine.samples[1]!.id);
		await db
			.updateTable('city_moderation_samples')
			.set({ moderator_id: moderatorB.id })
			.where('id', '=', mine.samples[1]!.id)
			.execute();
		for (const username of ['u-far-teacher', 'u-a-student1', 'u-b-student1', 'u-a-admin'])
			await expect(
				sampleToMark(db, await sessionUser(db, username), mine.samples[0]!.id)
			).rejects.toMatchObject({ status: expect.any(Number) });
		await expect(sampleToMark(db, admin, mine.samples[0]!.id)).rejects.toMatchObject({
			status: 403
		});
		await expect(
			saveSampleMarks(db, await sessionUser(db, 'u-a-student1'), mine.samples[0]!.id, [])
		).rejects.toMatchObject({ status: 403 });
		// A file of the piece is served only to its moderator.
		await expect(sampleEvidenceFile(db, moderatorA, mine.samples[0]!.id, 1)).rejects.toMatchObject({
			status: 404
		});
		await expect(sampleEvidenceFile(db, moderatorB, mine.samples[0]!.id, 1)).rejects.toMatchObject({
			status: 404
		});
	});

	it('reports agreement per school × criterion with second marking’s figures, aggregates only, fewer than 5 suppressed', async () => {
		const admin = await cityAdmin();
		const roundId = await createRound(
			db,
			admin,
			f.cityId,
			round({ codes: ['C1.1', 'R3.2'], perSchool: 6 }),
			2024
		);
		const marks = new Map<number, number>();
		for (const username of ['u-a-teacher2', 'u-b-teacher2']) {
			const moderator = await sessionUser(db, username);
			const samples = (await samplesToModerate(db, moderator)).find(
				(r) => r.id === roundId
			)!.samples;
			for (const [i, s] of samples.entries()) {
				const view = await sampleToMark(db, moderator, s.id);
				// School B's work: both criteria marked on every piece; School A's: R3.2 on only 3 pieces.
				const onA = username === 'u-b-teacher2';
				const toMark = view.criteria.filter((c) => !onA || c.code === 'C1.1' || i < 3);
				const values = toMark.map((c, j) => ({
					criterionId: c.criterionId,
					value: 40 + i * 7 + j
				}));
				const saved = await saveSampleMarks(db, moderator, s.id, values);
				expect(saved.complete).toBe(toMark.length === 2);
				for (const v of values) marks.set(s.id * 1000 + v.criterionId, v.value);
			}
		}
		const report = await roundReport(db, f.cityId, roundId);
		expect(report.schools.map((s) => [s.pieces, s.marked])).toEqual([
			[6, 3],
			[6, 6]
		]);
		const cell = (schoolId: number, code: string) =>
			report.agreement.cells.find((c) => c.schoolId === schoolId && c.code === code)!;
		expect(cell(f.a.schoolId, 'R3.2')).toEqual({
			schoolId: f.a.schoolId,
			code: 'R3.2',
			shown: false
		});
		expect(3).toBeLessThan(SMALLEST_SHOWN);

		// The same figures as second marking, worked out here from the pieces by hand.
		const expected = async (schoolId: number, code: string) => {
			const rows = await db
				.selectFrom('city_moderation_samples as s')
				.innerJoin('submissions', 'submissions.id', 's.submission_id')
				.innerJoin('tasks', 'tasks.id', 'submissions.task_id')
				.innerJoin('task_criteria', 'task_criteria.task_id', 'tasks.id')
				.innerJoin('criteria', 'criteria.id', 'task_criteria.criterion_id')
				.select([
					's.id',
					's.submission_id as submissionId',
					'criteria.id as criterionId',
					'tasks.scale_id as scaleId'
				])
				.where('s.round_id', '=', roundId)
				.where('s.school_id', '=', schoolId)
				.where('criteria.code', '=', code)
				.orderBy('s.id')
				.execute();
			const bands = await scaleBands(db, rows[0]!.scaleId);
			const pairs = [];
			for (const r of rows) {
				const grade = await db
					.selectFrom('assessments')
					.select('value')
					.where('submission_id', '=', r.submissionId)
					.where('criterion_id', '=', r.criterionId)
					.where('role', '=', 'teacher')
					.execute();
				const mark = marks.get(r.id * 1000 + r.criterionId);
				if (mark !== undefined)
					pairs.push({
						first: mark,
						second: teacherResult(
							grade.map((g) => g.value),
							null
						)!.value
					});
			}
			return markerAgreement(bands, pairs);
		};
		for (const [schoolId, code] of [
			[f.a.schoolId, 'C1.1'],
			[f.b.schoolId, 'C1.1'],
			[f.b.schoolId, 'R3.2']
		] as const) {
			const got = cell(schoolId, code);
			expect(got.shown).toBe(true);
			if (got.shown) {
				expect({
					pairs: got.pairs,
					meanDifference: got.meanDifference,
					sameBand: got.sameBand,
					withinOneBand: got.withinOneBand
				}).toEqual(await expected(schoolId, code));
				expect(got.working.sameBandCount / got.pairs).toBeCloseTo(got.sameBand!, 2);
			}
		}
		// Nothing in the city's view names a learner, a piece or a grade.
		const text = JSON.stringify(report);
		for (const secret of [
			'u-a-student',
			'u-b-student',
			'recycling',
			'"code":"' +
				(
					await db
						.selectFrom('city_moderation_samples')
						.select('code')
						.where('round_id', '=', roundId)
						.executeTakeFirstOrThrow()
				).code +
				'"'
		])
			expect(text).not.toContain(secret);
		// Another city's admin cannot open the round.
		await expect(roundReport(db, f.farCityId, roundId)).rejects.toMatchObject({ status: 404 });

		// The school's own admin sees its own row in full (its R3.2 cell of 3 included), no other school's.
		const schoolA = await roundsOfSchool(db, await sessionUser(db, 'u-a-admin'));
		const own = schoolA.find((r) => r.id === roundId)!;
		expect(own.agreement.cells.every((c) => c.schoolId === f.a.schoolId)).toBe(true);
		expect(own.agreement.cells.find((c) => c.code === 'R3.2')).toMatchObject({
			shown: true,
			pairs: 3
		});
		expect(await roundsOfSchool(db, await sessionUser(db, 'u-far-admin'))).toEqual([]);

		// Closed, the marks no longer change.
		await closeRound(db, f.cityId, roundId);
		const moderator = await sessionUser(db, 'u-a-teacher2');
		const s = (await samplesToModerate(db, moderator)).find((r) => r.id === roundId)!;
		expect(s.closed).toBe(true);
		await expect(saveSampleMarks(db, moderator, s.samples[0]!.id, [])).rejects.toMatchObject({
			status: 409
		});
	});

	it('serves a sampled file to its moderator only, under a neutral name, and only once cleaned', async () => {
		process.env.UPLOADS_DIR = mkdtempSync(join(tmpdir(), 'xmod-uploads-'));
		const admin = await cityAdmin();
		const roundId = await createRound(db, admin, f.cityId, round(), 777);
		const moderator = await sessionUser(db, 'u-b-teacher2');
		const sample = (await samplesToModerate(db, moderator)).find((r) => r.id === roundId)!
			.samples[0]!;
		const { submission_id } = await db
			.selectFrom('city_moderation_samples')
			.select('submission_id')
			.where('id', '=', sample.id)
			.executeTakeFirstOrThrow();
		writeFileSync(join(uploadsDirectory(), 'xmod-test.png'), Buffer.from('not really a png'));
		const { id: evidenceId } = await db
			.insertInto('evidence')
			.values({
				submission_id,
				kind: 'file',
				title: 'IMG_2041 of Ava at Hill School.png',
				file_name: 'IMG_2041 of Ava at Hill School.png',
				file_mime: 'image/png',
				file_size: 16,
				storage_key: 'xmod-test.png',
				created_at: new Date().toISOString()
			})
			.returning('id')
			.executeTakeFirstOrThrow();
		await expect(sampleEvidenceFile(db, moderator, sample.id, 1)).rejects.toMatchObject({
			status: 403
		});
		await db
			.updateTable('evidence')
			.set({ cleaned_at: new Date().toISOString() })
			.where('id', '=', evidenceId)
			.execute();
		const file = await sampleEvidenceFile(db, moderator, sample.id, 1);
		expect(file).toMatchObject({ fileName: 'Evidence 1.png', mime: 'image/png' });
		expect(JSON.stringify((await sampleToMark(db, moderator, sample.id)).evidence)).not.toContain(
			'IMG_2041'
		);
		await expect(sampleEvidenceFile(db, moderator, sample.id, 2)).rejects.toMatchObject({
			status: 404
		});
		for (const username of ['u-a-teacher', 'u-a-teacher2', 'u-far-teacher'])
			await expect(
				sampleEvidenceFile(db, await sessionUser(db, username), sample.id, 1)
			).rejects.toMatchObject({ status: 404 });
		await db.deleteFrom('evidence').where('id', '=', evidenceId).execute();
	});

	it('reads the marks form strictly', () => {
		const form = (entries: [string, string][]) => {
			const f = new FormData();
			for (const [k, v] of entries) f.append(k, v);
			return f;
		};
		expect(
			sampleMarksFromForm(
				form([
					['value-3', '55.5'],
					['value-4', '']
				])
			)
		).toEqual({
			success: true,
			marks: [
				{ criterionId: 3, value: 55.5 },
				{ criterionId: 4, value: null }
			]
		});
		for (const bad of ['101', '-1', '1e3', '0x10', 'abc', 'NaN'])
			expect(sampleMarksFromForm(form([['value-3', bad]])).success).toBe(false);
		expect(sampleMarksFromForm(form([['value-abc', '5']])).success).toBe(false);
		expect(sampleMarksFromForm(form([])).success).toBe(false);
	});
});
