import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SaveFailure, SaveQueue, type SaveSnapshot } from '../../src/lib/autosave/save-queue';

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
