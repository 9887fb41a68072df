/**
 * How many group-commit writes (autosaves) this server has waiting for their commit, in memory the
 * report workers share: a report reads it between pages and steps back while saves wait (see
 * `workers/pacing.ts`). One counter per process, whatever the database.
 */
export const pendingWritesBuffer = new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT);
const pending = new Int32Array(pendingWritesBuffer);

export function writeQueued(): void {
	Atomics.add(pending, 0, 1);
}

export function writeAnswered(): void {
	Atomics.sub(pending, 0, 1);
}

/** The count as another thread sees it, from the shared buffer it was handed. */
export function pendingWritesIn(buffer: SharedArrayBuffer): () => number {
	const view = new Int32Array(buffer);
	return () => Atomics.load(view, 0);
}
