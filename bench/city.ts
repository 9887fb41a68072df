// The city report the bench times: the app's own `cityReport` (school × year group × Fusion Skill
// over the learner × skill aggregates, with its small-number suppression), as /city/reports runs it.
import type { DB } from '../src/lib/server/db/connection';
import { cityReport } from '../src/lib/server/city/report';

export async function cityReportForBench(db: DB, cityId: number) {
	return cityReport(db, cityId);
}
