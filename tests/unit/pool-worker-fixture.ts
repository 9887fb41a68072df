// A worker for tests/unit/report-workers.test.ts: tasks that answer, refuse, crash, hang or stream
// without end, to exercise the pool itself (workers/pool.ts) apart from any report.
import { threadId } from 'node:worker_threads';
import { serveTasks } from '../../src/lib/server/workers/pool';

serveTasks({
	run: {
		echo: async (payload: { text: string }, context) => {
			context.progress('halfway');
			return { text: payload.text, threadId };
		},
		bytes: async (payload: { size: number }) => new Uint8Array(payload.size).fill(7),
		refuse: async () => {
			throw Object.assign(new Error('That export does not exist.'), { status: 404 });
		},
		exit: async () => process.exit(3),
		throwLater: async () => {
			setTimeout(() => {
				throw new Error('an error no task caught');
			});
			return new Promise(() => {});
		},
		wait: () => new Promise(() => {}),
		spin: async () => {
			for (;;);
		}
	},
	stream: {
		// Never ends: without back-pressure it would fill the main thread's memory.
		counting: () => {
			let made = 0;
			return {
				async next() {
					made++;
					return { done: false, value: new TextEncoder().encode(`${made}\n`) };
				}
			};
		},
		failAfterOne: () => {
			let made = 0;
			return {
				async next() {
					if (made++ === 0) return { done: false, value: new TextEncoder().encode('first\n') };
					throw new Error('the second page could not be read');
				}
			};
		},
		failAtOnce: () => ({
			async next(): Promise<IteratorResult<Uint8Array>> {
				throw Object.assign(new Error('No such class.'), { status: 404 });
			}
		})
	}
});
