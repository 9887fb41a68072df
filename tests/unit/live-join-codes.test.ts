import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { DB } from '../../src/lib/server/db/connection';
import type { SessionUser } from '../../src/lib/server/auth/sessions';
import {
	formatJoinCode,
	JOIN_CODE_ALPHABET,
	joinCodeFromBytes,
	normaliseJoinCode
} from '../../src/lib/domain/join-codes';
import {
	NO_SESSION_WITH_CODE,
	NOT_A_CODE,
	sessionForJoinCode
} from '../../src/lib/server/live/join-codes';
import {
	liveSessionForLearner,
	liveSessionForTeacher,
	setLiveState,
	startLiveSession
} from '../../src/lib/server/live/live';
import { LIVE_JOIN_CODES_PER_LEARNER } from '../../src/lib/server/limits';
import { Refusal } from '../../src/lib/server/errors';
import { demoDatabase, publishedTask, secondSchool, sessionUser } from './helpers';

describe('join codes (domain)', () => {
	it('use only characters that cannot be mistaken for one another, and no vowels', () => {
		for (const lookAlike of ['0', 'O', '1', 'I', 'L', 'A', 'E', 'U'])
			expect(JOIN_CODE_ALPHABET).not.toContain(lookAlike);
		expect(new Set(JOIN_CODE_ALPHABET).size).toBe(JOIN_CODE_ALPHABET.length);
	});

	it('are drawn without bias: bytes past the last whole multiple of the alphabet are skipped', () => {
		const size = JOIN_CODE_ALPHABET.length; // 28: bytes 252–255 would favour the first four
		const skipped = [252, 253, 254, 255];
		expect(joinCodeFromBytes(new Uint8Array([...skipped, 0, 1, 2, 3, 4, 5]))).toBe(
			JOIN_CODE_ALPHABET.slice(0, 6)
		);
		expect(joinCodeFromBytes(new Uint8Array([size, size + 1, 27, 27, 27, 27]))).toBe('BC' + '9999');
		expect(joinCodeFromBytes(new Uint8Array([0, 1, 2, ...skipped]))).toBeNull();
	});

	it('read what a learner types: any case, spaces or dashes, and nothing that cannot be a code', () => {
		expect(normaliseJoinCode('bcd 234')).toBe('BCD234');
		expect(normaliseJoinCode(' BcD-234 ')).toBe('BCD234');
		expect(normaliseJoinCode('BCD23')).toBeNull();
		expect(normaliseJoinCode('BCD2345')).toBeNull();
		expect(normaliseJoinCode('BCD23O')).toBeNull();
		expect(normaliseJoinCode('BCD231')).toBeNull();
		expect(normaliseJoinCode('')).toBeNull();
		expect(formatJoinCode('BCD234')).toBe('BCD 234');
	});
});

let db: DB;
let schoolId: number;
let teacher: SessionUser;
let criterionId: number;
let taskId: number;

beforeEach(async () => {
	({ db, schoolId } = await demoDatabase());
	teacher = await sessionUser(db, 'teacher');
	const task = await publishedTask(db, schoolId, teacher, ['C1.1']);
	taskId = task.taskId;
	criterionId = task.criteria[0]!.criterionId;
});
afterEach(async () => {
	await db.destroy();
});

const start = (title: string, classId = 1, by = teacher) =>
	startLiveSession(db, by, {
		classId,
		taskId: classId === 1 ? taskId : null,
		criterionId,
		exemplarTitle: title,
		exemplarBody: ''
	});
const codeOf = async (id: number) =>
	(await liveSessionForTeacher(db, teacher, id)).session.joinCode!;

/** The refusal a join attempt met, as the learner would read it. */
async function refusalOf(promise: Promise<unknown>) {
	try {
		await promise;
	} catch (problem) {
		if (problem instanceof Refusal) return { status: problem.status, message: problem.message };
		throw problem;
	}
	throw new Error('joined');
}

describe('join codes (server)', () => {
	it('every session gets a code of the alphabet, different from every other open session’s', async () => {
		const ids = [await start('One'), await start('Two'), await start('Three')];
		const codes = await Promise.all(ids.map(codeOf));
		for (const code of codes) expect(normaliseJoinCode(code)).toBe(code);
		expect(new Set(codes).size).toBe(3);
	});

	it('the database holds a code unique among open sessions, and free again once closed', async () => {
		const first = await start('One');
		const code = await codeOf(first);
		const second = await start('Two');
		const reuse = () =>
			db.updateTable('live_sessions').set({ join_code: code }).where('id', '=', second).execute();
		await expect(reuse()).rejects.toThrow(/UNIQUE|unique constraint/);
		await setLiveState(db, teacher, first, { state: 'closed' });
		await reuse();
		// The open one is found by it, never the closed one.
		expect(await sessionForJoinCode(db, await sessionUser(db, 'student1'), code)).toBe(second);
	});

	it('a learner of the class joins with the code, typed in any case and with a space', async () => {
		const id = await start('One');
		const code = await codeOf(id);
		const learner = await sessionUser(db, 'student1');
		expect(await sessionForJoinCode(db, learner, formatJoinCode(code).toLowerCase())).toBe(id);
		// Revealed is still open to join (to see the reveal); placements are closed there.
		await setLiveState(db, teacher, id, { teacherValue: 50, state: 'revealed' });
		expect(await sessionForJoinCode(db, learner, code)).toBe(id);
	});

	it('a closed session’s code, another class’s, another school’s and an unknown one get the same answer', async () => {
		const closed = await start('Closed');
		const closedCode = await codeOf(closed);
		await setLiveState(db, teacher, closed, { state: 'closed' });
		const open = await start('Open');
		const openCode = await codeOf(open);
		const unknown = [...JOIN_CODE_ALPHABET.slice(0, 6)].join('');
		const same = { status: 404, message: NO_SESSION_WITH_CODE };

		const inClass = await sessionUser(db, 'student1');
		expect(await refusalOf(sessionForJoinCode(db, inClass, closedCode))).toEqual(same);
		if (unknown !== openCode)
			expect(await refusalOf(sessionForJoinCode(db, inClass, unknown))).toEqual(same);
		// student16 is in class 2: the code exists, but not for them.
		expect(
			await refusalOf(sessionForJoinCode(db, await sessionUser(db, 'student16'), openCode))
		).toEqual(same);
		await secondSchool(db);
		expect(
			await refusalOf(sessionForJoinCode(db, await sessionUser(db, 'other-student1'), openCode))
		).toEqual(same);
	});

	it('something that cannot be a code is answered with how a code looks, and not counted', async () => {
		const learner = await sessionUser(db, 'student1');
		expect(await refusalOf(sessionForJoinCode(db, learner, 'hello'))).toEqual({
			status: 400,
			message: NOT_A_CODE
		});
		const counted = await db.selectFrom('work_counts').selectAll().execute();
		expect(counted).toEqual([]);
	});

	it(`past ${LIVE_JOIN_CODES_PER_LEARNER.max} codes tried in ten minutes, even the right code waits (429)`, async () => {
		const id = await start('One');
		const code = await codeOf(id);
		const learner = await sessionUser(db, 'student1');
		const wrong = code === 'BCDFGH' ? 'BCDFGJ' : 'BCDFGH';
		for (let i = 0; i < LIVE_JOIN_CODES_PER_LEARNER.max; i++)
			await sessionForJoinCode(db, learner, wrong).catch(() => {});
		const refused = await refusalOf(sessionForJoinCode(db, learner, code));
		expect(refused.status).toBe(429);
		expect(refused.message).toMatch(/^Too many codes tried\. Wait \d+ minutes?/);
		// Another learner is not held up by it.
		expect(await sessionForJoinCode(db, await sessionUser(db, 'student2'), code)).toBe(id);
	});
});

describe('the teacher’s placement', () => {
	it('is saved by Reveal itself, and closing without a reveal never shows it', async () => {
		const learner = await sessionUser(db, 'student1');
		const hidden = await start('Hidden');
		await setLiveState(db, teacher, hidden, { teacherValue: 90 });
		await setLiveState(db, teacher, hidden, { state: 'closed' });
		const closed = await liveSessionForLearner(db, learner, hidden);
		expect(closed.teacherValue).toBeNull();
		expect(closed.gap).toBeNull();
		expect((await liveSessionForTeacher(db, teacher, hidden)).snapshot.teacherValue).toBeNull();

		const shown = await start('Shown');
		await setLiveState(db, teacher, shown, { teacherValue: 30, state: 'revealed' });
		expect((await liveSessionForLearner(db, learner, shown)).teacherValue).toBe(30);
		// Once revealed it stays as the class saw it; a second Reveal changes nothing.
		await expect(setLiveState(db, teacher, shown, { teacherValue: 80 })).rejects.toThrow(
			/revealed/
		);
		await setLiveState(db, teacher, shown, { state: 'revealed' });
		expect((await liveSessionForLearner(db, learner, shown)).teacherValue).toBe(30);
	});

	it('Reveal without any placement is refused and changes nothing', async () => {
		const id = await start('Unplaced');
		await expect(setLiveState(db, teacher, id, { state: 'revealed' })).rejects.toThrow(
			'Place your own judgement before revealing it.'
		);
		const row = await sql<{
			state: string;
		}>`select state from live_sessions where id = ${id}`.execute(db);
		expect(row.rows[0]!.state).toBe('open');
	});
});
