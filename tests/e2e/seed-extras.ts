// Test-only data beside the demo school: a second school, so tests can prove schools are sealed off.
import { openDatabase } from '../../src/lib/server/db/connection';
import { migrateToLatest } from '../../src/lib/server/db/migrate';
import { DEMO_PASSWORD, insertSchool, planSchool, schoolOfSize, seedDemoSchool } from '../../src/lib/server/db/seed';

export const OTHER_SCHOOL_PREFIX = 'rs-';

const db = openDatabase(process.env.DATABASE_PATH!);
await migrateToLatest(db);
await seedDemoSchool(db);
const other = planSchool({ ...schoolOfSize(12, 1, 7), schoolName: 'Riverside School', slug: 'riverside' });
const rename = (u: string) => OTHER_SCHOOL_PREFIX + u;
other.people = other.people.map((p) => ({ ...p, username: rename(p.username) }));
other.classes = other.classes.map((c) => ({ ...c, name: `Riverside ${c.name}`, teachers: c.teachers.map(rename), learners: c.learners.map(rename) }));
await insertSchool(db, other, DEMO_PASSWORD);
await db.destroy();
