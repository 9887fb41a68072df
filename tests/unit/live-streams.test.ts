import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DB } from '../../src/lib/server/db/connection';
import {
	createSession,
	generateSessionToken,
	invalidateSession,
	type SessionUser
} from '../../src/lib/server/auth/sessions';
import { startLiveSession, placeLive, setLiveState } from '../../src/lib/server/live/live';
import { learnerLiveStream, teacherLiveStream } from '../../src/lib/server/live/streams';
import { MAX_STREAMS_PER_VIEWER, openStreamCount } from '../../src/lib/server/live/hub';
import { unenrolLearner } from '../../src/lib/server/classes/classes';
import { demoDatabase, publishedTask, sessionUser } from './helpers';

// Found by the red-team pass: a live stream checked its viewer once, when it opened, and then
// kept sending to a signed-out or unenrolled viewer for as long as the connection lasted.

let db: DB;
let schoolId: number;
let teacher: SessionUser;
let liveId: number;
const aborts: AbortController[] = [];

beforeEach(async () => {
	({ db, schoolId } = await demoDatabase());
	teacher = await sessionUser(db, 'teacher');
	const { taskId, criteria } = await publishedTask(db, schoolId, teacher, ['C1.1']);
	liveId = await startLiveSession(db, teacher, {
		classId: 1,
		taskId,
		criterionId: criteria[0]!.criterionId,
		exemplarTitle: 'Exemplar',
		exemplarBody: ''
	});
});
afterEach(async () => {
	for (const a of aborts.splice(0)) a.abort();
	await db.destroy();
});

async function signIn(user: SessionUser) {
	return (await createSession(db, generateSessionToken(), user.id)).id;
}

/** Reads a stream's events as they come; `ended` resolves with all text once the server closes it. */
function reader(response: Response) {
	let text = '';
	const body = response.body!.getReader();
	const decoder = new TextDecoder();
	const ended = (async () => {
		for (;;) {
			const { value, done } = await body.read();
			if (done) return text;
			text += decoder.decode(value);
		}
	})();
	return { ended, text: () => text };
}

function request(authSessionId: string, heartbeatMs?: number) {
	const abort = new AbortController();
	aborts.push(abort);
	return { authSessionId, signal: abort.signal, once: false, heartbeatMs };
}

const within = <T>(promise: Promise<T>, ms: number) =>
	Promise.race([
		promise,
		new Promise<never>((_, reject) => setTimeout(() => reject(new Error('still open')), ms))
	]);

describe('live event streams', () => {
	it('end soon after the viewer signs out, and send nothing more', async () => {
		const learner = await sessionUser(db, 'student1');
		const authSessionId = await signIn(learner);
		const stream = reader(await learnerLiveStream(db, learner, liveId, request(authSessionId)));
		await expect.poll(() => stream.text()).toContain('event: update');
		await invalidateSession(db, authSessionId);
		const text = await within(stream.ended, 2_000);
		expect(text).toContain('event: ended\ndata: {"reason":"no-access"}');
		expect(text.match(/event: update/g)).toHaveLength(1);
	});

	it('end at the next heartbeat once the learner has left the class', async () => {
		const learner = await sessionUser(db, 'student1');
		const stream = reader(
			await learnerLiveStream(db, learner, liveId, request(await signIn(learner), 50))
		);
		await expect.poll(() => stream.text()).toContain('event: update');
		await unenrolLearner(db, schoolId, teacher.id, 1, learner.id);
		expect(await within(stream.ended, 2_000)).toContain('"reason":"no-access"');
	});

	it('a projector stops receiving placements when its teacher is signed out', async () => {
		const authSessionId = await signIn(teacher);
		const stream = reader(await teacherLiveStream(db, teacher, liveId, request(authSessionId)));
		await expect.poll(() => stream.text()).toContain('"placed":0');
		await invalidateSession(db, authSessionId);
		await new Promise((resolve) => setTimeout(resolve, 400));
		await placeLive(db, await sessionUser(db, 'student2'), liveId, 70);
		const text = await within(stream.ended, 2_000);
		expect(text).not.toContain('"placed":1');
	});

	it(`keep at most ${MAX_STREAMS_PER_VIEWER} open per person: a new one ends the oldest`, async () => {
		const learner = await sessionUser(db, 'student1');
		const authSessionId = await signIn(learner);
		const streams = [];
		for (let i = 0; i <= MAX_STREAMS_PER_VIEWER; i++)
			streams.push(reader(await learnerLiveStream(db, learner, liveId, request(authSessionId))));
		expect(await within(streams[0]!.ended, 2_000)).toContain('"reason":"replaced"');
		expect(openStreamCount(learner.id)).toBe(MAX_STREAMS_PER_VIEWER);
	});

	it('a learner with the session open counts as joined on the projector, once, until they leave or place', async () => {
		const projector = reader(
			await teacherLiveStream(db, teacher, liveId, request(await signIn(teacher)))
		);
		await expect.poll(() => projector.text()).toContain('"joined":0');
		const learner = await sessionUser(db, 'student1');
		const authSessionId = await signIn(learner);
		const first = request(authSessionId);
		await learnerLiveStream(db, learner, liveId, first);
		// A second tab of the same learner is the same person.
		await learnerLiveStream(db, learner, liveId, request(authSessionId));
		await expect.poll(() => projector.text()).toContain('"joined":1');
		expect(projector.text()).not.toContain('"joined":2');
		for (const a of aborts.slice(1)) a.abort();
		await expect.poll(() => projector.text().split('event: update').at(-1)).toContain('"joined":0');
		// Whoever placed has joined, here now or not.
		await placeLive(db, await sessionUser(db, 'student2'), liveId, 70);
		await expect.poll(() => projector.text().split('event: update').at(-1)).toContain('"joined":1');
	});

	it('closing the session sends every viewer `ended` (closed) after the closed picture', async () => {
		const learner = await sessionUser(db, 'student1');
		const stream = reader(
			await learnerLiveStream(db, learner, liveId, request(await signIn(learner)))
		);
		await expect.poll(() => stream.text()).toContain('event: update');
		await setLiveState(db, teacher, liveId, { state: 'closed' });
		const text = await within(stream.ended, 2_000);
		expect(text).toMatch(/"state":"closed".*\n\nevent: ended\ndata: \{"reason":"closed"\}/s);
	});
});
