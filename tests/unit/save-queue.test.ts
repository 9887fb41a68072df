import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
	SaveConflict,
	SaveFailure,
	SaveQueue,
	type SaveSnapshot
} from '../../src/lib/autosave/save-queue';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

function queueWith(send: (key: string, payload: Record<string, unknown>) => Promise<void>) {
	const states: SaveSnapshot['state'][] = [];
	const queue = new SaveQueue({
		send,
		debounceMs: 500,
		retryDelaysMs: [1000, 2000],
		onChange: (s) => states.push(s.state)
	});
	return { queue, states };
}

describe('autosave queue', () => {
	it('debounces and merges changes to the same key into one request', async () => {
		const sent: [string, Record<string, unknown>][] = [];
		const { queue } = queueWith(async (key, payload) => void sent.push([key, payload]));
		queue.update('c1', { value: 10 });
		queue.update('c1', { value: 20 });
		queue.update('c1', { comment: 'why' });
		expect(sent).toEqual([]);
		await vi.advanceTimersByTimeAsync(500);
		expect(sent).toEqual([['c1', { value: 20, comment: 'why' }]]);
		expect(queue.current.state).toBe('saved');
		expect(queue.hasUnsaved).toBe(false);
	});

	it('retries a failed save with back-off and never drops it', async () => {
		let calls = 0;
		const landed: Record<string, unknown>[] = [];
		const { queue, states } = queueWith(async (_key, payload) => {
			calls++;
			if (calls <= 2) throw new SaveFailure('The server had a problem.', true);
			landed.push(payload);
		});
		queue.update('c1', { value: 42 });
		await vi.advanceTimersByTimeAsync(500);
		expect(queue.current.state).toBe('retrying');
		expect(queue.current.message).toBe('The server had a problem.');
		expect(queue.hasUnsaved).toBe(true);
		await vi.advanceTimersByTimeAsync(999);
		expect(calls).toBe(1);
		await vi.advanceTimersByTimeAsync(1);
		expect(calls).toBe(2); // second failure: next wait is 2 s
		await vi.advanceTimersByTimeAsync(2000);
		expect(calls).toBe(3);
		expect(landed).toEqual([{ value: 42 }]);
		expect(states.at(-1)).toBe('saved');
	});

	it('a change typed while a save is failing wins over the failed one', async () => {
		let fail = true;
		const landed: Record<string, unknown>[] = [];
		const { queue } = queueWith(async (_key, payload) => {
			if (fail) throw new SaveFailure('offline', true);
			landed.push(payload);
		});
		queue.update('c1', { value: 10, comment: 'first' });
		await vi.advanceTimersByTimeAsync(500);
		queue.update('c1', { value: 30 });
		fail = false;
		await vi.advanceTimersByTimeAsync(1000);
		expect(landed).toEqual([{ value: 30, comment: 'first' }]);
	});

	it('stops retrying when the server refuses, keeps the change, and says why', async () => {
		let calls = 0;
		const { queue } = queueWith(async () => {
			calls++;
			throw new SaveFailure('This self-assessment is locked.', false);
		});
		queue.update('c1', { value: 10 });
		await vi.advanceTimersByTimeAsync(500);
		await vi.advanceTimersByTimeAsync(60_000);
		expect(calls).toBe(1);
		expect(queue.current).toMatchObject({
			state: 'failed',
			message: 'This self-assessment is locked.'
		});
		expect(queue.hasUnsaved).toBe(true);
	});

	it('flush sends at once and resolves only when everything is saved; it rejects on failure', async () => {
		const sent: string[] = [];
		const { queue } = queueWith(async (key) => void sent.push(key));
		queue.update('a', { x: 1 });
		queue.update('b', { x: 2 });
		await queue.flush();
		expect(sent).toEqual(['a', 'b']);

		const failing = queueWith(async () => {
			throw new SaveFailure('offline', true);
		}).queue;
		failing.update('a', { x: 1 });
		await expect(failing.flush()).rejects.toThrow('offline');
		expect(failing.hasUnsaved).toBe(true);
	});

	it('treats an unexpected error (network) as worth retrying', async () => {
		let calls = 0;
		const { queue } = queueWith(async () => {
			calls++;
			if (calls === 1) throw new TypeError('fetch failed');
		});
		queue.update('a', { x: 1 });
		await vi.advanceTimersByTimeAsync(500);
		expect(queue.current.state).toBe('retrying');
		await vi.advanceTimersByTimeAsync(1000);
		expect(queue.current.state).toBe('saved');
	});
});

/**
 * A fake server holding one revision per key: it saves only on the right base (like the server's
 * one UPDATE with the revision in its WHERE) and answers a stale base with its current version.
 */
function fakeServer(start: Record<string, { revision: number } & Record<string, unknown>>) {
	const stored = structuredClone(start);
	const sent: { key: string; payload: Record<string, unknown>; base: number }[] = [];
	const send = async (key: string, payload: Record<string, unknown>, base: number) => {
		sent.push({ key, payload, base });
		const row = stored[key] ?? { revision: 0 };
		if (row.revision !== base)
			throw new SaveConflict('This was changed in another tab or device.', { ...row });
		stored[key] = { ...row, ...payload, revision: row.revision + 1 };
		return { revision: row.revision + 1 };
	};
	return { stored, sent, send };
}

describe('autosave queue: conflicts between tabs or devices', () => {
	it('sends the revision each key was loaded with, then the one the server confirmed', async () => {
		const server = fakeServer({ c1: { value: 10, revision: 4 } });
		const queue = new SaveQueue({ send: server.send, debounceMs: 500, revisions: { c1: 4 } });
		queue.update('c1', { value: 20 });
		await vi.advanceTimersByTimeAsync(500);
		queue.update('c1', { value: 30 });
		queue.update('c2', { value: 5 });
		await vi.advanceTimersByTimeAsync(500);
		expect(server.sent.map((s) => [s.key, s.base])).toEqual([
			['c1', 4],
			['c1', 5],
			['c2', 0]
		]);
		expect(queue.revisionOf('c1')).toBe(6);
		expect(queue.current.state).toBe('saved');
	});

	it('a stale save is not retried: it is kept beside the server’s version, and other keys still save', async () => {
		const server = fakeServer({ c1: { value: 80, comment: 'From tab B', revision: 2 } });
		const states: SaveSnapshot['state'][] = [];
		const queue = new SaveQueue({
			send: server.send,
			debounceMs: 500,
			retryDelaysMs: [1000],
			revisions: { c1: 1 },
			onChange: (s) => states.push(s.state)
		});
		queue.update('c1', { comment: 'From tab A' });
		queue.update('c2', { value: 40 });
		await vi.advanceTimersByTimeAsync(500);
		expect(queue.current).toMatchObject({
			state: 'conflict',
			message: 'This was changed in another tab or device.',
			unsaved: 1,
			conflicts: [
				{
					key: 'c1',
					mine: { comment: 'From tab A' },
					theirs: { value: 80, comment: 'From tab B' },
					revision: 2
				}
			]
		});
		expect(server.stored.c2).toMatchObject({ value: 40, revision: 1 });
		// No blind retry, and the server still holds B's version.
		await vi.advanceTimersByTimeAsync(60_000);
		expect(server.sent.filter((s) => s.key === 'c1')).toHaveLength(1);
		expect(server.stored.c1).toEqual({ value: 80, comment: 'From tab B', revision: 2 });
		expect(queue.hasUnsaved).toBe(true);
		await expect(queue.flush()).rejects.toThrow('another tab or device');
		expect(states).not.toContain('retrying');
	});

	it('“Keep mine” resends the person’s version, with anything typed since, on the server’s revision', async () => {
		const server = fakeServer({ c1: { value: 80, comment: 'From tab B', revision: 2 } });
		const queue = new SaveQueue({ send: server.send, debounceMs: 500, revisions: { c1: 1 } });
		queue.update('c1', { comment: 'From tab A' });
		await vi.advanceTimersByTimeAsync(500);
		queue.update('c1', { comment: 'From tab A, and more' }); // typed while choosing
		await vi.advanceTimersByTimeAsync(5_000);
		expect(server.sent).toHaveLength(1); // held, not sent stale
		const untouched = queue.keepMine('c1');
		expect(untouched).toEqual({ value: 80 }); // the server's slider stays beside the kept comment
		await vi.advanceTimersByTimeAsync(0);
		expect(server.sent.at(-1)).toEqual({
			key: 'c1',
			payload: { comment: 'From tab A, and more' },
			base: 2
		});
		expect(server.stored.c1).toEqual({ value: 80, comment: 'From tab A, and more', revision: 3 });
		expect(queue.current).toMatchObject({ state: 'saved', conflicts: [], unsaved: 0 });
		expect(queue.hasUnsaved).toBe(false);
	});

	it('“Use the other” drops the person’s change, returns the server’s version and saves on from it', async () => {
		const server = fakeServer({ reflection: { text: 'From the phone', revision: 3 } });
		const queue = new SaveQueue({
			send: server.send,
			debounceMs: 500,
			revisions: { reflection: 2 }
		});
		queue.update('reflection', { text: 'From the laptop' });
		await vi.advanceTimersByTimeAsync(500);
		expect(queue.current.state).toBe('conflict');
		expect(queue.useTheirs('reflection')).toEqual({ text: 'From the phone' });
		expect(queue.current).toMatchObject({ state: 'saved', conflicts: [], unsaved: 0 });
		expect(server.stored.reflection).toEqual({ text: 'From the phone', revision: 3 });
		queue.update('reflection', { text: 'From the phone, then the laptop' });
		await vi.advanceTimersByTimeAsync(500);
		expect(server.sent.at(-1)?.base).toBe(3);
		expect(server.stored.reflection).toEqual({
			text: 'From the phone, then the laptop',
			revision: 4
		});
	});
});

describe('changes kept on the device until the server has them', () => {
	it('reports every unacknowledged change with its base, and nothing once saved', async () => {
		const copies: unknown[] = [];
		let release = () => {};
		const queue = new SaveQueue({
			send: () => new Promise<void>((resolve) => (release = resolve)),
			debounceMs: 500,
			revisions: { c1: 3 },
			onUnsaved: (changes) => copies.push(changes)
		});
		queue.update('c1', { value: 40 });
		expect(copies.at(-1)).toEqual([{ key: 'c1', fields: { value: 40 }, baseRevision: 3 }]);
		await vi.advanceTimersByTimeAsync(500);
		queue.update('c1', { comment: 'typed while saving' });
		// In flight and typed since: both still only on the device.
		expect(copies.at(-1)).toEqual([
			{ key: 'c1', fields: { value: 40, comment: 'typed while saving' }, baseRevision: 3 }
		]);
		release();
		await vi.advanceTimersByTimeAsync(500);
		release();
		await vi.advanceTimersByTimeAsync(0);
		expect(copies.at(-1)).toEqual([]);
	});

	it('sends restored changes on the revision they were based on', async () => {
		const sent: [string, unknown, number][] = [];
		const queue = new SaveQueue({
			send: async (key, payload, base) => void sent.push([key, payload, base]),
			debounceMs: 500,
			revisions: { c1: 7 }
		});
		queue.restore([{ key: 'c1', fields: { comment: 'from before the crash' }, baseRevision: 5 }]);
		expect(queue.current.state).toBe('pending');
		await vi.advanceTimersByTimeAsync(500);
		expect(sent).toEqual([['c1', { comment: 'from before the crash' }, 5]]);
	});

	it('a restored change the server already holds is not a conflict; a different one is', async () => {
		const queue = new SaveQueue({
			send: async (key) => {
				if (key === 'same') throw new SaveConflict('changed', { revision: 6, comment: 'kept' });
				throw new SaveConflict('changed', { revision: 9, comment: 'someone else’s' });
			},
			debounceMs: 500
		});
		queue.restore([
			{ key: 'same', fields: { comment: 'kept' }, baseRevision: 5 },
			{ key: 'other', fields: { comment: 'mine' }, baseRevision: 5 }
		]);
		await vi.advanceTimersByTimeAsync(500);
		expect(queue.current.conflicts.map((c) => c.key)).toEqual(['other']);
		expect(queue.revisionOf('same')).toBe(6);
	});

	it('says when the session ended, so the screen can offer to sign in in place', async () => {
		const queue = new SaveQueue({
			send: async () => {
				throw new SaveFailure('You have been signed out.', false, true);
			},
			debounceMs: 500
		});
		queue.update('c1', { value: 1 });
		await vi.advanceTimersByTimeAsync(500);
		expect(queue.current).toMatchObject({ state: 'failed', signedOut: true });
		expect(queue.unsavedChanges()).toHaveLength(1);
	});
});
