// A PostgreSQL database for the two-server spec (two-servers.spec.ts), made by the app's own
// services: the demo school, a live session of class 1 on its first criterion, and published tasks
// of class 1 whose "due tomorrow" reminders fall due at the given times. Run with tsx:
//   DATABASE_URL=postgres://… npx tsx tests/e2e/two-servers-fixture.ts <ms from now, one per task>…
// Prints {"liveSessionId":…,"taskIds":[…]} as its last line.
import { openDatabase } from '../../src/lib/server/db/connection';
import { migrateToLatest } from '../../src/lib/server/db/migrate';
import { DEMO_PASSWORD, DEMO_SCHOOL, insertSchool, planSchool } from '../../src/lib/server/db/seed';
import { startLiveSession } from '../../src/lib/server/live/live';
import { publishedTask, sessionUser } from '../unit/helpers';

const DAY = 24 * 60 * 60 * 1000;
const db = openDatabase(process.env.DATABASE_URL!);
await migrateToLatest(db);
const { schoolId } = await insertSchool(db, planSchool(DEMO_SCHOOL), DEMO_PASSWORD);
const teacher = await sessionUser(db, 'teacher');
const { taskId, criteria } = await publishedTask(db, schoolId, teacher, ['C1.1']);
const liveSessionId = await startLiveSession(db, teacher, {
	classId: 1,
	taskId,
	criterionId: criteria[0]!.criterionId,
	exemplarTitle: 'A pitch to mark together',
	exemplarBody: 'Our plan is to run a stall at the school fair.'
});
const taskIds: number[] = [];
for (const fromNow of process.argv.slice(2).map(Number)) {
	const dueAt = new Date(Date.now() + fromNow + DAY).toISOString();
	taskIds.push((await publishedTask(db, schoolId, teacher, ['C1.1'], { dueAt })).taskId);
}
await db.destroy();
console.log(JSON.stringify({ liveSessionId, taskIds }));
