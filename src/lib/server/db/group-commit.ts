import type { Transaction } from 'kysely';
import type { Database } from './schema';
import type { DB } from './connection';
import { writeAnswered, writeQueued } from './pending-writes';

type Work<T> = (trx: Transaction<Database>) => Promise<T>;
interface Job<T> {
	work: Work<T>;
	resolve: (value: T) => void;
	reject: (reason: unknown) => void;
}

const MAX_BATCH = 128;

/**
 * Group commit for small, independent writes (autosaves): those that arrive while the event loop is
 * busy are written in one transaction, so a class moving sliders at once pays for one commit, not
 * thirty. On this machine a commit's write to the WAL cost more than the statement itself (see
 * docs/PERFORMANCE.md). Each caller is answered only after the commit that holds its write, so an
 * acknowledged save is as durable as before. If any write in a batch throws, the batch is rolled
 * back and each write is retried in its own transaction, so one bad write fails alone.
 *
 * A write must use only the transaction it is handed: the database has one connection, held by
 * the batch, so a query on the outer `db` inside `work` would wait for itself.
 */
export class GroupCommit {
	#queue: Job<unknown>[] = [];
	#scheduled = false;
	/** batches committed together, and writes retried alone after a batch failed (for tests) */
	readonly stats = { batches: 0, retriedAlone: 0 };

	constructor(private readonly db: DB) {}

	run<T>(work: Work<T>): Promise<T> {
		writeQueued();
		return new Promise<T>((resolve, reject) => {
			this.#queue.push({ work, resolve, reject } as Job<unknown>);
			this.#schedule();
		}).finally(writeAnswered);
	}

	#schedule() {
		if (this.#scheduled) return;
		this.#scheduled = true;
		// setImmediate: after the requests already read from the sockets have queued their writes.
		setImmediate(() => {
			this.#scheduled = false;
			const batch = this.#queue.splice(0, MAX_BATCH);
			if (this.#queue.length > 0) this.#schedule();
			void this.#commit(batch);
		});
	}

	async #commit(batch: Job<unknown>[]) {
		let results: unknown[];
		try {
			results = await this.db.transaction().execute(async (trx) => {
				const done: unknown[] = [];
				for (const job of batch) done.push(await job.work(trx));
				return done;
			});
		} catch {
			this.stats.retriedAlone += batch.length;
			for (const job of batch) {
				try {
					job.resolve(await this.db.transaction().execute(job.work));
				} catch (problem) {
					job.reject(problem);
				}
			}
			return;
		}
		this.stats.batches++;
		batch.forEach((job, i) => job.resolve(results[i]));
	}
}

const groups = new WeakMap<DB, GroupCommit>();

export function groupCommitOf(db: DB): GroupCommit {
	let group = groups.get(db);
	if (!group) groups.set(db, (group = new GroupCommit(db)));
	return group;
}
