import { describe, expect, it } from 'vitest';
import { pagesBehindSaves } from '../../src/lib/server/workers/pacing';
import { groupCommitOf } from '../../src/lib/server/db/group-commit';
import { pendingWritesBuffer, pendingWritesIn } from '../../src/lib/server/db/pending-writes';
import { openDatabase } from '../../src/lib/server/db/connection';

/** A clock that moves only when told, recording each pause asked for. */
function fakeClock() {
	let now = 0;
	const pauses: number[] = [];
	return {
		pauses,
		advance: (ms: number) => (now += ms),
		now: () => now,
		sleep: async (ms: number) => {
			pauses.push(ms);
			now += ms;
		}
	};
}

describe('a report’s pages behind saves (issue 16)', () => {
	it('wait as long as the last page took while saves wait, at most 50 ms, and never when none do', async () => {
		let waiting = 0;
		const clock = fakeClock();
		const beforePage = pagesBehindSaves(() => waiting, clock);
		waiting = 3;
		await beforePage(); // the first page: nothing measured yet, no pause
		clock.advance(12);
		await beforePage();
		clock.advance(80);
		await beforePage();
		waiting = 0;
		clock.advance(20);
		await beforePage();
		expect(clock.pauses).toEqual([12, 50]);
	});

	it('count a save from its queueing until it is answered, failed or not', async () => {
		const savesWaiting = pendingWritesIn(pendingWritesBuffer);
		const db = openDatabase(':memory:');
		const group = groupCommitOf(db);
		expect(savesWaiting()).toBe(0);
		const saved = group.run(
			async (trx) => (await trx.selectNoFrom((eb) => eb.val(1).as('one')).execute()).length
		);
		const failed = group.run(async () => {
			throw new Error('refused');
		});
		expect(savesWaiting()).toBe(2);
		expect(await saved).toBe(1);
		await expect(failed).rejects.toThrow('refused');
		expect(savesWaiting()).toBe(0);
		await db.destroy();
	});
});
