import { lockForTransaction } from '../db/dialect';
import type { DB } from '../db/connection';
import type { SessionUser } from '../auth/sessions';
import { requireClassAccess } from '../auth/guards';
import { recordAudit } from '../audit';
import { descriptorsFor } from '../tasks/task-criteria';
import { nowIso } from '../clock';
import { scaleBands } from '../scales/scales';
import { bandCounts } from '../../domain/moderation';
import { describeJudgementGap } from '../../domain/feedback';
import { learnersHere, publishLive } from './hub';
import { drawJoinCode } from './join-codes';
import { Refusal } from '../errors';
import { NEUTRAL_COLOUR } from '../../domain/frameworks';
import { OPEN_LIVE_SESSIONS_PER_CLASS } from '../limits';

async function requireSession(
	db: DB,
	user: SessionUser,
	sessionId: number,
	purpose: 'teach' | 'learn'
) {
	const session = await db
		.selectFrom('live_sessions')
		.innerJoin('classes', 'classes.id', 'live_sessions.class_id')
		.selectAll('live_sessions')
		.select(['classes.name as className'])
		.where('live_sessions.id', '=', sessionId)
		.where('classes.school_id', '=', user.schoolId)
		.executeTakeFirst();
	if (!session) throw new Refusal('That live session does not exist.', 404);
	await requireClassAccess(db, user, session.class_id, purpose);
	return session;
}

async function criterionCard(db: DB, criterionId: number) {
	const criterion = await db
		.selectFrom('criteria')
		.innerJoin('framework_items as sub', 'sub.id', 'criteria.capri_item_id')
		.innerJoin('framework_items as category', 'category.id', 'sub.parent_id')
		.select([
			'criteria.id',
			'criteria.code',
			'criteria.title',
			'criteria.description',
			'criteria.scale_id as scaleId',
			'category.colour',
			'category.code as categoryCode',
			'category.title as categoryTitle'
		])
		.where('criteria.id', '=', criterionId)
		.executeTakeFirstOrThrow();
	const [bands, descriptors] = await Promise.all([
		scaleBands(db, criterion.scaleId),
		descriptorsFor(db, [criterionId])
	]);
	return {
		bands: bands.map((b) => ({ label: b.label, minValue: b.minValue })),
		criterion: {
			criterionId,
			code: criterion.code,
			title: criterion.title,
			description: criterion.description,
			colour: criterion.colour ?? NEUTRAL_COLOUR,
			categoryTitle: `${criterion.categoryCode} ${criterion.categoryTitle}`,
			descriptors: bands.map((_, i) => descriptors.get(criterionId)?.[i] ?? '')
		}
	};
}

/**
 * What the projector shows: how many have joined (placed, or have the session open now), anonymous
 * counts per band, and the teacher's placement once revealed (never before: closing without a
 * reveal keeps it hidden).
 */
export async function liveSnapshot(db: DB, sessionId: number, bands: { minValue: number }[]) {
	const [session, placements] = await Promise.all([
		db
			.selectFrom('live_sessions')
			.select(['state', 'teacher_value', 'revealed_at'])
			.where('id', '=', sessionId)
			.executeTakeFirstOrThrow(),
		db
			.selectFrom('live_placements')
			.select(['value', 'learner_id'])
			.where('session_id', '=', sessionId)
			.execute()
	]);
	// Joined: everyone who has placed, and anyone with the session open now who has not yet.
	const joined = learnersHere(sessionId);
	for (const p of placements) joined.add(p.learner_id);
	return {
		state: session.state,
		joined: joined.size,
		placed: placements.length,
		counts: bandCounts(
			bands,
			placements.map((p) => p.value)
		),
		teacherValue: session.revealed_at === null ? null : session.teacher_value
	};
}

export async function liveSessionOptions(db: DB, teacher: SessionUser, taskId: number | null) {
	const classes = await db
		.selectFrom('classes')
		.select(['classes.id', 'classes.name'])
		.where('classes.school_id', '=', teacher.schoolId)
		.$if(!teacher.roles.includes('admin'), (qb) =>
			qb.where((eb) =>
				eb.exists(
					eb
						.selectFrom('class_teachers')
						.select('class_teachers.class_id')
						.whereRef('class_teachers.class_id', '=', 'classes.id')
						.where('class_teachers.teacher_id', '=', teacher.id)
				)
			)
		)
		.orderBy('classes.name')
		.execute();
	const task = taskId
		? await db
				.selectFrom('tasks')
				.select(['id', 'class_id', 'title'])
				.where('id', '=', taskId)
				.executeTakeFirst()
		: undefined;
	const criteria = await db
		.selectFrom('criteria')
		.select(['id', 'code', 'title'])
		.where('school_id', '=', teacher.schoolId)
		.where('superseded_at', 'is', null)
		.$if(Boolean(task && classes.some((c) => c.id === task.class_id)), (qb) =>
			qb.where('id', 'in', (eb) =>
				eb.selectFrom('task_criteria').select('criterion_id').where('task_id', '=', task!.id)
			)
		)
		.orderBy('code')
		.execute();
	// Sessions still open in these classes, so a teacher at a class's limit can find one to close.
	const openSessions = await db
		.selectFrom('live_sessions')
		.innerJoin('classes', 'classes.id', 'live_sessions.class_id')
		.select([
			'live_sessions.id',
			'live_sessions.exemplar_title as exemplarTitle',
			'live_sessions.state',
			'classes.name as className'
		])
		.where('classes.school_id', '=', teacher.schoolId)
		.$if(!teacher.roles.includes('admin'), (qb) =>
			qb.where((eb) =>
				eb.exists(
					eb
						.selectFrom('class_teachers')
						.select('class_teachers.class_id')
						.whereRef('class_teachers.class_id', '=', 'classes.id')
						.where('class_teachers.teacher_id', '=', teacher.id)
				)
			)
		)
		.where('live_sessions.state', '!=', 'closed')
		.orderBy('classes.name')
		.orderBy('live_sessions.id')
		.execute();
	return {
		classes,
		criteria,
		task: task && classes.some((c) => c.id === task.class_id) ? task : null,
		openSessions,
		openLimit: OPEN_LIVE_SESSIONS_PER_CLASS
	};
}

export async function startLiveSession(
	db: DB,
	teacher: SessionUser,
	input: {
		classId: number;
		taskId: number | null;
		criterionId: number;
		exemplarTitle: string;
		exemplarBody: string;
	}
) {
	await requireClassAccess(db, teacher, input.classId, 'teach');
	const criterion = await db
		.selectFrom('criteria')
		.select('id')
		.where('id', '=', input.criterionId)
		.where('school_id', '=', teacher.schoolId)
		.executeTakeFirst();
	if (!criterion) throw new Refusal('Choose a criterion from your school’s bank.', 404);
	if (input.taskId !== null) {
		const task = await db
			.selectFrom('tasks')
			.select('id')
			.where('id', '=', input.taskId)
			.where('class_id', '=', input.classId)
			.executeTakeFirst();
		if (!task) input.taskId = null;
	}
	return db.transaction().execute(async (trx) => {
		// The row first: on SQLite it takes the write lock, so two starts at once are counted one
		// after the other (on PostgreSQL the class's lock does); the refusal below rolls it back.
		await lockForTransaction(trx, `live-start:${input.classId}`);
		const { id } = await trx
			.insertInto('live_sessions')
			.values({
				class_id: input.classId,
				task_id: input.taskId,
				criterion_id: input.criterionId,
				exemplar_title: input.exemplarTitle,
				exemplar_body: input.exemplarBody,
				started_by: teacher.id,
				started_at: nowIso(),
				join_code: await drawJoinCode(trx)
			})
			.returning('id')
			.executeTakeFirstOrThrow();
		const open = await trx
			.selectFrom('live_sessions')
			.select(['id', 'exemplar_title'])
			.where('class_id', '=', input.classId)
			.where('state', '!=', 'closed')
			.where('id', '!=', id)
			.orderBy('id')
			.execute();
		if (open.length >= OPEN_LIVE_SESSIONS_PER_CLASS)
			throw new Refusal(
				`This class already has ${open.length} live sessions open (${open
					.map((o) => `“${o.exemplar_title}”`)
					.join(', ')}), the most one class can. Close one before starting another.`,
				409
			);
		await recordAudit(trx, {
			schoolId: teacher.schoolId,
			actorId: teacher.id,
			action: 'live.start',
			entityType: 'live_session',
			entityId: String(id)
		});
		return id;
	});
}

export async function liveSessionForTeacher(db: DB, teacher: SessionUser, sessionId: number) {
	const session = await requireSession(db, teacher, sessionId, 'teach');
	const card = await criterionCard(db, session.criterion_id);
	return {
		session: {
			id: session.id,
			className: session.className,
			exemplarTitle: session.exemplar_title,
			exemplarBody: session.exemplar_body,
			state: session.state,
			teacherValue: session.teacher_value,
			joinCode: session.join_code
		},
		...card,
		snapshot: await liveSnapshot(db, sessionId, card.bands)
	};
}

export async function setLiveState(
	db: DB,
	teacher: SessionUser,
	sessionId: number,
	change: { teacherValue?: number; state?: 'revealed' | 'closed' }
) {
	const session = await requireSession(db, teacher, sessionId, 'teach');
	if (session.state === 'closed') throw new Refusal('This session is closed.', 409);
	if (session.state === 'revealed') {
		// A second click on Reveal changes nothing; the revealed placement itself stays as shown.
		if (change.state === 'revealed') return;
		if (change.teacherValue !== undefined)
			throw new Refusal('Your placement is revealed to the class and can no longer change.', 409);
	}
	if (
		change.state === 'revealed' &&
		change.teacherValue === undefined &&
		session.teacher_value === null
	) {
		throw new Refusal('Place your own judgement before revealing it.', 409);
	}
	await db.transaction().execute(async (trx) => {
		const now = nowIso();
		await trx
			.updateTable('live_sessions')
			.set({
				...(change.teacherValue !== undefined ? { teacher_value: change.teacherValue } : {}),
				...(change.state ? { state: change.state } : {}),
				...(change.state === 'revealed' ? { revealed_at: now } : {}),
				...(change.state === 'closed' ? { closed_at: now } : {})
			})
			.where('id', '=', sessionId)
			.execute();
		if (change.state)
			await recordAudit(trx, {
				schoolId: teacher.schoolId,
				actorId: teacher.id,
				action: `live.${change.state}`,
				entityType: 'live_session',
				entityId: String(sessionId)
			});
	});
	publishLive(sessionId);
}

export async function openLiveSessionsFor(db: DB, learner: SessionUser) {
	return db
		.selectFrom('live_sessions')
		.innerJoin('enrolments', 'enrolments.class_id', 'live_sessions.class_id')
		.innerJoin('classes', 'classes.id', 'live_sessions.class_id')
		.select([
			'live_sessions.id',
			'live_sessions.exemplar_title as exemplarTitle',
			'live_sessions.state',
			'classes.name as className',
			'live_sessions.started_at as startedAt'
		])
		.where('enrolments.learner_id', '=', learner.id)
		.where('live_sessions.state', '!=', 'closed')
		.orderBy('live_sessions.id', 'desc')
		.execute();
}

export async function liveSessionForLearner(db: DB, learner: SessionUser, sessionId: number) {
	const session = await requireSession(db, learner, sessionId, 'learn');
	const [card, mine, tookPart] = await Promise.all([
		criterionCard(db, session.criterion_id),
		db
			.selectFrom('live_placements')
			.select('value')
			.where('session_id', '=', sessionId)
			.where('learner_id', '=', learner.id)
			.executeTakeFirst(),
		db
			.selectFrom('live_placements')
			.select((eb) => eb.fn.countAll<number>().as('count'))
			.where('session_id', '=', sessionId)
			.executeTakeFirstOrThrow()
	]);
	// Only a reveal shows the teacher's placement: closing without one keeps it hidden.
	const revealed = session.revealed_at !== null && session.teacher_value !== null;
	return {
		session: {
			id: session.id,
			className: session.className,
			exemplarTitle: session.exemplar_title,
			exemplarBody: session.exemplar_body,
			state: session.state
		},
		...card,
		/** How many placed the exemplar: the closed session's summary (a count, never who). */
		tookPart: Number(tookPart.count),
		myValue: mine?.value ?? null,
		teacherValue: revealed ? session.teacher_value : null,
		gap:
			revealed && mine ? describeJudgementGap(card.bands, mine.value, session.teacher_value!) : null
	};
}

/**
 * A learner's placement on the exemplar: kept as calibration data; the projector updates at once.
 */
export async function placeLive(db: DB, learner: SessionUser, sessionId: number, value: number) {
	const session = await requireSession(db, learner, sessionId, 'learn');
	if (session.state !== 'open')
		throw new Refusal(
			session.state === 'closed'
				? 'This live session is closed.'
				: 'Placements are closed: your teacher has revealed their judgement.',
			409
		);
	await db
		.insertInto('live_placements')
		.values({ session_id: sessionId, learner_id: learner.id, value, updated_at: nowIso() })
		.onConflict((oc) =>
			oc.columns(['session_id', 'learner_id']).doUpdateSet({ value, updated_at: nowIso() })
		)
		.execute();
	publishLive(sessionId);
}

/** For a learner's own event stream: state and, once revealed, the teacher's placement. */
export async function learnerLiveSnapshot(db: DB, sessionId: number) {
	const session = await db
		.selectFrom('live_sessions')
		.select(['state', 'teacher_value', 'revealed_at'])
		.where('id', '=', sessionId)
		.executeTakeFirstOrThrow();
	return {
		state: session.state,
		teacherValue: session.revealed_at === null ? null : session.teacher_value
	};
}

export { requireSession as requireLiveSession };
