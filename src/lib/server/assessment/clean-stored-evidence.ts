import { readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sql } from 'kysely';
import type { DB } from '../db/connection';
import { nowIso } from '../clock';
import { Refusal } from '../errors';
import { cleanEvidenceFile } from './clean-evidence';
import { uploadsDirectory } from './evidence';

export interface StoredEvidenceCleaning {
	/** Files re-cleaned now (their bytes replaced by the cleaned ones, marked `cleaned_at`). */
	cleaned: number;
	/** Files that could not be cleaned (damaged, encrypted): kept, withheld from peer reviewers. */
	uncleanable: number;
	/** Rows whose file is missing from storage: nothing there to clean. */
	missing: number;
}

/** Files read and cleaned per round: one query per round, and a few files' bytes in memory. */
const CHUNK = 50;

/**
 * The one-off clean-up of evidence stored before uploads were cleaned: every file not yet marked
 * `cleaned_at` is cleaned the way an upload is (`cleanEvidenceFile`), written over the stored file
 * (atomically: a temporary file renamed into place) and marked, one file at a time, so a run that is
 * stopped resumes where it stopped and a second run finds nothing to do. Run at every start after
 * the migrations (`setup/first-run.ts`) and by `npm run clean-evidence`.
 *
 * Files that cannot be cleaned or are missing stay unmarked (each run tries them again, cheaply);
 * the walk goes by id, so it ends however many of them there are.
 */
export async function cleanStoredEvidence(
	db: DB,
	options: { chunkSize?: number; onProblem?: (evidenceId: number, problem: string) => void } = {}
): Promise<StoredEvidenceCleaning> {
	const outcome: StoredEvidenceCleaning = { cleaned: 0, uncleanable: 0, missing: 0 };
	let after = 0;
	for (;;) {
		const batch = await db
			.selectFrom('evidence')
			.select(['id', 'storage_key as storageKey', 'file_mime as mime'])
			// Literal, so SQLite matches the partial index evidence_not_cleaned (migration 0008).
			.where('kind', '=', sql.lit('file'))
			.where('cleaned_at', 'is', null)
			.where('id', '>', after)
			.orderBy('id')
			.limit(options.chunkSize ?? CHUNK)
			.execute();
		if (!batch.length) return outcome;
		after = batch.at(-1)!.id;
		const directory = uploadsDirectory(); // only when there is work: it makes the folder
		for (const item of batch) {
			if (!item.storageKey || !item.mime) continue;
			const path = join(directory, item.storageKey);
			const bytes = await readFile(path).catch(() => null);
			if (!bytes) {
				outcome.missing++;
				options.onProblem?.(item.id, 'the file is missing from storage');
				continue;
			}
			let cleaned: Uint8Array;
			try {
				cleaned = await cleanEvidenceFile(new Uint8Array(bytes), item.mime);
			} catch (problem) {
				if (!(problem instanceof Refusal)) throw problem;
				outcome.uncleanable++;
				options.onProblem?.(item.id, problem.message);
				continue;
			}
			// Renamed over the old file, so no moment leaves it half written or stored twice.
			const temporary = `${path}.cleaning`;
			await writeFile(temporary, cleaned, { mode: 0o600 });
			await rename(temporary, path);
			const { numUpdatedRows } = await db
				.updateTable('evidence')
				.set({ cleaned_at: nowIso(), file_size: cleaned.byteLength })
				.where('id', '=', item.id)
				.where('storage_key', '=', item.storageKey)
				.executeTakeFirst();
			// Removed (or erased) while it was being cleaned: the rename brought the file back.
			if (numUpdatedRows === 0n) await unlink(path).catch(() => {});
			else outcome.cleaned++;
		}
	}
}

/** One line for the console: what the clean-up did. */
export function describeEvidenceCleaning({
	cleaned,
	uncleanable,
	missing
}: StoredEvidenceCleaning): string {
	const parts = [
		`Cleaned the hidden details from ${cleaned} evidence file${cleaned === 1 ? '' : 's'} stored before uploads were cleaned.`
	];
	if (uncleanable)
		parts.push(
			`${uncleanable} could not be opened to clean: kept for the learner and their teachers, withheld from peer reviewers.`
		);
	if (missing) parts.push(`${missing} missing from storage.`);
	return parts.join(' ');
}
