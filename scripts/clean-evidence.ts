// `npm run clean-evidence`: the one-off clean-up of evidence files stored before uploads were
// cleaned of their hidden details (the server also runs it at every start, after the migrations).
// Safe to run again, and while the app runs: a file is marked once cleaned, and only unmarked
// files are touched.
import { DEFAULT_DATABASE_PATH, openDatabase } from '../src/lib/server/db/connection';
import { migrateToLatest } from '../src/lib/server/db/migrate';
import {
	cleanStoredEvidence,
	describeEvidenceCleaning
} from '../src/lib/server/assessment/clean-stored-evidence';

const db = openDatabase(process.env.DATABASE_PATH || DEFAULT_DATABASE_PATH);
try {
	await migrateToLatest(db);
	const outcome = await cleanStoredEvidence(db, {
		onProblem: (id, problem) => console.log(`  evidence ${id}: ${problem}`)
	});
	console.log(describeEvidenceCleaning(outcome));
} finally {
	await db.destroy();
}
