// Test-only data beside the demo school: a second school, so tests can prove schools are sealed off.
import { openDatabase } from '../../src/lib/server/db/connection';
import { migrateToLatest } from '../../src/lib/server/db/migrate';
import { DEMO_PASSWORD, insertSchool, planSchool, schoolOfSize, seedDemoSchool } from '../../src/lib/server/db/seed';
import { listBank } from '../../src/lib/server/criteria/criteria';
import { listScales } from '../../src/lib/server/scales/scales';
import { addTaskCriterion, createTask, setTaskState } from '../../src/lib/server/tasks/tasks';
import { taskSettingsSchema } from '../../src/lib/schemas/tasks';

export const OTHER_SCHOOL_PREFIX = 'rs-';

const db = openDatabase(process.env.DATABASE_PATH!);
await migrateToLatest(db);
await seedDemoSchool(db);
const other = planSchool({ ...schoolOfSize(12, 1, 7), schoolName: 'Riverside School', slug: 'riverside' });
const rename = (u: string) => OTHER_SCHOOL_PREFIX + u;
other.people = other.people.map((p) => ({ ...p, username: rename(p.username) }));
other.classes = other.classes.map((c) => ({ ...c, name: `Riverside ${c.name}`, teachers: c.teachers.map(rename), learners: c.learners.map(rename) }));
await insertSchool(db, other, DEMO_PASSWORD);

// Two tasks in class 1: task 1 published with three criteria, task 2 a draft the authorisation matrix may change.
const teacher = await db.selectFrom('users').innerJoin('memberships', 'memberships.user_id', 'users.id').select(['users.id', 'memberships.school_id']).where('username', '=', 'teacher').executeTakeFirstOrThrow();
const asTeacher = { id: teacher.id, username: 'teacher', givenName: 'T', familyName: 'T', schoolId: teacher.school_id, schoolName: '', roles: ['teacher' as const] };
const scale = (await listScales(db, teacher.school_id)).find((s) => s.name.startsWith('School scale'))!;
const settings = (title: string) => taskSettingsSchema.parse({ title, brief: 'Plan, make and present a product for a real client.', scaleId: scale.id, selfMarkerVisibility: 'always', selfRequiredBeforeRelease: 'on' });
const published = await createTask(db, asTeacher, 1, settings('Enterprise project'));
const bank = await listBank(db, teacher.school_id);
for (const code of ['C1.1', 'P1.1', 'I1.1']) await addTaskCriterion(db, asTeacher, published, bank.find((c) => c.code === code)!.id);
await setTaskState(db, asTeacher, published, 'published');
await createTask(db, asTeacher, 1, settings('Matrix scratch task'));
await db.destroy();
