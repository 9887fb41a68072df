// A database for the scheduled-work spec (scheduled-work.spec.ts), made by the app's own services
// so the jobs in it are the ones publishing a task writes: the demo school, and `tasks` published
// tasks of class 1 whose "due tomorrow" reminders fall due at the given times. Run with tsx:
//   DATABASE_PATH=… npx tsx tests/e2e/scheduled-work-fixture.ts <ms from now, one per task>…
// Prints the task ids as JSON.
import { openDatabase } from '../../src/lib/server/db/connection';
import { migrateToLatest } from '../../src/lib/server/db/migrate';
import { DEMO_PASSWORD, DEMO_SCHOOL, insertSchool, planSchool } from '../../src/lib/server/db/seed';
import { publishedTask, sessionUser } from '../unit/helpers';

const DAY = 24 * 60 * 60 * 1000;
const db = openDatabase(process.env.DATABASE_PATH!);
await migrateToLatest(db);
const { schoolId } = await insertSchool(db, planSchool(DEMO_SCHOOL), DEMO_PASSWORD);
const teacher = await sessionUser(db, 'teacher');
const taskIds: number[] = [];
for (const fromNow of process.argv.slice(2).map(Number)) {
	// The reminder is sent 24 hours before the due date: due a day after `fromNow`.
	const dueAt = new Date(Date.now() + fromNow + DAY).toISOString();
	const { taskId } = await publishedTask(db, schoolId, teacher, ['C1.1'], { dueAt });
	taskIds.push(taskId);
}
await db.destroy();
console.log(JSON.stringify(taskIds));
