import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';

/** The longest a report waits between two pages for saves (a page is ~10–40 ms of work). */
const MAX_PAUSE_MS = 50;

/**
 * A report's pages (the school CSV's pages, the zip export's learners) step back for saves: before
 * each page, if saves on this server are waiting for their commit, the report waits as long as the
 * time since its last page began (the page's work and its handing on; up to 50 ms), so under a
 * class's saves it takes at most about half of the cores' time, and its database queries with it,
 * and goes on regardless, so it always finishes.
 * With no save waiting it runs at full speed. Nice 19 (report-worker.ts) does this for the
 * worker's own thread; this holds back its queries too, which run in the database's processes at
 * their normal priority.
 */
export function pagesBehindSaves(
	savesWaiting: () => number,
	clock: { now(): number; sleep(ms: number): Promise<unknown> } = {
		now: () => performance.now(),
		sleep
	}
): () => Promise<void> {
	let pageStarted: number | null = null;
	return async () => {
		if (pageStarted !== null && savesWaiting() > 0)
			await clock.sleep(Math.min(MAX_PAUSE_MS, clock.now() - pageStarted));
		else await nextTurn();
		pageStarted = clock.now();
	};
}
